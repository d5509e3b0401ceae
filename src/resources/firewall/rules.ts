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
    name: objectName().meta({ description: 'The rule name.', examples: ['firewallrule-sample'] }),
    src: zoneRef().optional().meta({ description: 'The source zone (`*`: any zone); without it the rule matches traffic from the box.', examples: ['firewallzone-sample'] }),
    src_ip: networkSpec({ negatable: true, multiple: true }).optional().meta({ description: 'Source addresses matched.', examples: ['192.168.2.2'] }),
    src_mac: macSpec({ negatable: true, multiple: true }).optional().meta({ description: 'Source MAC addresses matched.', examples: ['52:54:00:12:34:56'] }),
    src_port: portsSpec({ negatable: true, multiple: true }).optional().meta({ description: 'Source ports matched (tcp, udp).', examples: ['80'] }),
    proto: oneOf(PROTOCOLS).optional().meta({ description: 'The protocol matched (firewall4 assumes `tcpudp`).', examples: ['tcp'] }),
    icmp_type: stringList(icmpType()).optional().meta({ description: 'ICMP types matched (proto `icmp`).', examples: [['echo-request']] }),
    dest: zoneRef().optional().meta({ description: 'The destination zone (`*`: any zone); without it the rule matches traffic to the box.', examples: ['firewallzone-sample2'] }),
    dest_ip: networkSpec({ negatable: true, multiple: true }).optional().meta({ description: 'Destination addresses matched.', examples: ['10.10.10.0/24'] }),
    dest_port: portsSpec({ negatable: true, multiple: true }).optional().meta({ description: 'Destination ports matched (tcp, udp).', examples: ['443'] }),
    mark: markSpec({ negatable: true }).optional().meta({ description: 'The firewall mark matched.', examples: ['0x10/0xff'] }),
    target: oneOf(['ACCEPT', 'REJECT', 'DROP', 'MARK', 'NOTRACK'])
      .optional()
      .meta({ description: 'What is done with the matching traffic (`MARK` needs `set_mark` or `set_xmark`, `NOTRACK` a source zone).', examples: ['REJECT'] }),
    set_mark: markSpec().optional().meta({ description: 'With target `MARK`: the mark set (mark/mask: only the masked bits).', examples: ['0x110'] }),
    set_xmark: markSpec().optional().meta({ description: 'With target `MARK`: the mark XORed into the masked bits.', examples: ['0x1/0xff'] }),
    family: oneOf(FAMILIES).optional().meta({ description: 'The address family matched.', examples: ['ipv4'] }),
    /** Raw iptables arguments for firewall3; firewall4 ignores the option with a warning. */
    extra: text().optional().meta({ description: 'Extra iptables arguments (firewall3; firewall4 ignores them).', examples: ['-m comment --comment sample'] }),
  })
  .superRefine((rule, ctx) => {
    // firewall4 skips a MARK rule without a mark to set, and a NOTRACK rule without a source zone.
    if (rule.target === 'MARK' && rule.set_mark === undefined && rule.set_xmark === undefined) {
      requireField(ctx, 'set_mark', 'set_mark or set_xmark is required for target MARK');
    }
    if (rule.target === 'NOTRACK' && (rule.src === undefined || rule.src === '*')) {
      requireField(ctx, 'src', 'a source zone (not *) is required for target NOTRACK');
    }
  })
  .meta({
    description: 'A traffic rule: accept, reject, drop, mark or leave untracked the matching traffic (`config rule`).',
    examples: [{ name: 'firewallrule-sample', src: 'firewallzone-sample', src_ip: '192.168.2.2', src_port: '80', proto: 'tcp', target: 'REJECT' }],
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
