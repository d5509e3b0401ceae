import { optionList } from '../resources/fields.js';
import { findNamed } from '../resources/names.js';
import { POLICY_KIND_OPTION, SLA_KIND } from '../resources/mwan3/common.js';
import type { Mwan3SlaPolicy } from '../resources/mwan3/slapolicies.js';
import type { SlaField, SlaMemberStatus, SlaPolicyStatus, TrackIpMeasure } from '../resources/mwan3/sla-status.js';
import type { UciPackage } from '../uci/types.js';

/**
 * SLA policy status, pure translation (the I/O is in src/status/mwan3-source.ts).
 *
 * mwan3's status (`ubus call mwan3 status`, its rpcd plugin) carries per interface `status`
 * (online, offline, ...), `turn` (the tracking rounds done) and per track_ip `status`
 * (up, down, skipped), `latency` (ms, the integer average round trip of the last round) and
 * `packetloss` (%); latency and loss are written by mwan3track only with `check_quality`.
 * mwan3 keeps no history and measures no jitter: the agent keeps the last SAMPLE_DEPTH
 * measurements per interface and track_ip, one per tracking round (a read that sees the same
 * `turn` adds nothing), and computes jitter as the mean absolute difference of successive
 * latencies (RFC 3550's variation, unsmoothed, over that window). A track_ip that mwan3
 * skipped in a round (enough others were up) or that has not been measured adds nothing.
 *
 * `policies.<family>.<policy>` lists the interfaces mwan3 currently sends the policy's traffic
 * to (read from its iptables rules): a member is `in_use` when its interface is online and
 * listed there.
 */
export const SAMPLE_DEPTH = 16;
/** At most this many (interface, track_ip) series are kept; those mwan3 stops reporting are dropped. */
export const SERIES_MAX = 256;
/** mwan3track's latency of a round where every ping was lost. */
const LOST_LATENCY = 999999;

export interface Sample {
  turn: number;
  latency: number;
  loss: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** The bounded measurement history, filled from each mwan3 status read. */
export class SlaHistory {
  private readonly series = new Map<string, Sample[]>();

  constructor(
    readonly depth = SAMPLE_DEPTH,
    readonly maxSeries = SERIES_MAX,
  ) {}

  private static key = (iface: string, ip: string) => `${iface}\u0000${ip}`;

  /** Takes the measurements of one `ubus call mwan3 status` answer. */
  record(status: Json): void {
    const rounds: Array<[string, Sample]> = [];
    const seen = new Set<string>();
    const interfaces = isObject(status['interfaces']) ? status['interfaces'] : {};
    for (const [iface, raw] of Object.entries(interfaces)) {
      if (!isObject(raw)) continue;
      const turn = num(raw['turn']);
      for (const t of Array.isArray(raw['track_ip']) ? raw['track_ip'] : []) {
        if (!isObject(t) || typeof t['ip'] !== 'string') continue;
        const key = SlaHistory.key(iface, t['ip']);
        seen.add(key);
        const latency = num(t['latency']);
        const loss = num(t['packetloss']);
        if (turn === undefined || turn === 0 || latency === undefined || loss === undefined) continue;
        if (t['status'] === 'up' || t['status'] === 'down') rounds.push([key, { turn, latency, loss }]);
      }
    }
    for (const key of this.series.keys()) if (!seen.has(key)) this.series.delete(key);
    for (const [key, sample] of rounds) {
      let samples = this.series.get(key);
      if (!samples) {
        if (this.series.size >= this.maxSeries) continue;
        this.series.set(key, (samples = []));
      }
      if (samples.at(-1)?.turn === sample.turn) continue;
      samples.push(sample);
      if (samples.length > this.depth) samples.splice(0, samples.length - this.depth);
    }
  }

  samples(iface: string, ip: string): readonly Sample[] {
    return this.series.get(SlaHistory.key(iface, ip)) ?? [];
  }

