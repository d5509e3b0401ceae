import * as z from 'zod';
import { conflict, fieldError } from '../../errors.js';
import { type Field, managedOptions, optionsOf } from '../fields.js';
import { claimSectionName, findNamed, namedObjectOps, namedObjects } from '../names.js';
import { bool01, intString, oneOf, stringList, text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import { MWAN3 } from './common.js';
import { slaOwnedOptions } from './sla-tracking.js';

/** mwan3's interface options (mwan3's documentation and scripts: mwan3.sh, mwan3track). */
const FIELDS: readonly Field[] = [
  { api: 'enabled' },
  { api: 'initial_state' },
  { api: 'family' },
  { api: 'track_method' },
  { api: 'track_ip', list: true },
  { api: 'reliability' },
  { api: 'count' },
  { api: 'size' },
  { api: 'max_ttl' },
  { api: 'check_quality' },
  { api: 'failure_latency' },
  { api: 'recovery_latency' },
  { api: 'failure_loss' },
  { api: 'recovery_loss' },
  { api: 'timeout' },
  { api: 'interval' },
  { api: 'failure_interval' },
  { api: 'recovery_interval' },
  { api: 'keep_failure_interval' },
  { api: 'up' },
  { api: 'down' },
  { api: 'flush_conntrack', list: true },
  { api: 'httping_ssl' },
];
const MANAGED = managedOptions(FIELDS);

const schema = z.object({
  name: text(),
  enabled: bool01().optional(),
  initial_state: oneOf(['online', 'offline']).optional(),
  family: oneOf(['ipv4', 'ipv6']).optional(),
  track_method: oneOf(['ping', 'arping', 'httping', 'nping-tcp', 'nping-udp', 'nping-icmp', 'nping-arp']).optional(),
  track_ip: stringList(text().refine((v) => v.length > 0 && !/\s/.test(v), { error: 'should be a host or address' })).optional(),
  reliability: intString(1).optional(),
  count: intString(1).optional(),
  size: intString(1, 65507).optional(),
  max_ttl: intString(1, 255).optional(),
  check_quality: bool01().optional(),
  failure_latency: intString(1).optional(),
  recovery_latency: intString(1).optional(),
  failure_loss: intString(0, 100).optional(),
  recovery_loss: intString(0, 100).optional(),
  timeout: intString(1).optional(),
  interval: intString(1).optional(),
  failure_interval: intString(1).optional(),
  recovery_interval: intString(1).optional(),
  keep_failure_interval: bool01().optional(),
  up: intString(1).optional(),
  down: intString(1).optional(),
  flush_conntrack: stringList(oneOf(['ifup', 'ifdown', 'connected', 'disconnected', 'always', 'never'])).optional(),
  httping_ssl: bool01().optional(),
});
export type Mwan3Interface = z.infer<typeof schema>;

const list = (snap: Snapshot) => namedObjects(snap[MWAN3], 'interface', FIELDS) as Mwan3Interface[];

export const interfaces = defineResource({
  domain: 'mwan3',
  collection: 'interfaces',
  config: MWAN3,
  reads: ['network'],
  service: 'mwan3',
  schema,
  list,
  check(obj, snap) {
    const section = claimSectionName(snap[MWAN3]!, 'interface', obj.name);
    const network = snap['network']?.sections.find((s) => s.type === 'interface' && s.name === section);
    if (!network) {
      throw fieldError('name', `mwan3 interface ${JSON.stringify(obj.name)} needs a network interface '${section}' in the network config`);
    }
    // the quality tracking an SLA policy set stays its own (src/resources/mwan3/sla-tracking.ts)
    const current = findNamed(snap[MWAN3], 'interface', obj.name);
    const options = optionsOf(obj, FIELDS);
    for (const option of slaOwnedOptions(current)) {
      const want = options.get(option);
      if (want !== undefined && want !== current?.options.get(option)) {
        throw conflict(`Conflict: ${option} of mwan3 interface ${JSON.stringify(obj.name)} is set by SLA policies (mwan3/v1/slapolicies), not here`);
      }
    }
  },
  toBatch(obj, snap) {
    const owned = slaOwnedOptions(findNamed(snap[MWAN3], 'interface', obj.name));
    return namedObjectOps(snap[MWAN3]!, 'interface', obj.name, optionsOf(obj, FIELDS), MANAGED.filter((o) => !owned.includes(o)));
  },
  deleteBatch(name, snap) {
    const section = findNamed(snap[MWAN3], 'interface', name)!;
    return [{ op: 'delete', section: section.name }];
  },
  usedBy(name, snap) {
    const section = findNamed(snap[MWAN3], 'interface', name);
    const member = snap[MWAN3]?.sections.find((s) => s.type === 'member' && s.options.get('interface') === section?.name);
    return member ? `Interface ${JSON.stringify(name)} is used by member '${member.name}'` : undefined;
  },
});
