import { DEFAULT_VICI_URI, ViciError, ViciFormatError, viciListSas } from '../ipsec/vici.js';
import { ikeSasFromEvents, ikeSasFromListSas, type IkeSa } from './ipsec.js';
import { swanctlListSas, type SwanctlOptions } from './swanctl.js';

/** `missing`: neither the vici socket nor the swanctl program is there (no charon on this box). */
export type IkeSasResult = { ok: true; sas: IkeSa[]; source: 'vici' | 'swanctl' } | { ok: false; reason: string; missing?: boolean };

/**
 * charon's IKE SAs: a `list-sas` request over its vici socket (`viciUri`, default
 * unix:///var/run/charon.vici); when that socket cannot be reached (no such file, refused,
 * not allowed), `swanctl --list-sas --raw` instead, whose failure is then the reason given.
 */
export async function listIkeSas(opts: SwanctlOptions): Promise<IkeSasResult> {
  const uri = opts.viciUri ?? DEFAULT_VICI_URI;
  try {
    return { ok: true, sas: ikeSasFromEvents(await viciListSas(uri, opts.timeoutMs)), source: 'vici' };
  } catch (err) {
    if (!(err instanceof ViciError && err.unreachable)) {
      if (err instanceof ViciError || err instanceof ViciFormatError) return { ok: false, reason: err.message };
      throw err;
    }
  }
  const out = await swanctlListSas(opts);
  if (!out.ok) return { ok: false, reason: out.reason, missing: out.missing };
  try {
    return { ok: true, sas: ikeSasFromListSas(out.stdout), source: 'swanctl' };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}