  get size(): number {
    return this.series.size;
  }
}

/** The mean absolute difference of successive latencies of measured rounds (undefined under two). */
export function jitterOf(samples: readonly Sample[]): number | undefined {
  const latencies = samples.filter((s) => s.latency < LOST_LATENCY).map((s) => s.latency);
  if (latencies.length < 2) return undefined;
  let sum = 0;
  for (let i = 1; i < latencies.length; i++) sum += Math.abs(latencies[i]! - latencies[i - 1]!);
  return Math.round((sum / (latencies.length - 1)) * 10) / 10;
}

const worst = (values: Array<number | null>): number | null => values.reduce<number | null>((w, v) => (v === null ? w : w === null ? v : Math.max(w, v)), null);

/** The interfaces (section names) mwan3 uses for `policySection` now, either family. */
function activeInterfaces(live: Json | undefined, policySection: string): Set<string> {
  const out = new Set<string>();
  const policies = isObject(live?.['policies']) ? (live['policies'] as Json) : {};
  for (const family of ['ipv4', 'ipv6']) {
    const byName = isObject(policies[family]) ? (policies[family] as Json) : {};
    const members = byName[policySection];
    for (const m of Array.isArray(members) ? members : []) if (isObject(m) && typeof m['interface'] === 'string') out.add(m['interface']);
  }
  return out;
}

/**
 * The status of the SLA policy `policy` (as listed), from the mwan3 config `pkg`, mwan3's
 * live status (`live`, undefined when unavailable) and the history.
 */
export function slaPolicyStatus(policy: Mwan3SlaPolicy, pkg: UciPackage, live: Json | undefined, history: SlaHistory): SlaPolicyStatus {
  const section = findNamed(pkg, 'policy', policy.name)?.name ?? policy.name;
  const active = activeInterfaces(live, section);
  const liveIfaces = isObject(live?.['interfaces']) ? (live['interfaces'] as Json) : {};
  const bounds: Array<[SlaField, number]> = [
    ['latency_ms', Number(policy.sla.latency_ms)],
    ['loss_percent', Number(policy.sla.loss_percent)],
    ...(policy.sla.jitter_ms !== undefined ? [['jitter_ms', Number(policy.sla.jitter_ms)] as [SlaField, number]] : []),
  ];
  const members = policy.members.map((m): SlaMemberStatus => {
    const ifSection = findNamed(pkg, 'interface', m.interface);
    const name = ifSection?.name ?? m.interface;
    const state = isObject(liveIfaces[name]) ? (liveIfaces[name] as Json) : undefined;
    const liveTrack = new Map<string, Json>();
    for (const t of Array.isArray(state?.['track_ip']) ? (state['track_ip'] as unknown[]) : []) if (isObject(t) && typeof t['ip'] === 'string') liveTrack.set(t['ip'], t);
    const ips = ifSection ? optionList(ifSection, 'track_ip') : [...liveTrack.keys()];
    const track_ip = ips.map((ip): TrackIpMeasure => {
      const samples = history.samples(name, ip);
      const last = samples.at(-1);
      const lost = last !== undefined && last.latency >= LOST_LATENCY;
      return {
        ip,
        status: typeof liveTrack.get(ip)?.['status'] === 'string' ? (liveTrack.get(ip)!['status'] as string) : 'unknown',
        latency_ms: last === undefined || lost ? null : last.latency,
        jitter_ms: jitterOf(samples) ?? null,
        loss_percent: last?.loss ?? null,
        samples: samples.length,
      };
    });
    const measured = { latency_ms: worst(track_ip.map((t) => t.latency_ms)), jitter_ms: worst(track_ip.map((t) => t.jitter_ms)), loss_percent: worst(track_ip.map((t) => t.loss_percent)) };
    const anyMeasure = track_ip.some((t) => t.samples > 0);
    // a round with every ping lost has no latency, and breaks a latency bound
    const allLost = anyMeasure && track_ip.every((t) => t.samples === 0 || t.latency_ms === null);
    const breaches = bounds
      .filter(([field, bound]) => (field === 'latency_ms' && allLost) || (measured[field] !== null && measured[field]! > bound))
      .map(([field]) => field);
    const mwan3Status = typeof state?.['status'] === 'string' ? (state['status'] as string) : 'unknown';
    const online = mwan3Status === 'online';
    return {
      interface: m.interface,
      ...(m.metric !== undefined ? { metric: m.metric } : {}),
      ...(m.weight !== undefined ? { weight: m.weight } : {}),
      mwan3_status: mwan3Status,
      online,
      in_use: online && active.has(name),
      ...measured,
      meets_sla: anyMeasure ? breaches.length === 0 : null,
      breaches,
      track_ip,
    };
  });
  return { name: policy.name, sla: policy.sla, source: live ? 'ubus' : 'none', members };
}

/** The SLA policies' sections in a mwan3 config (the poller samples only while there are some). */
export const hasSlaPolicies = (pkg: UciPackage | undefined) => (pkg?.sections ?? []).some((s) => s.type === 'policy' && s.options.get(POLICY_KIND_OPTION) === SLA_KIND);
