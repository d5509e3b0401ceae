import { slaPolicies, type Mwan3SlaPolicy } from '../resources/mwan3/slapolicies.js';
import type { SlaField } from '../resources/mwan3/sla-status.js';
import type { UciPackage } from '../uci/types.js';
import type { Mwan3Source } from './mwan3-source.js';
import { hasSlaPolicies, slaPolicyStatus } from './sla.js';

/** The poll period unless SDEWAN_SLA_POLL_MS says otherwise: mwan3track's default interval. */
export const SLA_POLL_DEFAULT_MS = 10_000;
/** Never more often: each poll is one `ubus` process. */
export const SLA_POLL_MIN_MS = 2_000;

/** SDEWAN_SLA_POLL_MS as a period: the default when unset or bad, at least SLA_POLL_MIN_MS; 0 turns polling off. */
export function slaPollMsOf(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['SDEWAN_SLA_POLL_MS'];
  if (raw === undefined || raw === '' || !/^\d+$/.test(raw)) return SLA_POLL_DEFAULT_MS;
  const ms = Number(raw);
  return ms === 0 ? 0 : Math.max(ms, SLA_POLL_MIN_MS);
}

export interface SlaBreachChange {
  policy: string;
  interface: string;
  breaches: readonly SlaField[];
  previous: readonly SlaField[];
}

/** The members whose breaches differ from `last` (updated in place; members gone are forgotten). */
export function breachChanges(last: Map<string, readonly SlaField[]>, config: UciPackage, status: Record<string, unknown>, source: Pick<Mwan3Source, 'history'>): SlaBreachChange[] {
  const changes: SlaBreachChange[] = [];
  const seen = new Set<string>();
  for (const policy of slaPolicies.list({ mwan3: config }) as Mwan3SlaPolicy[]) {
    for (const m of slaPolicyStatus(policy, config, status, source.history).members) {
      const key = `${policy.name}\u0000${m.interface}`;
      seen.add(key);
      const previous = last.get(key) ?? [];
      if (previous.join() !== m.breaches.join()) changes.push({ policy: policy.name, interface: m.interface, breaches: m.breaches, previous });
      last.set(key, m.breaches);
    }
  }
  for (const key of last.keys()) if (!seen.has(key)) last.delete(key);
  return changes;
}

export interface SlaPoller {
  stop(): void;
}

/**
 * While the mwan3 config holds SLA policies, reads mwan3's status every `periodMs` so that the
 * SLA history (jitter) has one sample per tracking round even when nobody asks; without SLA
 * policies a tick only reads the config (cached on the file's identity: no process). One poll
 * at a time; the timer does not keep the process alive.
 *
 * `onBreach` is THE hook for whatever reports SLA breaches (an event bus, metrics): after each
 * read, it is called for each member whose broken bounds changed since the last poll (a
 * breach begins, changes or ends; `breaches` empty means it meets the SLA again).
 */
export function startSlaPoller(opts: {
  periodMs: number;
  source: Mwan3Source;
  readConfig: () => Promise<UciPackage>;
  onBreach?: (change: SlaBreachChange) => void;
  onError?: (err: unknown) => void;
}): SlaPoller {
  if (opts.periodMs <= 0) return { stop: () => undefined };
  let busy = false;
  const last = new Map<string, readonly SlaField[]>();
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const config = await opts.readConfig();
      if (!hasSlaPolicies(config)) return;
      const status = await opts.source.read();
      if (status && opts.onBreach) for (const change of breachChanges(last, config, status, opts.source)) opts.onBreach(change);
    } catch (err) {
      opts.onError?.(err);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.periodMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
