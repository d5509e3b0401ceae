import * as z from 'zod';
import { fieldError } from '../../errors.js';
import { type Field, type FlatObject, addressOf, anonymousSectionOps, fieldsOf, findByNameOption, managedOptions, optionsOf } from '../fields.js';
import { constraint, isCidr, isIpv4, isIpv6 } from '../schema.js';
import type { Snapshot } from '../types.js';
import type { BatchOp, UciPackage, UciSection } from '../../uci/types.js';
import { NO_CONTROL } from '../../text.js';

/**
 * What the four firewall kinds share. They live in `/etc/config/firewall` as ANONYMOUS
 * sections (`config zone`, `config rule`, ...) found by their `option name`, the way
 * firewall4 and LuCI keep them. Value formats follow what firewall4 (fw4.uc) accepts.
 *
 * Sections without `option name` (the stock `config forwarding`, hand-written unnamed
 * rules) are real configuration that changes traffic, so GET lists them, but an API name is
 * never invented for them: they come without a `name` field. A generated name would either
 * change when the file changes (uci's cfgXXXXXX, `@type[i]`) or be indistinguishable from a
 * real one; without a name they cannot be addressed by GET/PUT/DELETE of one object and every
 * write leaves them as they are.
 */
export const FIREWALL = 'firewall';
export const NETWORK = 'network';

/** A 400 naming the field, in the Lua original's wording. */

/** A string field; a missing required one says so (an absent optional field never gets here). */
export const str = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'should be a string') });

/* ---------- value formats (firewall4's parsers: parse_network, parse_port, parse_mac, ...) ---------- */

const splitWords = (v: string) => v.trim().split(/[ \t]+/).filter((w) => w !== '');

/** `!value` → value, when negation is allowed; otherwise the value itself. */
function withoutNegation(v: string, negatable: boolean): string | undefined {
  if (!v.startsWith('!')) return v;
  return negatable ? v.slice(1) : undefined;
}

/** An IP address, a CIDR, an address with a netmask (`a/255.255.0.0`) or a range `a-b` of one family. */
export function isNetworkSpec(v: string): boolean {
  const slash = v.split('/');
  if (slash.length === 2) {
    const [addr = '', mask = ''] = slash;
    return isCidr(v) || (isIpv4(addr) && isIpv4(mask)) || (isIpv6(addr) && isIpv6(mask));
  }
  if (slash.length !== 1) return false;
  const dash = v.split('-');
  if (dash.length === 2) {
    const [a = '', b = ''] = dash;
    return (isIpv4(a) && isIpv4(b)) || (isIpv6(a) && isIpv6(b));
  }
  return isIpv4(v) || isIpv6(v);
}

export function isPortSpec(v: string): boolean {
  const m = /^([0-9]{1,5})(?:[-:]([0-9]{1,5}))?$/.exec(v);
  if (!m) return false;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  return min <= 65535 && max <= 65535 && min <= max;
}

export const isMacSpec = (v: string) => /^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$/i.test(v);

/** A mark or mark/mask: decimal or 0x-hexadecimal, at most 0xFFFFFFFF. */
export function isMarkSpec(v: string): boolean {
  const num = (s: string) => (/^(0x[0-9a-f]+|[0-9]+)$/i.test(s) ? Number(s) : NaN);
  const parts = v.split('/');
  if (parts.length > 2) return false;
  return parts.every((p) => {
    const n = num(p);
    return Number.isFinite(n) && n <= 0xffffffff;
  });
}

