// The network view (src/status/networks.ts) on the stock fixtures and on a pod as the
// bootstrap leaves it: devices, kernel state, OVN network, and what uses each interface.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/host/facts.js';
import { networkInterfaceView, networkInterfaceViews, type NetworkPackages } from '../../src/status/networks.js';
import { parseUci } from '../../src/uci/parser.js';

const fixture = (name: string) => parseUci(readFileSync(new URL(`../../uci-fixtures/${name}`, import.meta.url), 'utf8'), name);
const stock = (): NetworkPackages => ({ network: fixture('network'), mwan3: fixture('mwan3'), firewall: fixture('firewall'), ipsec: fixture('ipsec') });

const facts: HostFacts = {
  devices: [
    { name: 'lo', up: true, addresses: ['127.0.0.1/8', '::1/128'] },
    { name: 'eth1', up: true, addresses: ['10.0.2.15/24', 'fe80::5054:ff:fe12:3401/64'] },
    { name: 'eth2', up: false, addresses: [] },
  ],
  defaultDevice: 'eth1',
};

describe('the network view of the stock fixtures', () => {
  const views = networkInterfaceViews(stock(), facts);

  it('lists every interface section in file order, and nothing else (devices, globals)', () => {
    expect(views.map((v) => v.name)).toEqual(['loopback', 'lan', 'wan', 'wanb']);
  });

  it('gives the device, the kernel state and addresses, and the default route', () => {
    const byName = Object.fromEntries(views.map((v) => [v.name, v]));
    expect(byName['loopback']).toMatchObject({ proto: 'static', device: 'lo', state: 'up', addresses: ['127.0.0.1/8', '::1/128'], default_route: [] });
    expect(byName['lan']).toMatchObject({ device: 'br-lan', state: 'absent', addresses: [] });
    expect(byName['wan']).toMatchObject({ proto: 'dhcp', device: 'eth1', state: 'up', addresses: ['10.0.2.15/24', 'fe80::5054:ff:fe12:3401/64'], default_route: ['ipv4'] });
    expect(byName['wanb']).toMatchObject({ device: 'eth2', state: 'down', default_route: [] });
    for (const v of views) expect(v).not.toHaveProperty('network');
  });

  it('says what uses each interface: mwan3 interface and policies, firewall zones', () => {
    const uses = Object.fromEntries(views.map((v) => [v.name, v.used_by]));
    expect(uses['wan']).toEqual({ mwan3_interface: true, mwan3_policies: ['balanced', 'wan_wanb'], firewall_zones: ['wan'], wireguard_tunnels: [], ipsec: false });
    expect(uses['wanb']).toEqual({ mwan3_interface: true, mwan3_policies: ['balanced', 'wan_wanb'], firewall_zones: ['wan'], wireguard_tunnels: [], ipsec: false });
    expect(uses['lan']).toEqual({ mwan3_interface: false, mwan3_policies: [], firewall_zones: ['lan'], wireguard_tunnels: [], ipsec: false });
    expect(uses['loopback']).toEqual({ mwan3_interface: false, mwan3_policies: [], firewall_zones: [], wireguard_tunnels: [], ipsec: false });
  });

  it('finds one by name, and nothing for a name it does not have', () => {
    expect(networkInterfaceView(stock(), facts, 'wan')).toEqual(views[2]);
    expect(networkInterfaceView(stock(), facts, 'eth1')).toBeUndefined();
    expect(networkInterfaceView({ network: undefined, mwan3: undefined, firewall: undefined, ipsec: undefined }, facts, 'wan')).toBeUndefined();
  });
});

