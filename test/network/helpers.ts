// Writes of the network kinds through the write path and the embedded uci engine, into a temp
// config directory (test/helpers/kind.ts): the file text and the list read back are what the
// tests look at.
import type { HostFacts } from '../../src/host/facts.js';
import { RESOURCES } from '../../src/resources/index.js';
import type { Resource } from '../../src/resources/types.js';
import { kindHarness } from '../helpers/kind.js';

/** The box of the unit tests: net0 holds the IPv4 default route, net1 the IPv6 one. */
export const HOST: HostFacts = {
  devices: [
    { name: 'eth0', up: true, addresses: ['192.0.2.2/24'] },
    { name: 'lo', up: true, addresses: ['127.0.0.1/8', '::1/128'] },
    { name: 'net0', up: true, addresses: ['10.10.10.89/24'] },
    { name: 'net1', up: true, addresses: ['172.16.44.2/24', 'fd00:44::2/64'] },
    { name: 'net2', up: true, addresses: [] },
  ],
  defaultDevice: 'net0',
  defaultDevice6: 'net1',
};

/** A network config as a CNF's: loopback, the image's lan on eth0, and interfaces on net0 and net1 (net2 has none). */
export const NETWORK_TEXT = `
config interface 'loopback'
\toption device 'lo'
\toption proto 'static'
\toption ipaddr '127.0.0.1'
\toption netmask '255.0.0.0'

config interface 'lan'
\toption device 'eth0'
\toption proto 'static'

config interface 'pnetwork'
\toption ifname 'net0'
\toption proto 'static'

config interface 'ovn_net'
\toption device 'net1'
\toption proto 'static'

config route
\toption interface 'lan'
\toption target '198.51.100.0/24'
\toption gateway '192.0.2.1'

config rule
\toption src '198.51.100.0/24'
\toption lookup '100'
`;

export interface Box {
  /** /etc/config/network as it is now. */
  text(): string;
  /** PUT semantics through the write path (create or replace); throws ApiError as the route would. */
  put(kind: Resource, body: Record<string, unknown>, host?: HostFacts): Promise<{ changed: boolean; batch: string }>;
  remove(kind: Resource, name: string): Promise<void>;
  list(kind: Resource): Promise<Array<Record<string, unknown>>>;
}

export function networkBox(text = NETWORK_TEXT): Box {
  let host = HOST;
  const h = kindHarness(RESOURCES[0], { network: text }, { host: () => host });
  return {
    text: () => h.file('network'),
    async put(kind, body, on = HOST) {
      host = on;
      const of = h.with(kind);
      const name = String(body['name']);
      const before = h.file('network');
      const batch = await of.dryRun('replace', { ...body, name });
      await of.replace(name, body);
      return { changed: h.file('network') !== before, batch };
    },
    remove: (kind, name) => h.with(kind).remove(name),
    list: async (kind) => (await h.with(kind).list()) as Array<Record<string, unknown>>,
  };
}

/** The sections of a config text that carry `option sdewan_kind`, as text blocks. */
export function ownedBlocks(text: string): string[] {
  return text.split(/\n(?=config )/).map((b) => b.trim()).filter((b) => b.includes("option sdewan_kind '"));
}
