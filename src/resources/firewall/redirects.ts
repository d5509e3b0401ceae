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
    name: objectName(),
    src: zoneRef().optional(),
    src_ip: networkSpec({ negatable: true }).optional(),
    src_dip: networkSpec({ negatable: true }).optional(),
    src_mac: macSpec({ negatable: true, multiple: true }).optional(),
    src_port: portsSpec({ negatable: true }).optional(),
    src_dport: portsSpec({ negatable: true }).optional(),
    proto: oneOf(PROTOCOLS).optional(),
    dest: zoneRef().optional(),
    dest_ip: networkSpec({ negatable: true }).optional(),
    dest_port: portsSpec({ negatable: true }).optional(),
    mark: markSpec({ negatable: true }).optional(),
    target: oneOf(['DNAT', 'SNAT']).optional(),
    family: oneOf(FAMILIES).optional(),
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
