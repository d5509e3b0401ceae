// The pod's annotations as the Kubernetes downward API writes them into a file, and the
// `k8s.plugin.opnfv.org/nfn-network` annotation of the OVN CNI (ovn4nfv) inside them.
// Pure: text in, values or a BootstrapInputError out.
//
// File format (kubelet, fieldpath.FormatMap): one `key="value"` line per annotation, keys in
// sorted order, lines joined by "\n" with no newline after the last. The value is quoted the
// way Go's %q (strconv.Quote) quotes: `"` and `\` are backslash-escaped; \a \b \f \n \r \t \v
// stand for those control characters; other unprintable characters are \xHH (also single
// bytes that are not valid UTF-8), \uHHHH or \UHHHHHHHH. Printable non-ASCII text stays as is.
import * as z from 'zod';
import { isIpv4, isIpv6 } from '../resources/schema.js';

export const NFN_NETWORK_ANNOTATION = 'k8s.plugin.opnfv.org/nfn-network';

/** Bad bootstrap input (the annotations file or the annotation itself). */
export class BootstrapInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapInputError';
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
  "'": 0x27,
};

const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The string inside a Go double-quoted literal (`"..."`, quotes included), the inverse of
 * strconv.Quote; also accepts Go's octal `\NNN`. Throws a plain Error saying what is wrong.
 */
export function unquoteGo(literal: string): string {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) {
    throw new Error('value is not a double-quoted string');
  }
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === '"') throw new Error(`unescaped '"' at offset ${i + 1}`);
    if (c === '\n') throw new Error('newline inside the quoted value');
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error('value ends with a lone backslash');
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]!);
      i += 2;
      continue;
    }
    if (e in HEX_DIGITS) {
      const n = HEX_DIGITS[e]!;
      const hex = body.slice(i + 2, i + 2 + n);
      if (hex.length !== n || !/^[0-9A-Fa-f]+$/.test(hex)) throw new Error(`bad escape \\${e}${hex} at offset ${i + 1}`);
      const value = parseInt(hex, 16);
      if (e === 'x') bytes.push(value);
      else {
        if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) throw new Error(`escape \\${e}${hex} is not a valid character`);
        pushText(String.fromCodePoint(value));
      }
      i += 2 + n;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 0xff) throw new Error(`bad octal escape \\${oct} at offset ${i + 1}`);
      bytes.push(parseInt(oct, 8));
      i += 4;
      continue;
    }
    throw new Error(`unknown escape \\${e} at offset ${i + 1}`);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The annotations of a downward-API file as a map (key -> unescaped value). */
export function parseAnnotationsFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const where = `annotations file line ${index + 1}`;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new BootstrapInputError(`${where}: expected key="value"`);
    const key = line.slice(0, eq);
    if (/\s/.test(key)) throw new BootstrapInputError(`${where}: annotation key ${JSON.stringify(key)} contains white space`);
    let value: string;
    try {
      value = unquoteGo(line.slice(eq + 1));
    } catch (err) {
      throw new BootstrapInputError(`${where} (${key}): ${(err as Error).message}`);
    }
    if (out.has(key)) throw new BootstrapInputError(`${where}: annotation ${key} appears twice`);
    out.set(key, value);
  });
  return out;
}

/** A Linux interface name that is also usable as an API name (IFNAMSIZ allows 15 characters). */
const DEVICE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** An IPv4 or IPv6 address, optionally with a /prefix. */
export function isAddressOrCidr(v: string): boolean {
  const [addr, prefix, extra] = v.split('/');
  if (extra !== undefined || addr === undefined) return false;
  const v4 = isIpv4(addr);
  if (!v4 && !isIpv6(addr)) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (v4 ? 32 : 128);
}

/** "" and null count as absent: the ICN chart writes `"ipAddress": ""` when none is set. */
const optionalText = (check: (v: string) => boolean, message: string) =>
  z
    .union([z.string(), z.null()])
    .optional()
    .transform((v) => (v === null || v === '' ? undefined : v))
    .refine((v) => v === undefined || check(v), { message });

/** Go's `json:",string"` bool: "true"/"false" (booleans accepted too; absent is false). */
const goBool = z
  .union([z.boolean(), z.enum(['true', 'false', '']), z.null()], { error: 'should be "true" or "false"' })
  .optional()
  .transform((v) => v === true || v === 'true');

const nfnInterface = z.object({
  name: z.string({ error: 'should be a string' }).min(1, { message: 'should not be empty' }),
  interface: z
    .string({ error: 'should be a string' })
    .regex(DEVICE_NAME, { message: 'should be an interface name of 1 to 15 letters, digits, _, - or .' }),
  ipAddress: optionalText(isAddressOrCidr, 'should be an IPv4 or IPv6 address, optionally with /prefix'),
  defaultGateway: goBool,
  /** An explicit gateway address (older ICN examples carry it). */
  gateway: optionalText((v) => isIpv4(v) || isIpv6(v), 'should be an IPv4 or IPv6 address'),
});

const nfnNetwork = z.object({
  type: z.string({ error: 'should be a string' }).optional(),
  interface: z
    .array(nfnInterface, { error: 'should be a list of interfaces' })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((entry, i) => {
        if (seen.has(entry.interface)) {
          ctx.addIssue({ code: 'custom', path: [i, 'interface'], message: `interface ${JSON.stringify(entry.interface)} appears twice` });
        }
        seen.add(entry.interface);
      });
    }),
});

/** One interface the CNI attached to the pod, as the annotation describes it. */
export interface NfnInterface {
  /** The Kubernetes network name. */
  name: string;
  /** The device in the pod (net0, net1, ...). */
  interface: string;
  /** Address, optionally with /prefix; absent means "as the device has it". */
  ipAddress?: string;
  defaultGateway: boolean;
  gateway?: string;
}

export interface NfnNetwork {
  type?: string;
  interface: NfnInterface[];
}

function cleanEntry(e: z.infer<typeof nfnInterface>): NfnInterface {
  const out: NfnInterface = { name: e.name, interface: e.interface, defaultGateway: e.defaultGateway };
  if (e.ipAddress !== undefined) out.ipAddress = e.ipAddress;
  if (e.gateway !== undefined) out.gateway = e.gateway;
  return out;
}

/** Parses and validates the JSON of the nfn-network annotation. */
export function parseNfnNetwork(json: string): NfnNetwork {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new BootstrapInputError(`annotation ${NFN_NETWORK_ANNOTATION} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = nfnNetwork.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new BootstrapInputError(`annotation ${NFN_NETWORK_ANNOTATION}: field ${field} ${issue.message}`);
  }
  const { type, interface: entries } = parsed.data;
  return { ...(type !== undefined ? { type } : {}), interface: entries.map(cleanEntry) };
}

/**
 * The attached interfaces named by the annotations file text; throws BootstrapInputError when
 * the file is malformed or the annotation is missing or invalid.
 */
export function nfnInterfacesFromFile(text: string): NfnInterface[] {
  const annotations = parseAnnotationsFile(text);
  const json = annotations.get(NFN_NETWORK_ANNOTATION);
  if (json === undefined) throw new BootstrapInputError(`no ${NFN_NETWORK_ANNOTATION} annotation in the annotations file`);
  return parseNfnNetwork(json).interface;
}
