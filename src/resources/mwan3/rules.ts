import * as z from 'zod';
import { fieldError } from '../../errors.js';
import { type Field, managedOptions, optionsOf } from '../fields.js';
import { apiNameOfRef, findNamed, namedObjectOps, namedObjects } from '../names.js';
import { bool01, cidr, intString, isCidr, oneOf, portSpec, text } from '../schema.js';
import { defineResource } from '../types.js';
import { chainSectionName, MWAN3 } from './common.js';

/** The API field `policy` is mwan3's `use_policy`; the rest keep mwan3's option names. */
const FIELDS: readonly Field[] = [
  { api: 'policy', uci: 'use_policy' },
  { api: 'src_ip' },
  { api: 'src_port' },
  { api: 'dest_ip' },
  { api: 'dest_port' },
  { api: 'proto' },
  { api: 'family' },
  { api: 'sticky' },
  { api: 'timeout' },
  { api: 'ipset' },
  { api: 'logging' },
];
const MANAGED = managedOptions(FIELDS);

const address = cidr();

const schema = z
  .object({
    name: text(),
    policy: text().optional(),
    src_ip: address.optional(),
    src_port: portSpec().optional(),
    dest_ip: address.optional(),
    dest_port: portSpec().optional(),
    proto: oneOf(['tcp', 'udp', 'icmp', 'all']).optional(),
    family: oneOf(['ipv4', 'ipv6', 'all']).optional(),
    sticky: bool01().optional(),
    timeout: intString(1).optional(),
    ipset: text().regex(/^[A-Za-z0-9_.-]+$/, { error: 'should be an ipset name' }).optional(),
    logging: bool01().optional(),
  })
  .superRefine((rule, ctx) => {
    // IPv4 unless the family allows IPv6; IPv6 only when the family is ipv6 or all.
    for (const field of ['src_ip', 'dest_ip'] as const) {
      const value = rule[field];
      if (value === undefined) continue;
      const v4 = isCidr(value, { v4: true });
      if (rule.family === 'ipv6' && v4) ctx.addIssue({ code: 'custom', path: [field], message: 'should be an IPv6 address or CIDR when family is ipv6' });
      if (rule.family !== 'ipv6' && rule.family !== 'all' && !v4) ctx.addIssue({ code: 'custom', path: [field], message: 'should be an IPv4 address or CIDR (IPv6 needs family ipv6 or all)' });
    }
    if ((rule.src_port !== undefined || rule.dest_port !== undefined) && rule.proto !== undefined && rule.proto !== 'tcp' && rule.proto !== 'udp') {
      ctx.addIssue({ code: 'custom', path: [rule.src_port !== undefined ? 'src_port' : 'dest_port'], message: 'ports need proto tcp or udp' });
    }
  });
export type Mwan3Rule = z.infer<typeof schema>;

export const rules = defineResource({
  domain: 'mwan3',
  collection: 'rules',
  config: MWAN3,
  service: 'mwan3',
  schema,
  list: (snap) =>
    namedObjects(snap[MWAN3], 'rule', FIELDS).map((r) =>
      typeof r['policy'] === 'string' ? { ...r, policy: apiNameOfRef(snap[MWAN3], r['policy'], 'policy') } : r,
    ) as Mwan3Rule[],
  check(obj, snap) {
    chainSectionName(obj.name, 'rule');
    if (obj.policy !== undefined && !findNamed(snap[MWAN3], 'policy', obj.policy)) {
      throw fieldError('policy', `policy ${JSON.stringify(obj.policy)} does not exist`);
    }
  },
  toBatch(obj, snap) {
    const policy = obj.policy === undefined ? undefined : findNamed(snap[MWAN3], 'policy', obj.policy)!.name;
    return namedObjectOps(snap[MWAN3]!, 'rule', obj.name, optionsOf({ ...obj, policy }, FIELDS), MANAGED);
  },
  deleteBatch: (name, snap) => [{ op: 'delete', section: findNamed(snap[MWAN3], 'rule', name)!.name }],
});
