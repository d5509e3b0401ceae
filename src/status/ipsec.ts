import { apiNameOf } from '../resources/names.js';
import type { UciPackage } from '../uci/types.js';
import type { ChildSa, IkeSa } from './ike-sas.js';

/**
 * IPsec status, pure translation of charon's IKE SAs (src/status/ike-sas.ts: over the vici
 * socket, or parsed from `swanctl --list-sas --raw`) and the ipsec config.
 */

export type RemoteState = 'up' | 'connecting' | 'down' | 'unknown';

export interface ChildSaStatus {
  name: string;
  state: string;
  mode?: string;
  protocol?: string;
  local_ts: string[];
  remote_ts: string[];
  bytes_in: number;
  bytes_out: number;
  packets_in: number;
  packets_out: number;
  /** Seconds since installed, and the moment that was. */
  installed?: number;
  installed_since?: string;
  rekey_in?: number;
  expires_in?: number;
  spi_in?: string;
  spi_out?: string;
}

/** The status of one remote site (one `config remote` of the ipsec config, or an SA not in it). */
export interface RemoteStatus {
  name: string;
  state: RemoteState;
  /** strongSwan's IKE SA state (ESTABLISHED, CONNECTING, ...) of the SA reported. */
  ike_state?: string;
  /** Seconds since the IKE SA was established, and the moment that was. */
  established?: number;
  established_since?: string;
  local_addr?: string;
  remote_addr?: string;
  local_id?: string;
  remote_id?: string;
  initiator?: boolean;
  child_sas: ChildSaStatus[];
  /** False for an SA whose connection is not a remote of the ipsec config. */
  configured: boolean;
  /** Why the state is unknown. */
  message?: string;
}

const RANK: Record<RemoteState, number> = { up: 3, connecting: 2, down: 1, unknown: 0 };

/** strongSwan IKE SA states: CREATED, CONNECTING, ESTABLISHED, PASSIVE, REKEYING, REKEYED, DELETING, DESTROYING. */
export function remoteStateOf(ikeState: string): RemoteState {
  switch (ikeState) {
    case 'ESTABLISHED':
    case 'REKEYING':
      return 'up';
    case 'CREATED':
    case 'CONNECTING':
    case 'PASSIVE':
      return 'connecting';
    default:
      return 'down';
  }
}

const since = (now: Date, seconds: number | undefined) =>
  seconds === undefined ? undefined : new Date(now.getTime() - seconds * 1000).toISOString();

function childStatus(c: ChildSa, now: Date): ChildSaStatus {
  const out: ChildSaStatus = {
    name: c.name,
    state: c.state,
    local_ts: c.localTs,
    remote_ts: c.remoteTs,
    bytes_in: c.bytesIn,
    bytes_out: c.bytesOut,
    packets_in: c.packetsIn,
    packets_out: c.packetsOut,
  };
  if (c.mode !== undefined) out.mode = c.mode;
  if (c.protocol !== undefined) out.protocol = c.protocol;
  if (c.installTime !== undefined) {
    out.installed = c.installTime;
    out.installed_since = since(now, c.installTime);
  }
  if (c.rekeyTime !== undefined) out.rekey_in = c.rekeyTime;
  if (c.lifeTime !== undefined) out.expires_in = c.lifeTime;
  if (c.spiIn !== undefined) out.spi_in = c.spiIn;
  if (c.spiOut !== undefined) out.spi_out = c.spiOut;
  return out;
}

function remoteStatus(name: string, sas: IkeSa[], configured: boolean, now: Date): RemoteStatus {
  if (sas.length === 0) return { name, state: 'down', child_sas: [], configured };
  // The SA that best describes the site (during a rekey an old one may still be listed).
  const best = [...sas].sort((a, b) => RANK[remoteStateOf(b.state)] - RANK[remoteStateOf(a.state)])[0]!;
  const out: RemoteStatus = {
    name,
    state: remoteStateOf(best.state),
    ike_state: best.state,
    child_sas: sas.flatMap((sa) => sa.childSas.map((c) => childStatus(c, now))),
    configured,
  };
  if (best.established !== undefined) {
    out.established = best.established;
    out.established_since = since(now, best.established);
  }
  if (best.localHost !== undefined) out.local_addr = best.localHost;
  if (best.remoteHost !== undefined) out.remote_addr = best.remoteHost;
  if (best.localId !== undefined) out.local_id = best.localId;
  if (best.remoteId !== undefined) out.remote_id = best.remoteId;
  out.initiator = best.initiator;
  return out;
}

/**
 * Per remote site: the remotes of the ipsec config in file order (no SA → down), then SAs whose
 * connection is not in the config. `sas` undefined means swanctl could not be asked: every
 * configured remote is `unknown`, with `reason` as its message.
 */
export function ipsecStatus(
  ipsec: UciPackage,
  sas: IkeSa[] | undefined,
  now: Date,
  reason = 'swanctl is not available',
): RemoteStatus[] {
  const remotes = ipsec.sections.filter((s) => s.type === 'remote');
  if (sas === undefined) {
    return remotes.map((s) => ({ name: apiNameOf(s), state: 'unknown', child_sas: [], configured: true, message: reason }));
  }
  const bySectionName = new Map<string, IkeSa[]>();
  for (const sa of sas) bySectionName.set(sa.name, [...(bySectionName.get(sa.name) ?? []), sa]);
  const out = remotes.map((s) => remoteStatus(apiNameOf(s), bySectionName.get(s.name) ?? [], true, now));
  const known = new Set(remotes.map((s) => s.name));
  for (const [name, group] of bySectionName) if (!known.has(name)) out.push(remoteStatus(name, group, false, now));
  return out;
}