/** The ICMP type names firewall4 knows (IPv4 and ICMPv6 tables), or `type[/code]` numbers up to 255. */
const ICMP_TYPE_NAMES = new Set([
  'address-mask-reply', 'address-mask-request', 'address-unreachable', 'any', 'bad-header',
  'certification-path-advertisement-message', 'certification-path-solicitation-message',
  'communication-prohibited', 'destination-unreachable', 'echo-reply', 'echo-request',
  'fragmentation-needed', 'home-agent-address-discovery-reply-message',
  'home-agent-address-discovery-request-message', 'host-precedence-violation', 'host-prohibited',
  'host-redirect', 'host-unknown', 'host-unreachable',
  'inverse-neighbor-discovery-advertisement-message', 'inverse-neighbor-discovery-solicitation-message',
  'inverse-neighbour-discovery-advertisement-message', 'inverse-neighbour-discovery-solicitation-message',
  'ip-header-bad', 'mobile-prefix-advertisement', 'mobile-prefix-solicitation', 'multicast-listener-done',
  'multicast-listener-query', 'multicast-listener-report', 'multicast-router-advertisement',
  'multicast-router-solicitation', 'multicast-router-termination', 'neighbor-advertisement',
  'neighbor-solicitation', 'neighbour-advertisement', 'neighbour-solicitation', 'network-prohibited',
  'network-redirect', 'network-unknown', 'network-unreachable', 'no-route', 'node-info-query',
  'node-info-response', 'packet-too-big', 'parameter-problem', 'ping', 'pong', 'port-unreachable',
  'precedence-cutoff', 'protocol-unreachable', 'redirect', 'required-option-missing',
  'router-advertisement', 'router-renumbering', 'router-solicitation', 'seamoby-protocol-message',
  'source-quench', 'source-route-failed', 'time-exceeded', 'timestamp-reply', 'timestamp-request',
  'TOS-host-redirect', 'TOS-host-unreachable', 'TOS-network-redirect', 'TOS-network-unreachable',
  'ttl-exceeded', 'ttl-zero-during-reassembly', 'ttl-zero-during-transit', 'unknown-header-type',
  'unknown-option', 'v2-multicast-listener-report',
]);

export function isIcmpType(v: string): boolean {
  if (ICMP_TYPE_NAMES.has(v)) return true;
  const m = /^([0-9]{1,3})(?:\/([0-9]{1,3}))?$/.exec(v);
  return m !== null && Number(m[1]) <= 255 && (m[2] === undefined || Number(m[2]) <= 255);
}

interface SpecOptions {
  /** A leading `!` inverts the match (firewall4 allows it on most match options). */
  negatable?: boolean;
  /** Several values separated by spaces (firewall4 reads these options as lists). */
  multiple?: boolean;
}

