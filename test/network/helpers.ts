// Writes of the network kinds through the embedded uci engine, into a temp config directory:
// a body goes through the routes' own parser, the definition's check and batch, and one
// committed update; the file text and the list read back are what the tests look at.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HostFacts } from '../../src/host/facts.js';
import { parseBody } from '../../src/http/validate.js';
import type { ResourceDef } from '../../src/resources/types.js';
import { EmbeddedRunner, createUciStore, type UciStore } from '../../src/uci/index.js';
import { sandbox, type Sandbox } from '../uci/helpers.js';

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
  box: Sandbox;
  store: UciStore;
  /** /etc/config/network as it is now. */
  text(): string;
  /** PUT semantics: the body parsed, checked and written (create or replace); throws ApiError as the route would. */
  put(def: ResourceDef<{ name: string }>, body: Record<string, unknown>, host?: HostFacts): Promise<{ changed: boolean; batch: string }>;
  remove(def: ResourceDef<{ name: string }>, name: string): Promise<void>;
  list(def: ResourceDef<{ name: string }>): Promise<Array<Record<string, unknown>>>;
}

export function networkBox(text = NETWORK_TEXT): Box {
  const box = sandbox({ network: text }, 'sdewan-network-');
  const store = createUciStore({ confdir: box.confdir, savedir: box.savedir, runner: new EmbeddedRunner() });
  return {
    box,
    store,
    text: () => readFileSync(path.join(box.confdir, 'network'), 'utf8'),
    async put(def, body, host = HOST) {
      const obj = parseBody(def.schema, body);
      const result = await store.update('network', (current) => {
        const snap = { network: current };
        const existing = def.list(snap).find((o) => o.name === obj.name);
        def.check?.(obj, snap, existing, host);
        return def.toBatch(obj, snap, existing, host);
      });
      return { changed: result.changed, batch: result.batch };
    },
    async remove(def, name) {
      await store.update('network', (current) => def.deleteBatch(name, { network: current }));
    },
    async list(def) {
      return def.list({ network: await store.read('network') }) as Array<Record<string, unknown>>;
    },
  };
}

/** The sections of a config text that carry `option sdewan_kind`, as text blocks. */
export function ownedBlocks(text: string): string[] {
  return text.split(/\n(?=config )/).map((b) => b.trim()).filter((b) => b.includes("option sdewan_kind '"));
}
