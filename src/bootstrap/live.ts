// What the pod really has: its devices, their addresses and default routes, read from the
// kernel of the current network namespace without running a program (OpenWRT's busybox `ip`
// has no JSON output): /sys/class/net for presence, os.networkInterfaces() for addresses,
// /proc/net/route and /proc/net/ipv6_route for default gateways.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LiveAddress, LiveDevice } from './plan.js';

export interface LiveSources {
  /** Default /sys/class/net. */
  sysClassNet?: string;
  /** Default /proc/net. */
  procNet?: string;
  /** Default os.networkInterfaces. */
  interfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

/** Little-endian hex IPv4 as /proc/net/route writes it ("0100000A" is 10.0.0.1). */
function hexToIpv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [0, 8, 16, 24].map((shift) => (n >>> shift) & 0xff).join('.');
}

function hexToIpv6(hex: string): string {
  const groups = hex.match(/.{4}/g) ?? [];
  // Shortest form, as `ip` prints it: the longest run of zero groups becomes "::".
  const parts = groups.map((g) => parseInt(g, 16).toString(16));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < parts.length && parts[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at === -1) return parts.join(':');
  return `${parts.slice(0, best.at).join(':')}::${parts.slice(best.at + best.len).join(':')}`;
}

/** IPv4 default gateways by device, from the text of /proc/net/route (first one wins). */
export function defaultGateways4(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gateway, flags, , , , mask] = f as [string, string, string, string, string, string, string, string];
    const isGatewayRoute = (parseInt(flags, 16) & 0x2) !== 0;
    if (dest === '00000000' && mask === '00000000' && isGatewayRoute && !out.has(iface)) out.set(iface, hexToIpv4(gateway));
  }
  return out;
}

/** IPv6 default gateways by device, from the text of /proc/net/ipv6_route. */
export function defaultGateways6(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const zero = '0'.repeat(32);
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, destLen, , , nexthop] = f as [string, string, string, string, string];
    const iface = f[9]!;
    if (dest === zero && destLen === '00' && nexthop !== zero && !out.has(iface)) out.set(iface, hexToIpv6(nexthop));
  }
  return out;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

const isLinkLocal6 = (a: string) => /^fe[89ab][0-9a-f]:/i.test(a);

/** The devices of `names` that are in the pod, with their addresses and gateways. */
export function readLiveDevices(names: readonly string[], sources: LiveSources = {}): Map<string, LiveDevice> {
  const sysClassNet = sources.sysClassNet ?? '/sys/class/net';
  const procNet = sources.procNet ?? '/proc/net';
  const interfaces = (sources.interfaces ?? os.networkInterfaces)();
  const gw4 = defaultGateways4(readText(path.join(procNet, 'route')));
  const gw6 = defaultGateways6(readText(path.join(procNet, 'ipv6_route')));

  const out = new Map<string, LiveDevice>();
  for (const name of names) {
    const infos = interfaces[name];
    if (!infos && !existsSync(path.join(sysClassNet, name))) continue;
    const addresses: LiveAddress[] = [];
    for (const info of infos ?? []) {
      const family = info.family === 'IPv4' ? 'ipv4' : 'ipv6';
      if (family === 'ipv6' && isLinkLocal6(info.address)) continue;
      const prefix = Number(info.cidr?.split('/')[1] ?? (family === 'ipv4' ? 32 : 128));
      addresses.push({ address: info.address, prefix, family });
    }
    const dev: LiveDevice = { addresses };
    const g4 = gw4.get(name);
    const g6 = gw6.get(name);
    if (g4 !== undefined) dev.gateway4 = g4;
    if (g6 !== undefined) dev.gateway6 = g6;
    out.set(name, dev);
  }
  return out;
}