/** A string option holding one value (or several, space-separated) of a format. */
function spec(valid: (v: string) => boolean, what: string, opts: SpecOptions) {
  const message = [what, opts.negatable ? ", optionally negated with '!'" : '', opts.multiple ? ', several separated by spaces' : ''].join('');
  return str().refine(
    (v) => {
      const items = opts.multiple ? splitWords(v) : [v];
      return items.length > 0 && items.every((item) => {
        const bare = withoutNegation(item, opts.negatable ?? false);
        return bare !== undefined && valid(bare);
      });
    },
    { error: `should be ${message}` },
  ).meta(constraint(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`));
}

export const networkSpec = (opts: SpecOptions = {}) => spec(isNetworkSpec, 'an IP address, CIDR, address/netmask or address range', opts);
export const portsSpec = (opts: SpecOptions = {}) => spec(isPortSpec, 'a port (0-65535) or a port range a-b', opts);
export const macSpec = (opts: SpecOptions = {}) => spec(isMacSpec, 'a MAC address', opts);
export const markSpec = (opts: SpecOptions = {}) => spec(isMarkSpec, 'a mark or mark/mask (decimal or 0x-hex, at most 0xFFFFFFFF)', opts);
export const icmpType = () =>
  str()
    .refine(isIcmpType, { error: 'should be an ICMP type name known to firewall4, or a number type[/code] up to 255' })
    .meta(constraint('An ICMP type name firewall4 knows (`echo-request`, `destination-unreachable`, ...) or `type[/code]`, numbers up to 255.'));

/** Names of rules, forwardings and redirects: firewall4 takes any string; control characters cannot be stored safely. */
export const objectName = () =>
  str().regex(NO_CONTROL, { error: 'should be a non-empty name without control characters' });

/** firewall4 parses zone names as identifiers: `^[a-zA-Z_.][a-zA-Z0-9/_.-]*$`, no length limit. */
export const ZONE_NAME = /^[a-zA-Z_.][a-zA-Z0-9/_.-]*$/;
export const zoneName = () =>
  str().regex(ZONE_NAME, {
    error: "firewall4 accepts a zone name that starts with a letter, '_' or '.' and holds only letters, digits, '/', '_', '.' and '-'",
  });

/** A zone reference as the schema sees it: a zone name, or `*` (any zone) where firewall4 allows it. */
const ZONE_REF = new RegExp(`^(\\*|${ZONE_NAME.source.slice(1, -1)})$`);
export const zoneRef = () => str().regex(ZONE_REF, { error: "should be a zone name or '*' (any zone)" });

export const FAMILIES = ['ipv4', 'ipv6', 'any'] as const;

/* ---------- sections <-> objects ---------- */

const uciName = (f: Field) => f.uci ?? f.api;

/**
 * The API object of a section. firewall4 reads a plain `option` of a list field as
 * space-separated words (`option network 'wan wan6'`), so list fields are split the same way.
 */
export function objectOf(section: UciSection, fields: readonly Field[]): FlatObject {
  const obj = fieldsOf(section, fields);
  for (const f of fields) {
    const raw = section.options.get(uciName(f));
    if (!f.list || typeof raw !== 'string') continue;
    const words = splitWords(raw);
    if (words.length > 0) obj[f.api] = words;
    else delete obj[f.api];
  }
  return obj;
}

/**
 * The option that says which other collection owns a section of the firewall config (the NAT
 * and network firewall collections keep theirs here too). Sections without it belong to the
 * firewall collections; each collection sees only its own.
 */
export const OWNER = 'sdewan_kind';

/** The sections of `type` owned by `owner` (undefined: the firewall collections' own), in file order. */
export const sectionsOf = (pkg: UciPackage | undefined, type: string, owner?: string) =>
  (pkg?.sections ?? []).filter((s) => s.type === type && s.options.get(OWNER) === owner);

/** The first section of `type` and `owner` whose `option name` is `name`. */
export const findOwned = (pkg: UciPackage | undefined, type: string, name: string, owner?: string) =>
  sectionsOf(pkg, type, owner).find((s) => s.options.get('name') === name);

/** Every section of `type`, in file order; unnamed ones come without `name` (see above). */
export function listObjects<T>(pkg: UciPackage | undefined, type: string, fields: readonly Field[]): T[] {
  return sectionsOf(pkg, type).map((s) => objectOf(s, fields) as unknown as T);
}

/**
 * Creates the section (`add firewall <type>`, then its options) or updates the first section
 * of that name, changing only the options the API manages.
 */
export function upsertOps(pkg: UciPackage, type: string, obj: { name: string }, fields: readonly Field[]): BatchOp[] {
  const current = findOwned(pkg, type, obj.name);
  return anonymousSectionOps(pkg, current, type, optionsOf(obj, fields), managedOptions(fields));
}

/**
 * Deletes every section of `type` named `name` (a hand edit may have duplicated one), the
 * last first so that the `@type[i]` addresses of the others stay valid within the batch.
 */
export function deleteOps(pkg: UciPackage | undefined, type: string, name: string, owner?: string): BatchOp[] {
  if (!pkg) return [];
  return sectionsOf(pkg, type, owner)
    .filter((s) => s.options.get('name') === name)
    .map((s) => addressOf(pkg, s))
    .reverse()
    .map((section) => ({ op: 'delete', section }));
}

/** How a message names a section: its `name`, else its address. */
export function describeSection(pkg: UciPackage, section: UciSection): string {
  const name = section.options.get('name');
  return typeof name === 'string' ? JSON.stringify(name) : addressOf(pkg, section);
}

/* ---------- references ---------- */

export const zoneExists = (snap: Snapshot, name: string) => findOwned(snap[FIREWALL], 'zone', name) !== undefined;

/** A `src`/`dest` value names an existing zone (or is `*` where allowed), or a 400 naming the field. */
export function checkZoneRef(snap: Snapshot, field: string, value: string | undefined, allowAny: boolean): void {
  if (value === undefined) return;
  if (value === '*') {
    if (!allowAny) throw fieldError(field, `'*' (any zone) is not allowed here`);
    return;
  }
  if (!zoneExists(snap, value)) throw fieldError(field, `zone ${JSON.stringify(value)} is not defined`);
}

/** The zod issue adder of cross-field rules, pointing at the field to fix. */
export function requireField(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}
