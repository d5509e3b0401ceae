import { readFileSync } from 'node:fs';
import { parseUci } from '../../src/uci/index.js';
import type { Snapshot } from '../../src/resources/types.js';
import type { UciPackage, UciSection, UciValue } from '../../src/uci/types.js';

/** A section built by hand: anonymous unless a name is given. */
export function section(type: string, options: Array<[string, UciValue]>, name?: string): UciSection {
  return { type, name: name ?? `cfg${type}`, anonymous: name === undefined, options: new Map(options) };
}

export const pkg = (name: string, sections: UciSection[]): UciPackage => ({ name, sections });

/** test/reference/openwrt/firewall.default as the project's UCI parser reads it (a fresh copy each call). */
export const stockFirewall = (): UciPackage => parseUci(readFileSync('test/reference/openwrt/firewall.default'), 'firewall');

/** A network config with the stock interfaces and the CNF's. */
export function networkPackage(): UciPackage {
  return pkg('network', ['loopback', 'lan', 'wan', 'wan6', 'lan0', 'wan0', 'ovn_net1', 'ovn_net2'].map((n) => section('interface', [['proto', 'static']], n)).concat([
    section('device', [['name', 'br-lan']]),
    section('globals', [['ula_prefix', 'fd00::/48']], 'globals'),
  ]));
}

export const stockSnapshot = (firewall: UciPackage = stockFirewall()): Snapshot => ({ firewall, network: networkPackage() });
