import { DEFAULT_VICI_URI, ViciError, ViciFormatError, viciListSas } from '../ipsec/vici.js';
import { listIkeSas } from './ike-sas.js';
import { ikeSasFromEvents, type IkeSa } from './ike-sas.js';
import { shareInFlight } from './kernel-modules.js';
import { fromUbusStatus, parseUbusStatus, type LegacyMwan3Status } from './mwan3.js';
import { ubusMwan3Status } from './ubus.js';

export interface LiveStatusOptions {
  ubusBin: string;
  swanctlBin: string;
  viciUri: string | undefined;
  timeoutMs: number;
}

/** Why a live reading is missing. */
export type Reading<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The box's live state for the event stream and the metrics, each read shared by concurrent
 * callers (a scrape and a poll at the same moment start one `ubus`):
 * - `wan`: `ubus call mwan3 status` (a process);
 * - `ikeSas`: charon's SAs over vici, else `swanctl --list-sas` (a process);
 * - `viciSas`: over vici only (a socket, never a process: what a scrape reads).
 */
export interface LiveStatus {
  wan(): Promise<Reading<LegacyMwan3Status>>;
  ikeSas(): Promise<Reading<IkeSa[]>>;
  viciSas(): Promise<Reading<IkeSa[]>>;
}

export function liveStatus(opts: LiveStatusOptions): LiveStatus {
  const wan = shareInFlight(async (): Promise<Reading<LegacyMwan3Status>> => {
    const out = await ubusMwan3Status({ ubusBin: opts.ubusBin, timeoutMs: opts.timeoutMs });
    if (!out.ok) return { ok: false, reason: out.reason };
    try {
      return { ok: true, value: fromUbusStatus(parseUbusStatus(out.stdout)) };
    } catch (err) {
      return { ok: false, reason: `ubus call mwan3 status: ${(err as Error).message}` };
    }
  });
  const ikeSas = shareInFlight(async (): Promise<Reading<IkeSa[]>> => {
    const r = await listIkeSas({ swanctlBin: opts.swanctlBin, viciUri: opts.viciUri, timeoutMs: opts.timeoutMs });
    return r.ok ? { ok: true, value: r.sas } : { ok: false, reason: r.reason };
  });
  const viciSas = shareInFlight(async (): Promise<Reading<IkeSa[]>> => {
    try {
      return { ok: true, value: ikeSasFromEvents(await viciListSas(opts.viciUri ?? DEFAULT_VICI_URI, opts.timeoutMs)) };
    } catch (err) {
      if (err instanceof ViciError || err instanceof ViciFormatError) return { ok: false, reason: err.message };
      throw err;
    }
  });
  return { wan, ikeSas, viciSas };
}
