import * as z from 'zod';
import type { Field } from '../fields.js';
import { oneOf } from '../schema.js';
import { defineResource } from '../types.js';
import {
  FAMILIES,
  FIREWALL,
  checkZoneRef,
  deleteOps,
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
import { PROTOCOLS } from './rules.js';

const FIELDS: readonly Field[] = [
  { api: 'name' },
  { api: 'src' },
  { api: 'src_ip' },
  { api: 'src_dip' },
  { api: 'src_mac' },
  { api: 'src_port' },
  { api: 'src_dport' },
  { api: 'proto' },
  { api: 'dest' },
  { api: 'dest_ip' },
  { api: 'dest_port' },
  { api: 'mark' },
  { api: 'target' },
  { api: 'family' },
];

const negated = (v: string | undefined) => v?.startsWith('!') === true;

/**
 * firewall4 reads a redirect's addresses and ports as single values (only `src_mac` as a list)
 * and, when `target` is absent, treats the redirect as DNAT. The cross-field rules are the ones
 * under which firewall4 would skip the section with a warning.
 */
const schema = z
  .object({
    name: objectName().meta({ description: 'The redirect name.', examples: ['firewalldnat-sample'] }),
    src: zoneRef().optional().meta({ description: 'The zone the traffic comes from (required for DNAT, a zone not `*`).', examples: ['firewallzone-sample'] }),
    src_ip: networkSpec({ negatable: true }).optional().meta({ description: 'Source address matched.', examples: ['192.168.1.2'] }),
    src_dip: networkSpec({ negatable: true })
      .optional()
      .meta({ description: 'DNAT: the destination address matched. SNAT: the source address written (required, not negated).', examples: ['1.2.3.4'] }),
    src_mac: macSpec({ negatable: true, multiple: true }).optional().meta({ description: 'Source MAC addresses matched (not with SNAT).', examples: ['52:54:00:12:34:56'] }),
    src_port: portsSpec({ negatable: true }).optional().meta({ description: 'Source port matched.', examples: ['1024-65535'] }),
    src_dport: portsSpec({ negatable: true })
      .optional()
      .meta({ description: 'DNAT: the destination port matched. SNAT: the source port written.', examples: ['8080'] }),
    proto: oneOf(PROTOCOLS).optional().meta({ description: 'The protocol matched.', examples: ['tcp'] }),
    dest: zoneRef().optional().meta({ description: 'The zone the traffic goes to (required for SNAT, a zone not `*`).', examples: ['firewallzone-sample2'] }),
    dest_ip: networkSpec({ negatable: true })
      .optional()
      .meta({ description: 'DNAT: the destination address written (not negated). SNAT: the destination address matched.', examples: ['192.168.1.100'] }),
    dest_port: portsSpec({ negatable: true }).optional().meta({ description: 'DNAT: the destination port written. SNAT: the destination port matched.', examples: ['80'] }),
    mark: markSpec({ negatable: true }).optional().meta({ description: 'The firewall mark matched.', examples: ['0x10'] }),
    target: oneOf(['DNAT', 'SNAT']).optional().meta({ description: 'Destination NAT (the default) or source NAT.', examples: ['DNAT'] }),
    family: oneOf(FAMILIES).optional().meta({ description: 'The address family matched.', examples: ['ipv4'] }),
  })
  .superRefine((r, ctx) => {
    if (r.target === 'SNAT') {
      if (r.src_dip === undefined) requireField(ctx, 'src_dip', 'src_dip is required for SNAT');
      else if (negated(r.src_dip)) requireField(ctx, 'src_dip', 'must not be negated for SNAT');
      if (r.dest === undefined) requireField(ctx, 'dest', 'dest is required for SNAT');
      else if (r.dest === '*') requireField(ctx, 'dest', "must name a zone, not '*', for SNAT");
      if (r.src_mac !== undefined) requireField(ctx, 'src_mac', 'is not allowed for SNAT');
    } else {
      const target = r.target === undefined ? 'DNAT (the default target)' : 'DNAT';
      if (r.src === undefined) requireField(ctx, 'src', `src is required for ${target}`);
      else if (r.src === '*') requireField(ctx, 'src', `must name a zone, not '*', for ${target}`);
      if (negated(r.dest_ip)) requireField(ctx, 'dest_ip', `must not be negated for ${target}`);
    }
  })
  .meta({
    description: 'A port forward (DNAT) or source NAT between zones (`config redirect`).',
    examples: [
      { name: 'firewalldnat-sample', src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'firewallzone-sample2', proto: 'icmp', target: 'DNAT' },
      { name: 'firewallsnat-sample', src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.5', dest: 'firewallzone-sample2', proto: 'icmp', target: 'SNAT' },
    ],
  });
export type FirewallRedirect = z.infer<typeof schema>;

export const redirects = defineResource({
  domain: 'firewall',
  collection: 'redirects',
  config: FIREWALL,
  service: 'firewall',
  schema,
  list: (snap) => listObjects<FirewallRedirect>(snap[FIREWALL], 'redirect', FIELDS),
  check(obj, snap) {
    checkZoneRef(snap, 'src', obj.src, true);
    checkZoneRef(snap, 'dest', obj.dest, true);
  },
  toBatch: (obj, snap) => upsertOps(snap[FIREWALL]!, 'redirect', obj, FIELDS),
  deleteBatch: (name, snap) => deleteOps(snap[FIREWALL], 'redirect', name),
});
