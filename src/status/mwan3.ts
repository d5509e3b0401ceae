import type { UciPackage } from '../uci/types.js';

/**
 * mwan3 status, pure translation.
 *
 * Live source: `ubus call mwan3 status` (mwan3's rpcd plugin), which answers `interfaces`,
 * `connected` and `policies`. The legacy LuCI route `admin/status/mwan/interface_status`
 * answered that object; the controller reads only the fields kept in LegacyMwan3Status.
 * Without ubus the interfaces come from the mwan3 config, with status `unknown`.
 */

export interface LegacyTrackIp {
  status: string;
  latency: number;
  packetloss: number;
  ip: string;
}

export interface LegacyInterfaceStatus {
  running: boolean;
  score: number;
  lost: number;
  status: string;
  age: number;
  turn: number;
  track_ip: LegacyTrackIp[];
}

export interface LegacyMwan3Status {
  interfaces: Record<string, LegacyInterfaceStatus>;
  connected: { ipv4: string[]; ipv6: string[] };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function toInt(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Math.trunc(Number(v));
  return 0;
}

function toBool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

function toStr(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
}

function toStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A map with no inherited keys: interface names come from the box, not from us. */
function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The ubus answer as an object, or an error saying what is wrong with it. */
export function parseUbusStatus(stdout: string): Json {
  const data: unknown = JSON.parse(stdout);
  if (!isObject(data)) throw new Error('ubus mwan3 status: not a JSON object');
  return data;
}

/** `ubus call mwan3 status` → the legacy interface_status shape (unknown fields dropped, types coerced). */
export function fromUbusStatus(status: Json): LegacyMwan3Status {
  const interfaces = emptyRecord<LegacyInterfaceStatus>();
  const src = isObject(status['interfaces']) ? status['interfaces'] : {};
  for (const [name, raw] of Object.entries(src)) {
    const iface = isObject(raw) ? raw : {};
    interfaces[name] = {
      running: toBool(iface['running']),
      score: toInt(iface['score']),
      lost: toInt(iface['lost']),
      status: toStr(iface['status'], 'unknown'),
      age: toInt(iface['age']),
      turn: toInt(iface['turn']),
      track_ip: (Array.isArray(iface['track_ip']) ? iface['track_ip'] : []).filter(isObject).map((t) => ({
        status: toStr(t['status'], 'unknown'),
        latency: toInt(t['latency']),
        packetloss: toInt(t['packetloss']),
        ip: toStr(t['ip'], ''),
      })),
    };
  }
  const connected = isObject(status['connected']) ? status['connected'] : {};
  return { interfaces, connected: { ipv4: toStrings(connected['ipv4']), ipv6: toStrings(connected['ipv6']) } };
}

/** Without a live source: every `config interface` of mwan3, status unknown, its track_ip list. */
export function fromMwan3Config(pkg: UciPackage): LegacyMwan3Status {
  const interfaces = emptyRecord<LegacyInterfaceStatus>();
  for (const section of pkg.sections) {
    if (section.type !== 'interface') continue;
    const track = section.options.get('track_ip');
    const ips = Array.isArray(track) ? track : typeof track === 'string' ? track.split(/\s+/).filter(Boolean) : [];
    interfaces[section.name] = {
      running: false,
      score: 0,
      lost: 0,
      status: 'unknown',
      age: 0,
      turn: 0,
      track_ip: ips.map((ip) => ({ status: 'unknown', latency: 0, packetloss: 0, ip })),
    };
  }
  return { interfaces, connected: { ipv4: [], ipv6: [] } };
}

/** Seconds as mwan3 prints durations: `01h:02m:03s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}h:${pad(Math.floor((s % 3600) / 60))}m:${pad(s % 60)}s`;
}

/**
 * A text report in the layout of `mwan3 status` (interfaces, policies, connected networks),
 * built from the ubus answer, or from the config fallback when `status` is the legacy shape.
 * The iptables rule counters of the real command have no ubus source and are left out.
 */
export function detailedStatusText(status: Json | LegacyMwan3Status): string {
  const lines: string[] = ['Interface status:'];
  const ifaces = isObject(status.interfaces) ? status.interfaces : {};
  for (const [name, raw] of Object.entries(ifaces)) {
    const iface: Json = isObject(raw) ? raw : {};
    const state = toStr(iface['status'], 'unknown');
    const tracking = typeof iface['tracking'] === 'string' ? iface['tracking'] : 'unknown';
    const since = state === 'online' && iface['online'] !== undefined
      ? ` ${formatDuration(toInt(iface['online']))}, uptime ${formatDuration(toInt(iface['uptime']))}`
      : '';
    lines.push(` interface ${name} is ${state}${since} and tracking is ${tracking}`);
  }
  lines.push('');

  const policies = isObject((status as Json)['policies']) ? ((status as Json)['policies'] as Json) : {};
  for (const family of ['ipv4', 'ipv6']) {
    lines.push(`Current ${family} policies:`);
    const byName = isObject(policies[family]) ? (policies[family] as Json) : {};
    for (const [policy, members] of Object.entries(byName)) {
      lines.push(`${policy}:`);
      for (const m of Array.isArray(members) ? members.filter(isObject) : []) {
        lines.push(` ${toStr(m['interface'], '?')} (${toInt(m['percent'])}%)`);
      }
    }
    lines.push('');
  }

  const connected = isObject(status.connected) ? (status.connected as Json) : {};
  for (const family of ['ipv4', 'ipv6']) {
    lines.push(`Directly connected ${family} networks:`);
    for (const net of toStrings(connected[family])) lines.push(` ${net}`);
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
