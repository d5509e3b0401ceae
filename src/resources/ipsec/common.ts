import { fieldError } from '../../errors.js';
import { optionList, optionString } from '../fields.js';
import { apiNameOfRef, findNamed, sectionNameProblem } from '../names.js';
import { constraint, isCidr, isIpv4, isIpv6, text } from '../schema.js';
import type { UciPackage, UciSection, UciValue } from '../../uci/types.js';
import { SWANCTL_UNSAFE } from '../../text.js';

export const IPSEC = 'ipsec';
export const PROPOSAL_TYPE = 'crypto_proposal';
export const REMOTE_TYPE = 'remote';
export const CONNECTION_TYPES = ['tunnel', 'transport'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];
/** swanctl.init's address pools (`config pools '<name>'`, `option addrs`). */
export const POOL_TYPE = 'pools';
/** The remote `type` of route-based tunnels (XFRM interface per if_id), as ICN's controllers name it. */
export const ROUTE_BASED = 'VTI-based';


// ---------------------------------------------------------------------------------------------
// Names

/** An object name that maps onto a UCI section name (the rule of src/resources/names.ts). */
export const apiName = () =>
  text().superRefine((v, ctx) => {
    const problem = sectionNameProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

// ---------------------------------------------------------------------------------------------
// Comma-separated fields stored as UCI lists

/** The entries of a comma-separated API value (`"a, b"` -> `['a', 'b']`). */
export const splitComma = (value: string): string[] => value.split(',').map((s) => s.trim());

/**
 * A comma-separated API field is stored as a UCI list (the form swanctl.init reads). When
 * joining the entries with `,` does not give back the string as sent (spaces after commas,
 * say), the string as sent is also kept in `api_<field>`, so it reads back identically.
 */
export const apiCopyOption = (field: string) => `api_${field}`;

export function setCommaField(options: Map<string, UciValue>, uciOption: string, apiField: string, value: string | undefined): void {
  if (value === undefined) return;
  const items = splitComma(value);
  options.set(uciOption, items);
  if (items.join(',') !== value) options.set(apiCopyOption(apiField), value);
}

/** The API value of a comma field: the kept copy while it still matches the list, else the list joined. */
export function getCommaField(section: UciSection, uciOption: string, apiField: string): string | undefined {
  const items = optionList(section, uciOption);
  const copy = optionString(section, apiCopyOption(apiField));
  if (copy !== undefined && sameList(splitComma(copy), items)) return copy;
  return items.length > 0 ? items.join(',') : undefined;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** A zod string of comma-separated entries, each accepted by `item`. */
export const commaList = (item: (v: string) => boolean, what: string) =>
  text()
    .refine((v) => splitComma(v).every((e) => e !== '' && item(e)), { error: `should be ${what}, separated by commas` })
    .meta(constraint(`${what.charAt(0).toUpperCase()}${what.slice(1)}, separated by commas.`));

// ---------------------------------------------------------------------------------------------
// Address-like values

const HOST_LABEL = '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${HOST_LABEL}(\\.${HOST_LABEL})*\\.?$`);

export const isIp = (v: string) => isIpv4(v) || isIpv6(v);

/** `a-b` with two addresses of one family. */
export function isRange(v: string): boolean {
  const [from = '', to, ...rest] = v.split('-');
  if (to === undefined || rest.length > 0) return false;
  return (isIpv4(from) && isIpv4(to)) || (isIpv6(from) && isIpv6(to));
}

/** A peer address as swanctl's remote_addrs takes it: IP, CIDR, range, host name or %any. */
export const isPeerAddress = (v: string) => isCidr(v) || isRange(v) || HOSTNAME.test(v) || ['%any', '%any4', '%any6'].includes(v);

/** A traffic selector entry: CIDR, address, range or `dynamic`, optionally `[proto/port]`. */
export function isTrafficSelector(v: string): boolean {
  const m = /^([^[\]]+)(\[[A-Za-z0-9%]*(\/[A-Za-z0-9%-]*)?\])?$/.exec(v);
  if (!m) return false;
  const base = m[1] ?? '';
  return isCidr(base) || isRange(base) || base === 'dynamic' || base === '%dynamic';
}

export const CONFIG_KEYWORDS = ['%config', '%config4', '%config6'] as const;
/** A virtual IP entry: an address, a CIDR, a range, or `%config` (ask the peer for one). */
export const isSourceIp = (v: string) => isCidr(v) || isRange(v) || (CONFIG_KEYWORDS as readonly string[]).includes(v);

// ---------------------------------------------------------------------------------------------
// Values that swanctl.init copies verbatim into swanctl.conf

/**
 * swanctl.init writes identifiers and the pre-shared key into swanctl.conf as they are (some
 * quoted, some not): a quote, backslash, `#`, brace or line break would change the file's
 * structure, so such values are refused.
 */

export const swanctlText = (what: string) =>
  text()
    .refine((v) => !SWANCTL_UNSAFE.test(v) && v.trim() === v, {
      error: `should be ${what} without quotes, backslashes, '#', braces, control characters or surrounding spaces`,
    })
    .meta(constraint("No quotes, backslashes, `#`, braces, control characters or surrounding spaces (swanctl.conf takes it as is)."));

/** A pre-shared key: also no whitespace (swanctl.init writes it unquoted). */
export const presharedKey = () =>
  text()
    .refine((v) => !SWANCTL_UNSAFE.test(v) && !/\s/.test(v), {
      error: "should be printable characters without spaces, quotes, backslashes, '#' or braces",
    })
    .meta(constraint('Printable characters without spaces, quotes, backslashes, `#` or braces.'));

/** An updown script: a path, optionally with plain arguments. */
export const updownScript = () =>
  text().regex(/^[A-Za-z0-9_./+:=-]+( [A-Za-z0-9_./+:=-]+)*$/, {
    error: 'should be a script path (letters, digits and _ . / + : = -), optionally followed by plain arguments',
  });

const MARK_VALUE = '(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})';
/** strongSwan's mark: `value[/mask]` (decimal or hex) or %unique, %unique-dir, %same. */
export const markValue = () =>
  text().regex(new RegExp(`^(%unique|%unique-dir|%same|${MARK_VALUE}(/${MARK_VALUE})?)$`), {
    error: 'should be a mark value[/mask] (decimal or 0x hex), %unique, %unique-dir or %same',
  });

/** strongSwan's XFRM interface id: a number (decimal or hex) or %unique, %unique-dir. */
export const ifIdValue = () =>
  text().regex(new RegExp(`^(%unique|%unique-dir|${MARK_VALUE})$`), {
    error: 'should be an interface id (decimal or 0x hex), %unique or %unique-dir',
  });

/**
 * The XFRM interface id a route-based connection takes from its mark (ICN's VTI key): the
 * mark's value without its mask. None for 0 (no interface) and %same (no if_id equivalent).
 */
export function ifIdFromMark(mark: string): string | undefined {
  const value = mark.split('/')[0] ?? '';
  if (value === '%same' || /^(0x0*|0+)$/i.test(value)) return undefined;
  return value;
}

// ---------------------------------------------------------------------------------------------
// References to proposals

/** The section names of the listed proposals; a proposal that does not exist is a 428. */
export function proposalSections(pkg: UciPackage, names: readonly string[], field: string): string[] {
  return names.map((name, i) => {
    const section = findNamed(pkg, PROPOSAL_TYPE, name);
    if (!section) throw fieldError(`${field}.${i}`, `proposal ${JSON.stringify(name)} is not defined`, 428);
    return section.name;
  });
}

/** The API names of the proposals a section lists. */
export const proposalNames = (pkg: UciPackage | undefined, section: UciSection): string[] =>
  optionList(section, PROPOSAL_TYPE).map((s) => apiNameOfRef(pkg, s, PROPOSAL_TYPE));
