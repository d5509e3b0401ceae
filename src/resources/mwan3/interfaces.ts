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

const schema = z
  .object({
    name: text().meta({ description: 'The network interface mwan3 watches: an interface of the network config, by its API name.', examples: ['ovn-net1'] }),
    enabled: bool01().optional().meta({ description: '`1`: mwan3 tracks and uses the interface.', examples: ['1'] }),
    initial_state: oneOf(['online', 'offline']).optional().meta({ description: 'The state assumed before the first tracking result.', examples: ['online'] }),
    family: oneOf(['ipv4', 'ipv6']).optional().meta({ description: 'The address family of the interface.', examples: ['ipv4'] }),
    track_method: oneOf(['ping', 'arping', 'httping', 'nping-tcp', 'nping-udp', 'nping-icmp', 'nping-arp'])
      .optional()
      .meta({ description: 'How the hosts of `track_ip` are probed.', examples: ['ping'] }),
    track_ip: stringList(text().regex(/^\S+$/, { error: 'should be a host or address' }))
      .optional()
      .meta({ description: 'Hosts probed through the interface; without any, the interface counts as online.', examples: [['8.8.8.8', '10.10.10.1']] }),
    reliability: intString(1).optional().meta({ description: 'How many `track_ip` hosts must answer for the interface to be up.', examples: ['1'] }),
    count: intString(1).optional().meta({ description: 'Probes sent to each host per test.', examples: ['1'] }),
    size: intString(1, 65507).optional().meta({ description: 'Payload bytes of a ping probe.', examples: ['56'] }),
    max_ttl: intString(1, 255).optional().meta({ description: 'TTL of a ping probe.', examples: ['60'] }),
    check_quality: bool01().optional().meta({ description: '`1`: latency and loss count too (`failure_*`, `recovery_*`).', examples: ['0'] }),
    failure_latency: intString(1).optional().meta({ description: 'Milliseconds of latency above which a probe fails (with `check_quality`).', examples: ['1000'] }),
    recovery_latency: intString(1).optional().meta({ description: 'Milliseconds of latency below which a probe succeeds again (with `check_quality`).', examples: ['500'] }),
    failure_loss: intString(0, 100).optional().meta({ description: 'Percent of lost probes above which a test fails (with `check_quality`).', examples: ['40'] }),
    recovery_loss: intString(0, 100).optional().meta({ description: 'Percent of lost probes below which a test succeeds again (with `check_quality`).', examples: ['10'] }),
    timeout: intString(1).optional().meta({ description: 'Seconds to wait for a probe answer.', examples: ['2'] }),
    interval: intString(1).optional().meta({ description: 'Seconds between tests.', examples: ['5'] }),
    failure_interval: intString(1).optional().meta({ description: 'Seconds between tests while the interface is failing.', examples: ['5'] }),
    recovery_interval: intString(1).optional().meta({ description: 'Seconds between tests while the interface is recovering.', examples: ['5'] }),
    keep_failure_interval: bool01().optional().meta({ description: '`1`: keep `failure_interval` while the interface is down.', examples: ['0'] }),
    up: intString(1).optional().meta({ description: 'Successful tests in a row before the interface is up.', examples: ['3'] }),
    down: intString(1).optional().meta({ description: 'Failed tests in a row before the interface is down.', examples: ['3'] }),
    flush_conntrack: stringList(oneOf(['ifup', 'ifdown', 'connected', 'disconnected', 'always', 'never']))
      .optional()
      .meta({ description: 'The events on which the connection tracking table is flushed.', examples: [['ifdown']] }),
    httping_ssl: bool01().optional().meta({ description: '`1`: `httping` probes use HTTPS.', examples: ['0'] }),
  })
  .meta({
    description: 'An interface mwan3 tracks and balances over (`config interface` of the mwan3 config).',
    examples: [{ name: 'ovn-net1', enabled: '1', family: 'ipv4', track_ip: ['8.8.8.8'], reliability: '1', interval: '5', up: '3', down: '3' }],
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
