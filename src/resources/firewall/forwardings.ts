import * as z from 'zod';
import type { Field } from '../fields.js';
import { oneOf } from '../schema.js';
import { defineResource } from '../types.js';
import { FAMILIES, FIREWALL, checkZoneRef, deleteOps, listObjects, objectName, upsertOps, zoneRef } from './common.js';

const FIELDS: readonly Field[] = [{ api: 'name' }, { api: 'src' }, { api: 'dest' }, { api: 'family' }];

const schema = z
  .object({
    name: objectName().meta({ description: 'The forwarding name.', examples: ['firewallforwarding-sample'] }),
    src: zoneRef().meta({ description: 'The zone traffic comes from (`*`: any zone).', examples: ['firewallzone-sample2'] }),
    dest: zoneRef().meta({ description: 'The zone it may go to (`*`: any zone).', examples: ['firewallzone-sample'] }),
    family: oneOf(FAMILIES).optional().meta({ description: 'The address family forwarded.', examples: ['any'] }),
  })
  .meta({
    description: 'Traffic allowed from one zone to another (`config forwarding`).',
    examples: [{ name: 'firewallforwarding-sample', src: 'firewallzone-sample2', dest: 'firewallzone-sample' }],
  });
export type FirewallForwarding = z.infer<typeof schema>;

export const forwardings = defineResource({
  domain: 'firewall',
  collection: 'forwardings',
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
});
