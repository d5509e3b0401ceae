/**
 * The `interface` status module, pure translation of `ip -j -s addr show`.
 *
 * The Lua plugin (ICN's modules/interface.lua) parsed busybox `ifconfig`; this keeps its
 * keys and value types, one object per device except `lo`:
 *
 *   name              "net0"
 *   ip_address        ["10.10.10.89", ...]    IPv4 addresses, no prefix (ifconfig's `inet addr:`)
 *   ip6_address       ["fd00:10::89/64", ...] IPv6 addresses with prefix (`inet6 addr:`)
 *   mac_address       "5A:8A:E3:97:92:D0"     upper case as busybox prints HWaddr; only for
 *                                             links with an Ethernet-style address
 *   received_packets  "3"                     strings, as ifconfig's RX/TX packets
 *   send_packets      "4"
 *   status            "UP" | "DOWN"           the administrative UP flag
 *
 * A key whose value the device does not have is left out, as the Lua code did. Unlike
 * `ifconfig` without `-a`, devices that are down are listed too (status "DOWN"), and every
 * IPv4 address is listed, not only the first.
 */
export interface InterfaceStatus {
  name: string;
  ip_address?: string[];
  ip6_address?: string[];
  mac_address?: string;
  received_packets?: string;
  send_packets?: string;
  status: 'UP' | 'DOWN';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON array an `ip -j` command printed; throws a message saying what is wrong. */
export function parseIpJson(text: string, what: string): Json[] {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === '' ? '[]' : text);
  } catch (err) {
    throw new Error(`${what}: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(value)) throw new Error(`${what}: not a JSON array`);
  return value.filter(isObject);
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function packets(stats: unknown, dir: 'rx' | 'tx'): string | undefined {
  if (!isObject(stats)) return undefined;
  const side = stats[dir];
  if (!isObject(side)) return undefined;
  const n = side['packets'];
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : undefined;
}

function interfaceOf(link: Json): InterfaceStatus | undefined {
  const name = link['ifname'];
  if (typeof name !== 'string' || name === 'lo') return undefined;
  const flags = Array.isArray(link['flags']) ? link['flags'] : [];
  const v4: string[] = [];
  const v6: string[] = [];
  for (const a of Array.isArray(link['addr_info']) ? link['addr_info'] : []) {
    if (!isObject(a) || typeof a['local'] !== 'string') continue;
    if (a['family'] === 'inet') v4.push(a['local']);
    else if (a['family'] === 'inet6') v6.push(typeof a['prefixlen'] === 'number' ? `${a['local']}/${a['prefixlen']}` : a['local']);
  }
  const out: Omit<InterfaceStatus, 'status'> = { name };
  if (v4.length) out.ip_address = v4;
  if (v6.length) out.ip6_address = v6;
  const mac = link['address'];
  if (link['link_type'] === 'ether' && typeof mac === 'string' && MAC.test(mac)) out.mac_address = mac.toUpperCase();
  const rx = packets(link['stats64'] ?? link['stats'], 'rx');
  const tx = packets(link['stats64'] ?? link['stats'], 'tx');
  if (rx !== undefined) out.received_packets = rx;
  if (tx !== undefined) out.send_packets = tx;
  return { ...out, status: flags.includes('UP') ? 'UP' : 'DOWN' };
}

/** One entry per device of `ip -j -s addr show`, in the kernel's order, `lo` left out. */
export function interfaceStatus(ipAddrJson: string): InterfaceStatus[] {
  return parseIpJson(ipAddrJson, 'ip -j -s addr show').flatMap((link) => interfaceOf(link) ?? []);
}
