import { DEFAULT_VICI_URI, ViciError, ViciFormatError, viciListSas } from '../ipsec/vici.js';
import type { ViciSection } from '../ipsec/vici.js';
import { swanctlListSas, type SwanctlOptions } from './swanctl.js';
import { parseViciRaw } from './vici-text.js';

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

/** One IKE SA of `list-sas`, with the fields the status needs. */
export interface IkeSa {
  /** The connection name: the UCI remote section name, as swanctl.init renders it. */
  name: string;
  uniqueid?: string;
  state: string;
  version?: string;
  initiator: boolean;
  localHost?: string;
  localPort?: string;
  localId?: string;
  remoteHost?: string;
  remotePort?: string;
  remoteId?: string;
  /** Seconds since the SA was established. */
  established?: number;
  rekeyTime?: number;
  childSas: ChildSa[];
}

export interface ChildSa {
  name: string;
  uniqueid?: string;
  reqid?: string;
  state: string;
  mode?: string;
  protocol?: string;
  spiIn?: string;
  spiOut?: string;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  /** Seconds since the child SA was installed. */
  installTime?: number;
  rekeyTime?: number;
  lifeTime?: number;
  localTs: string[];
  remoteTs: string[];
}

const str = (s: ViciSection, key: string): string | undefined => {
  const v = s.get(key);
  return typeof v === 'string' ? v : undefined;
};
const num = (s: ViciSection, key: string): number | undefined => {
  const v = str(s, key);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};
const list = (s: ViciSection, key: string): string[] => {
  const v = s.get(key);
  return Array.isArray(v) ? v : typeof v === 'string' && v !== '' ? [v] : [];
};
const sections = (s: ViciSection | undefined): Array<[string, ViciSection]> =>
  s ? [...s].filter((e): e is [string, ViciSection] => e[1] instanceof Map) : [];

function childFrom(key: string, c: ViciSection): ChildSa {
  return {
    name: str(c, 'name') ?? key,
    uniqueid: str(c, 'uniqueid'),
    reqid: str(c, 'reqid'),
    state: str(c, 'state') ?? 'UNKNOWN',
    mode: str(c, 'mode'),
    protocol: str(c, 'protocol'),
    spiIn: str(c, 'spi-in'),
    spiOut: str(c, 'spi-out'),
    bytesIn: num(c, 'bytes-in') ?? 0,
    bytesOut: num(c, 'bytes-out') ?? 0,
    packetsIn: num(c, 'packets-in') ?? 0,
    packetsOut: num(c, 'packets-out') ?? 0,
    installTime: num(c, 'install-time'),
    rekeyTime: num(c, 'rekey-time'),
    lifeTime: num(c, 'life-time'),
    localTs: list(c, 'local-ts'),
    remoteTs: list(c, 'remote-ts'),
  };
}

/** The IKE SAs in `swanctl --list-sas --raw` output (one `list-sa event` per SA). */
export function ikeSasFromListSas(text: string): IkeSa[] {
  return ikeSasFromEvents(parseViciRaw(text).filter((m) => m.label === 'list-sa event').map((m) => m.body));
}

/** The IKE SAs of `list-sa` event messages (each keyed by its connection name). */
export function ikeSasFromEvents(events: readonly ViciSection[]): IkeSa[] {
  const sas: IkeSa[] = [];
  for (const event of events) {
    for (const [name, sa] of sections(event)) {
      const childSection = sa.get('child-sas');
      sas.push({
        name,
        uniqueid: str(sa, 'uniqueid'),
        state: str(sa, 'state') ?? 'UNKNOWN',
        version: str(sa, 'version'),
        initiator: str(sa, 'initiator') === 'yes',
        localHost: str(sa, 'local-host'),
        localPort: str(sa, 'local-port'),
        localId: str(sa, 'local-id'),
        remoteHost: str(sa, 'remote-host'),
        remotePort: str(sa, 'remote-port'),
        remoteId: str(sa, 'remote-id'),
        established: num(sa, 'established'),
        rekeyTime: num(sa, 'rekey-time'),
        childSas: sections(childSection instanceof Map ? childSection : undefined).map(([k, c]) => childFrom(k, c)),
      });
    }
  }
  return sas;
}
