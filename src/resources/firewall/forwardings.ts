import * as z from 'zod';
import type { Field } from '../fields.js';
import { oneOf } from '../schema.js';
import type { ResourceDef } from '../types.js';
import { FAMILIES, FIREWALL, FIREWALL_PREFIX, checkZoneRef, deleteOps, listObjects, objectName, upsertOps, zoneRef } from './common.js';

const FIELDS: readonly Field[] = [{ api: 'name' }, { api: 'src' }, { api: 'dest' }, { api: 'family' }];

const schema = z.object({
  name: objectName(),
  src: zoneRef(),
  dest: zoneRef(),
  family: oneOf(FAMILIES).optional(),
});
export type FirewallForwarding = z.infer<typeof schema>;

export const forwardings: ResourceDef<FirewallForwarding> = {
  collection: 'forwardings',
  prefix: FIREWALL_PREFIX,
  config: FIREWALL,
  service: 'firewall',
  schema,
  list: (snap) => listObjects<FirewallForwarding>(snap[FIREWALL], 'forwarding', FIELDS),
  check(obj, snap) {
    checkZoneRef(snap, 'src', obj.src, true);
    checkZoneRef(snap, 'dest', obj.dest, true);
  },
  toBatch: (obj, snap) => upsertOps(snap[FIREWALL]!, 'forwarding', obj, FIELDS),
  deleteBatch: (name, snap) => deleteOps(snap[FIREWALL], 'forwarding', name),
};