describe('the network view of a pod the bootstrap configured', () => {
  const pkgs: NetworkPackages = {
    network: parseUci(
      `config interface 'net0'
	option device 'net0'
	option proto 'static'
	option ipaddr '10.10.1.5'
	option netmask '255.255.255.0'
	option sdewan_network 'ovn-net1'

config interface 'ovn_net2'
	option api_name 'ovn-net2'
	option ifname 'net1'
	option proto 'static'
	option sdewan_network 'ovn-net2'

config interface 'wg0'
	option proto 'wireguard'
	option sdewan_kind 'wireguard'
	option private_key 'KEY-NOT-SHOWN'
	option tunlink 'net0'
	list addresses '10.99.0.1/24'

config interface 'oldlan'
	option type 'bridge'
	option ifname 'eth5 eth6'
	option proto 'none'

config interface 'nodev'
	option proto 'none'
`,
      'network',
    ),
    mwan3: parseUci(
      `config interface 'net0'
	option enabled '1'

config member 'net0_m1'
	option interface 'net0'
	option metric '1'

config member 'ovn_net2_m1'
	option interface 'ovn_net2'

config policy 'balance_ab'
	option api_name 'balance-ab'
	list use_member 'net0_m1'
	list use_member 'ovn_net2_m1'

config policy 'only_b'
	list use_member 'ovn_net2_m1'
`,
      'mwan3',
    ),
    firewall: parseUci(
      `config zone
	option name 'pods'
	option network 'net0 ovn_net2'

config zone
	option name 'tunnels'
	list network 'wg0'
`,
      'firewall',
    ),
    ipsec: parseUci(
      `config ipsec 'globals'
	list interface 'net0'
`,
      'ipsec',
    ),
  };
  const host: HostFacts = {
    devices: [
      { name: 'net0', up: true, addresses: ['10.10.1.5/24'] },
      { name: 'net1', up: true, addresses: ['fd00:2::5/64'] },
      { name: 'wg0', up: true, addresses: ['10.99.0.1/24'] },
      { name: 'br-oldlan', up: false, addresses: [] },
    ],
    defaultDevice: 'net0',
    defaultDevice6: 'net1',
  };
  const views = networkInterfaceViews(pkgs, host);
  const byName = Object.fromEntries(views.map((v) => [v.name, v]));

  it('names interfaces by their API names and gives the OVN network they came from', () => {
    expect(views.map((v) => v.name)).toEqual(['net0', 'ovn-net2', 'wg0', 'oldlan', 'nodev']);
    expect(byName['net0']).toMatchObject({ device: 'net0', network: 'ovn-net1', state: 'up', default_route: ['ipv4'] });
    expect(byName['ovn-net2']).toMatchObject({ device: 'net1', network: 'ovn-net2', addresses: ['fd00:2::5/64'], default_route: ['ipv6'] });
    expect(networkInterfaceView(pkgs, host, 'ovn-net2')).toEqual(byName['ovn-net2']);
    expect(networkInterfaceView(pkgs, host, 'ovn_net2')).toEqual(byName['ovn-net2']);
  });

  it('resolves the device of a tunnel, an older bridge and an interface without one', () => {
    expect(byName['wg0']).toMatchObject({ proto: 'wireguard', device: 'wg0', state: 'up', addresses: ['10.99.0.1/24'] });
    expect(byName['oldlan']).toMatchObject({ device: 'br-oldlan', state: 'down' });
    expect(byName['nodev']).toEqual({
      name: 'nodev',
      proto: 'none',
      state: 'absent',
      addresses: [],
      default_route: [],
      used_by: { mwan3_interface: false, mwan3_policies: [], firewall_zones: [], wireguard_tunnels: [], ipsec: false },
    });
  });

  it('links policies through their members, zones through a space-separated option, tunnels and IPsec', () => {
    expect(byName['net0']!.used_by).toEqual({ mwan3_interface: true, mwan3_policies: ['balance-ab'], firewall_zones: ['pods'], wireguard_tunnels: ['wg0'], ipsec: true });
    expect(byName['ovn-net2']!.used_by).toEqual({ mwan3_interface: false, mwan3_policies: ['balance-ab', 'only_b'], firewall_zones: ['pods'], wireguard_tunnels: [], ipsec: false });
    expect(byName['wg0']!.used_by).toMatchObject({ firewall_zones: ['tunnels'], mwan3_policies: [] });
  });

  it('shows no secret of a WireGuard interface', () => {
    expect(JSON.stringify(views)).not.toContain('KEY-NOT-SHOWN');
  });
});
