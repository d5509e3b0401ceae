import type { HostFacts } from '../../src/host/facts.js';

/** A box with a default route on eth0, a CNF network device net1 and ICN's sample devices. */
export const HOST: HostFacts = {
  devices: [
    { name: 'eth0', up: true, addresses: ['10.10.10.2/24', 'fd00::2/64'] },
    { name: 'iface1', up: true, addresses: [] },
    { name: 'iface2', up: true, addresses: [] },
    { name: 'lo', up: true, addresses: ['127.0.0.1/8'] },
    { name: 'net1', up: true, addresses: ['192.168.100.5/24'] },
  ],
  defaultDevice: 'eth0',
};

/** A firewall config with one zone and a hand-written nat and rule of the firewall collections' own. */
export const BASE = `config defaults
\toption input 'REJECT'
\toption output 'ACCEPT'
\toption forward 'REJECT'

config zone
\toption name 'wan'
\tlist network 'wan'
\toption input 'REJECT'

config nat
\toption name 'hand-masq'
\toption src 'wan'
\toption target 'MASQUERADE'

config rule
\toption name 'Allow-Ping'
\toption src 'wan'
\toption proto 'icmp'
\toption target 'ACCEPT'
`;
