import * as z from 'zod';
import { fieldError } from '../../errors.js';
import { type Field, managedOptions, optionsOf } from '../fields.js';
import { apiNameOf, findNamed, namedObjectOps, namedObjects } from '../names.js';
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
    name: text().meta({ description: 'The rule name (at most 15 characters); mwan3 tries rules in file order.', examples: ['sample'] }),
    policy: text().optional().meta({ description: 'The mwan3 policy the matching traffic uses.', examples: ['balance1'] }),
    src_ip: address.optional().meta({ description: 'Source address or CIDR (IPv6 only with family `ipv6` or `all`).', examples: ['10.10.10.10'] }),
    src_port: portSpec().optional().meta({ description: 'Source ports (with proto `tcp` or `udp`).', examples: ['22'] }),
    dest_ip: address.optional().meta({ description: 'Destination address or CIDR (IPv6 only with family `ipv6` or `all`).', examples: ['10.10.10.1'] }),
    dest_port: portSpec().optional().meta({ description: 'Destination ports (with proto `tcp` or `udp`).', examples: ['1000'] }),
    proto: oneOf(['tcp', 'udp', 'icmp', 'all']).optional().meta({ description: 'The protocol matched.', examples: ['udp'] }),
    family: oneOf(['ipv4', 'ipv6', 'all']).optional().meta({ description: 'The address family matched (mwan3 assumes `ipv4`).', examples: ['ipv4'] }),
    sticky: bool01().optional().meta({ description: '`1`: a source keeps the interface it was given for `timeout` seconds.', examples: ['1'] }),
    timeout: intString(1).optional().meta({ description: 'Seconds a sticky source keeps its interface.', examples: ['200'] }),
    ipset: text()
      .regex(/^[A-Za-z0-9_.-]+$/, { error: 'should be an ipset name' })
      .optional()
      .meta({ description: 'Match destinations in this ipset (letters, digits, `_`, `.`, `-`).', examples: ['vpn_hosts'] }),
    logging: bool01().optional().meta({ description: '`1`: log the matching traffic.', examples: ['0'] }),
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
  })
  .meta({
    description: 'Which traffic goes by which policy (`config rule`, its `use_policy`).',
    examples: [
      { name: 'sample', policy: 'balance1', src_ip: '10.10.10.10', src_port: '22', dest_ip: '10.10.10.1', dest_port: '1000', proto: 'udp', family: 'ipv4', sticky: '1', timeout: '200' },
    ],
  });
export type Mwan3Rule = z.infer<typeof schema>;

export const rules = defineResource({
  domain: 'mwan3',
  collection: 'rules',
  config: MWAN3,
  service: 'mwan3',
  schema,
  list: (snap) => {
    // each policy's API name, by section name (the first of a name, as apiNameOfRef finds it)
    const policies = new Map<string, string>();
    for (const s of snap[MWAN3]?.sections ?? []) if (s.type === 'policy' && !policies.has(s.name)) policies.set(s.name, apiNameOf(s));
    const rules = namedObjects(snap[MWAN3], 'rule', FIELDS);
    // the same objects (and list) when no policy's API name differs from its section name
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const policy = typeof r['policy'] === 'string' ? policies.get(r['policy']) : undefined;
      if (policy !== undefined && policy !== r['policy']) rules[i] = { ...r, policy };
    }
    return rules as Mwan3Rule[];
  },
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
