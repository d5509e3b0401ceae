import * as z from 'zod';
import { ApiError } from '../../errors.js';
import type { Field } from '../fields.js';
import { apiNameOfRef, findNamed } from '../names.js';
import { bool01, oneOf, stringList, text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import {
  FAMILIES,
  FIREWALL,
  NETWORK,
  OWNER,
  deleteOps,
  describeSection, listObjects,
  networkSpec,
  upsertOps,
  zoneName,
} from './common.js';
import { fieldError } from '../../errors.js';

/**
 * `etra_dest` is the controller's own spelling (its Go struct tags it so). The UCI option is
 * `extra_dest`, the name firewall3 reads (extra iptables arguments for the zone's destination
 * rules) and firewall4 recognises (it warns that the option is not supported by fw4 and ignores
 * it, exactly as it does `extra_src`). Storing the misspelling would leave an option no reader
 * knows, so the API field `etra_dest` is stored as `extra_dest` and read back as `etra_dest`.
 */
const FIELDS: readonly Field[] = [
  { api: 'name' },
  { api: 'network', list: true },
  { api: 'masq' },
  { api: 'masq_src', list: true },
  { api: 'masq_dest', list: true },
  { api: 'masq_allow_invalid' },
  { api: 'mtu_fix' },
  { api: 'input' },
  { api: 'forward' },
  { api: 'output' },
  { api: 'family' },
  { api: 'subnet', list: true },
  { api: 'extra_src' },
  { api: 'etra_dest', uci: 'extra_dest' },
];

const POLICIES = ['ACCEPT', 'REJECT', 'DROP'] as const;

const schema = z
  .object({
    name: zoneName().meta({ description: 'The zone name, as rules, forwardings and redirects refer to it.', examples: ['firewallzone-sample'] }),
    network: stringList(text())
      .optional()
      .meta({ description: 'Interfaces of the network config in the zone, by their API names.', examples: [['ovn-net1', 'ovn-net2']] }),
    masq: bool01().optional().meta({ description: '`1`: masquerade (source NAT) the traffic leaving through the zone.', examples: ['1'] }),
    masq_src: stringList(networkSpec({ negatable: true }))
      .optional()
      .meta({ description: 'Masquerade only traffic from these sources (a leading `!` excludes).', examples: [['192.168.1.0/24']] }),
    masq_dest: stringList(networkSpec({ negatable: true }))
      .optional()
      .meta({ description: 'Masquerade only traffic to these destinations (a leading `!` excludes).', examples: [['!10.10.10.0/24']] }),
    masq_allow_invalid: bool01().optional().meta({ description: '`1`: do not drop invalid packets when masquerading.', examples: ['0'] }),
    mtu_fix: bool01().optional().meta({ description: '`1`: clamp the TCP MSS of traffic leaving through the zone to the path MTU.', examples: ['1'] }),
    input: oneOf(POLICIES).optional().meta({ description: 'The default for traffic from the zone to the box.', examples: ['ACCEPT'] }),
    forward: oneOf(POLICIES).optional().meta({ description: 'The default for traffic forwarded within the zone.', examples: ['REJECT'] }),
    output: oneOf(POLICIES).optional().meta({ description: 'The default for traffic from the box to the zone.', examples: ['ACCEPT'] }),
    family: oneOf(FAMILIES).optional().meta({ description: 'The address family the zone applies to.', examples: ['any'] }),
    subnet: stringList(networkSpec())
      .optional()
      .meta({ description: 'Subnets in the zone besides its networks.', examples: [['192.168.1.0/24']] }),
    extra_src: text().optional().meta({ description: "Extra iptables arguments for the zone's source matches (firewall3; firewall4 ignores them).", examples: ['-m physdev --physdev-in eth1'] }),
    etra_dest: text()
      .optional()
      .meta({ description: "Extra iptables arguments for the zone's destination matches (stored as `extra_dest`; firewall4 ignores them). The controller's spelling.", examples: ['-m physdev --physdev-out eth1'] }),
  })
  .meta({
    description: 'A firewall zone: networks grouped under one policy (`config zone`).',
    examples: [{ name: 'firewallzone-sample', network: ['ovn-net1', 'ovn-net2'], input: 'ACCEPT', output: 'ACCEPT' }],
  });
export type FirewallZone = z.infer<typeof schema>;

/**
 * A zone's `network` entries are interfaces of the network config, named as the API names
 * them: a Kubernetes network name (`ovn-net1`) resolves through the name mapping of
 * src/resources/names.ts to its section (`ovn_net1`), which is what firewall4 reads.
 */
function networkSection(snap: Snapshot, apiName: string, field: string): string {
  const section = findNamed(snap[NETWORK], 'interface', apiName);
  if (!section) throw fieldError(field, `${JSON.stringify(apiName)} is not an interface of the network config`);
  return section.name;
}

/** The kinds whose `src`/`dest` name a zone. */
const REFERRERS = ['rule', 'forwarding', 'redirect'] as const;

export const zones = defineResource({
  domain: 'firewall',
  collection: 'zones',
  config: FIREWALL,
  reads: [NETWORK],
  service: 'firewall',
  schema,
  list: (snap: Snapshot) =>
    listObjects<FirewallZone>(snap[FIREWALL], 'zone', FIELDS).map((zone) =>
      zone.network ? { ...zone, network: zone.network.map((net) => apiNameOfRef(snap[NETWORK], net, 'interface')) } : zone,
    ),
  check(obj, snap) {
    // a zone the agent keeps for a device (src/resources/devices/zones.ts) holds the name
    if (snap[FIREWALL]?.sections.some((s) => s.type === 'zone' && s.options.has(OWNER) && s.options.get('name') === obj.name)) {
      throw new ApiError(409, `The zone name ${JSON.stringify(obj.name)} is taken by a zone the agent keeps for a device`);
    }
    obj.network?.forEach((net, i) => networkSection(snap, net, `network.${i}`));
  },
  toBatch: (obj, snap) =>
    upsertOps(snap[FIREWALL]!, 'zone', obj.network ? { ...obj, network: obj.network.map((net, i) => networkSection(snap, net, `network.${i}`)) } : obj, FIELDS),
  deleteBatch: (name, snap) => deleteOps(snap[FIREWALL], 'zone', name),
  usedBy(name, snap) {
    const pkg = snap[FIREWALL];
    if (!pkg) return undefined;
    for (const section of pkg.sections) {
      if (!(REFERRERS as readonly string[]).includes(section.type) || section.options.has(OWNER)) continue;
      const field = (['src', 'dest'] as const).find((f) => section.options.get(f) === name);
      if (field) return `Zone ${JSON.stringify(name)} is used by ${section.type} ${describeSection(pkg, section)} (${field})`;
    }
    return undefined;
  },
});
