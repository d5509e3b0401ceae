import * as z from 'zod';
import type { Field } from '../fields.js';
import { oneOf, stringList, text } from '../schema.js';
import { defineResource } from '../types.js';
import {
  FAMILIES,
  FIREWALL,
  checkZoneRef,
  deleteOps,
  icmpType,
  listObjects,
  macSpec,
  markSpec,
  networkSpec,
  objectName,
  portsSpec,
  requireField,
  upsertOps,
  zoneRef,
} from './common.js';

const FIELDS: readonly Field[] = [
  { api: 'name' },
  { api: 'src' },
  { api: 'src_ip' },
  { api: 'src_mac' },
  { api: 'src_port' },
  { api: 'proto' },
  { api: 'icmp_type', list: true },
  { api: 'dest' },
  { api: 'dest_ip' },
  { api: 'dest_port' },
  { api: 'mark' },
  { api: 'target' },
  { api: 'set_mark' },
  { api: 'set_xmark' },
  { api: 'family' },
  { api: 'extra' },
];

export const PROTOCOLS = ['tcp', 'udp', 'tcpudp', 'udplite', 'icmp', 'esp', 'ah', 'sctp', 'all'] as const;

/** firewall4 reads a rule's addresses, MACs and ports as lists: several values may be given, space-separated. */
const schema = z
  .object({
    name: objectName(),
    src: zoneRef().optional(),
    src_ip: networkSpec({ negatable: true, multiple: true }).optional(),
    src_mac: macSpec({ negatable: true, multiple: true }).optional(),
    src_port: portsSpec({ negatable: true, multiple: true }).optional(),
    proto: oneOf(PROTOCOLS).optional(),
    icmp_type: stringList(icmpType()).optional(),
    dest: zoneRef().optional(),
    dest_ip: networkSpec({ negatable: true, multiple: true }).optional(),
    dest_port: portsSpec({ negatable: true, multiple: true }).optional(),
    mark: markSpec({ negatable: true }).optional(),
    target: oneOf(['ACCEPT', 'REJECT', 'DROP', 'MARK', 'NOTRACK']).optional(),
    set_mark: markSpec().optional(),
    set_xmark: markSpec().optional(),
    family: oneOf(FAMILIES).optional(),
    /** Raw iptables arguments for firewall3; firewall4 ignores the option with a warning. */
    extra: text().optional(),
  })
  .superRefine((rule, ctx) => {
    // firewall4 skips a MARK rule without a mark to set, and a NOTRACK rule without a source zone.
    if (rule.target === 'MARK' && rule.set_mark === undefined && rule.set_xmark === undefined) {
      requireField(ctx, 'set_mark', 'set_mark or set_xmark is required for target MARK');
    }
    if (rule.target === 'NOTRACK' && (rule.src === undefined || rule.src === '*')) {
      requireField(ctx, 'src', 'a source zone (not *) is required for target NOTRACK');
    }
  });
export type FirewallRule = z.infer<typeof schema>;

export const rules = defineResource({
  domain: 'firewall',
  collection: 'rules',
  config: FIREWALL,
  service: 'firewall',
  schema,
  list: (snap) => listObjects<FirewallRule>(snap[FIREWALL], 'rule', FIELDS),
  check(obj, snap) {
    checkZoneRef(snap, 'src', obj.src, true);
    checkZoneRef(snap, 'dest', obj.dest, true);
  },
  toBatch: (obj, snap) => upsertOps(snap[FIREWALL]!, 'rule', obj, FIELDS),
  deleteBatch: (name, snap) => deleteOps(snap[FIREWALL], 'rule', name),
});
