import type { ViciSection } from '../ipsec/vici.js';
import { apiNameOf } from '../resources/names.js';
import type { UciPackage } from '../uci/types.js';

/**
 * IPsec status, pure translation of charon's `list-sa` events: read over the vici socket
 * (src/ipsec/vici.ts), or, when that cannot be reached, parsed from `swanctl --list-sas --raw`.
 *
 * The raw format is strongSwan's one-line dump of a vici message: `<label> {<body>}` per
 * message, where a body holds `key=value`, `key=[item item]` and `name {<body>}` separated by
 * single spaces. Values are printed as they are (spaces included), so where a value ends is
 * decided by what follows: ` key=` with a lower-case vici key, ` name {`, or `}`. A value that
 * itself contains such a sequence (a lower-case DN such as `cn=a, o=b`) is cut there; list
 * items are split on spaces. Neither happens with the fields read here.
 */

export type { ViciSection, ViciValue } from '../ipsec/vici.js';
export interface ViciMessage {
  label: string;
  body: ViciSection;
}

export class ViciParseError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`swanctl raw output: ${message} at offset ${offset}`);
    this.name = 'ViciParseError';
  }
}

const NAME_CHAR = /[^\s={}[\]]/;
/** Where a plain value ends: before ` key=`, ` name {` or `}`. */
const VALUE_END = /\s+(?=[a-z][a-z0-9_-]*=|[^\s={}[\]]+ \{)|\}/g;

export function parseViciRaw(text: string): ViciMessage[] {
  const messages: ViciMessage[] = [];
  let pos = 0;

  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    if (text[pos] !== ch) throw new ViciParseError(`expected '${ch}'`, pos);
    pos++;
  };
  const readName = (): string => {
    const start = pos;
    while (pos < text.length && NAME_CHAR.test(text[pos]!)) pos++;
    if (pos === start) throw new ViciParseError('expected a name', pos);
    return text.slice(start, pos);
  };

  const readList = (): string[] => {
    expect('[');
    const items: string[] = [];
    for (;;) {
      skipSpace();
      if (pos >= text.length) throw new ViciParseError("unterminated list, expected ']'", pos);
      if (text[pos] === ']') {
        pos++;
        return items;
      }
      const start = pos;
      while (pos < text.length && !/[\s\]]/.test(text[pos]!)) pos++;
      items.push(text.slice(start, pos));
    }
  };

  const readValue = (): string => {
    VALUE_END.lastIndex = pos;
    const m = VALUE_END.exec(text);
    if (!m) throw new ViciParseError("unterminated value, expected '}'", pos);
    const value = text.slice(pos, m.index);
    pos = m.index;
    return value;
  };

  const readBody = (): ViciSection => {
    expect('{');
    const section: ViciSection = new Map();
    for (;;) {
      skipSpace();
      if (pos >= text.length) throw new ViciParseError("unterminated section, expected '}'", pos);
      if (text[pos] === '}') {
        pos++;
        return section;
      }
      const name = readName();
      if (text[pos] === '=') {
        pos++;
        section.set(name, text[pos] === '[' ? readList() : readValue());
      } else {
        skipSpace();
        section.set(name, readBody());
      }
    }
  };

  for (;;) {
    skipSpace();
    if (pos >= text.length) return messages;
    const brace = text.indexOf('{', pos);
    const eol = text.indexOf('\n', pos);
    if (brace < 0 || (eol >= 0 && eol < brace)) throw new ViciParseError("expected '<label> {'", pos);
    const label = text.slice(pos, brace).trim();
    pos = brace;
    messages.push({ label, body: readBody() });
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
