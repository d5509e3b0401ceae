import { readdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/**
 * What the box's kernel says about its network devices, as the resource definitions need it
 * to resolve ICN's device references (`#default`, `#<ip>`, a device name) and to refuse a
 * device that does not exist. Read without starting a process: os.networkInterfaces() for
 * the addresses, /sys/class/net for the devices and their state, /proc/net/route and
 * /proc/net/ipv6_route for the default routes. Definitions receive a HostFacts value and stay
 * pure; tests give one of their own.
 */
export interface HostDevice {
  readonly name: string;
  /** operstate up (or unknown, as a loopback or a tun device reports it). */
  readonly up: boolean;
  /** Addresses with their prefix, e.g. `10.10.10.89/24`, `fd00::1/64`. */
  readonly addresses: readonly string[];
}

export interface HostFacts {
  readonly devices: readonly HostDevice[];
  /** The device of the IPv4 default route of the main table, if any. */
  readonly defaultDevice?: string;
  /** The device of the IPv6 default route of the main table, if any. */
  readonly defaultDevice6?: string;
}

/** Where the agent reads host facts; a test gives a fake. */
export interface HostView {
  facts(): Promise<HostFacts>;
}

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The device of the first default route in /proc/net/route (destination and mask 0). */
export function defaultDeviceFromProcRoute(text: string): string | undefined {
  for (const line of text.split('\n').slice(1)) {
    const [dev, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (dev && dest === '00000000' && mask === '00000000') return dev;
  }
  return undefined;
}

/** The device of the first ::/0 route in /proc/net/ipv6_route that is not unreachable (lo). */
export function defaultDeviceFromProcIpv6Route(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, plen] = f;
    const dev = f[9];
    if (dest === '0'.repeat(32) && plen === '00' && dev && dev !== 'lo') return dev;
  }
  return undefined;
}

/** Host facts read from this machine's kernel (the current network namespace). */
export function readHostFacts(sysfs = '/sys/class/net', proc = '/proc/net'): HostFacts {
  const addrs = networkInterfaces();
  let names: string[];
  try {
    names = readdirSync(sysfs);
  } catch {
    names = Object.keys(addrs);
  }
  const devices = [...new Set([...names, ...Object.keys(addrs)])].sort().map((name): HostDevice => {
    const state = readText(`${sysfs}/${name}/operstate`)?.trim();
    return {
      name,
      up: state === undefined || state === 'up' || state === 'unknown',
      addresses: (addrs[name] ?? []).map((a) => a.cidr ?? a.address),
    };
  });
  const defaultDevice = defaultDeviceFromProcRoute(readText(`${proc}/route`) ?? '');
  const defaultDevice6 = defaultDeviceFromProcIpv6Route(readText(`${proc}/ipv6_route`) ?? '');
  return { devices, ...(defaultDevice ? { defaultDevice } : {}), ...(defaultDevice6 ? { defaultDevice6 } : {}) };
}

export const kernelHostView: HostView = { facts: async () => readHostFacts() };
