import * as z from 'zod';
import { preconditionRequired } from '../../errors.js';
import type { HostFacts } from '../../host/facts.js';
import { addressOf, optionString, syncOptionsOps } from '../fields.js';
import { isIpv4, isIpv6 } from '../schema.js';
import type { BatchOp, UciPackage, UciSection, UciValue } from '../../uci/types.js';
import { PRINTABLE_NAME } from '../../text.js';

/**
 * What ICN's three routing collections (CNFRoute, CNFRouteRule, SdewanApplication) share.
 * They live in `/etc/config/network`, where netifd reads them: routes as `config route` /
 * `config route6`, rules as `config rule` / `config rule6`, all ANONYMOUS sections (as LuCI
 * keeps them) found by two options netifd ignores:
 *
 * - `sdewan_kind` — the collection that owns the section (`route`, `rule`, `application`).
 *   A collection lists exactly its own sections: hand-written routes and rules stay out of
 *   the API and no write touches them.
 * - `name` — the object's API name (any string: no mapping onto UCI names is needed).
 *
 * Where netifd's options cannot say what the API was sent, two more options keep it, so that
 * it reads back exactly as sent:
 * - `sdewan_<field>` holds the field as sent (`sdewan_dev '#default'`, `sdewan_dst 'default'`);
 * - `list sdewan_default '<field>'` names a field that was not sent, whose netifd option holds
 *   the value ICN applied in its absence (a rule's `lookup 'main'`).
 */
export const NETWORK = 'network';
export const KIND_OPTION = 'sdewan_kind';
export const NAME_OPTION = 'name';
export const DEFAULTED_OPTION = 'sdewan_default';

/** ICN's table `cnf`: the routing table that applications are looked up in. */
export const CNF_TABLE = '40';
/**
 * The priority the kernel gives `ip rule add` without `prio` (just ahead of the main table's
 * 32766), which is what ICN's rules got. netifd would number such a rule by its position
 * (1, 2, ...), ahead of every other rule, so the agent writes this one.
 */
export const ICN_RULE_PRIORITY = '32765';

export type Family = 4 | 6;

/* ---------- values ---------- */

/** A name: any non-empty string without control characters (it is stored as an option value). */
export const objectName = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'should be a string') })
    .regex(PRINTABLE_NAME, { error: 'should be a non-empty name without control characters' });

export const str = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'should be a string') });

export const familyOfAddress = (addr: string): Family | undefined => (isIpv4(addr) ? 4 : isIpv6(addr) ? 6 : undefined);

/** An address or `address/prefix` of either family: its family and prefix, or undefined. */
export function parsePrefix(v: string): { family: Family; addr: string; prefix: number | undefined } | undefined {
  const parts = v.split('/');
  if (parts.length > 2) return undefined;
  const [addr = '', prefix] = parts;
  const family = familyOfAddress(addr);
  if (family === undefined) return undefined;
  if (prefix === undefined) return { family, addr, prefix: undefined };
  if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return undefined;
  return { family, addr, prefix: Number(prefix) };
}

/** The 128 (or 32) bits of an address as a string of 0 and 1. */
function bitsOf(addr: string, family: Family): string {
  if (family === 4) return addr.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  let text = addr;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const b = tail.split('.').map(Number);
    text = text.slice(0, -tail.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

/** True when the address has no bit set past the prefix (the kernel refuses such a route). */
export function hostBitsClear(addr: string, family: Family, prefix: number): boolean {
  return !bitsOf(addr, family).slice(prefix).includes('1');
}

/** An unsigned 32-bit integer as netifd reads it with strtoul(…, 0): decimal, 0x-hex or 0-octal. */
export function isU32(v: string): boolean {
  const n = /^0x[0-9a-f]{1,8}$/i.test(v) ? parseInt(v.slice(2), 16) : /^0[0-7]*$/.test(v) ? parseInt(v, 8) : /^[1-9][0-9]{0,9}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n <= 0xffffffff;
}

/* ---------- devices ---------- */

/** The host device an ICN `dev` names: a device, `#<ip>` (the device with that address) or `#default`. */
export function resolveDevice(dev: string, family: Family, host: HostFacts): string | undefined {
  if (dev === '#default') return family === 6 ? host.defaultDevice6 : host.defaultDevice;
  if (dev.startsWith('#')) {
    const ip = dev.slice(1).toLowerCase();
    return host.devices.find((d) => d.addresses.some((a) => (a.split('/')[0] ?? '').toLowerCase() === ip))?.name;
  }
  return host.devices.find((d) => d.name === dev)?.name;
}

/**
 * The `network` interface section whose `device` (or the older `ifname`) is `device`; a
 * WireGuard interface has no device option: netifd names its device after the section.
 */
export function interfaceOfDevice(pkg: UciPackage | undefined, device: string): UciSection | undefined {
  return pkg?.sections.find((s) => {
    if (s.type !== 'interface') return false;
    if (s.name === device && optionString(s, 'proto') === 'wireguard') return true;
    if (optionString(s, 'device') === device) return true;
    return (optionString(s, 'ifname') ?? '').split(/\s+/).includes(device);
  });
}

/**
 * The logical interface netifd attaches a route on `dev` to, or 428 naming `dev`: the device
 * must exist (as ICN checked) and be the device of an interface of the network config
 * (netifd drops a route whose interface it does not know, without a word).
 */
export function interfaceForDev(pkg: UciPackage | undefined, dev: string, family: Family, host: HostFacts): string {
  const device = resolveDevice(dev, family, host);
  if (device === undefined) {
    const what = dev === '#default' ? `there is no IPv${family} default route` : dev.startsWith('#') ? `no device holds the address ${dev.slice(1)}` : `no device ${JSON.stringify(dev)} exists`;
    throw preconditionRequired(`Field[dev] checked failed: Invalid interface: ${what}`);
  }
  const iface = interfaceOfDevice(pkg, device);
  if (!iface) {
    throw preconditionRequired(
      `Field[dev] checked failed: Invalid interface: device ${JSON.stringify(device)} is the device of no interface of the network config, and netifd ignores a route without one`,
    );
  }
  return iface.name;
}

/* ---------- sections ---------- */

export type Kind = 'route' | 'rule' | 'application';

/** Sections of `types` owned by `kind`, in file order. */
export const ownedSections = (pkg: UciPackage | undefined, types: readonly string[], kind: Kind): UciSection[] =>
  (pkg?.sections ?? []).filter((s) => types.includes(s.type) && s.options.get(KIND_OPTION) === kind && typeof s.options.get(NAME_OPTION) === 'string');

/** The sections of one object. */
export const sectionsNamed = (pkg: UciPackage | undefined, types: readonly string[], kind: Kind, name: string): UciSection[] =>
  ownedSections(pkg, types, kind).filter((s) => s.options.get(NAME_OPTION) === name);

/** Whether the section recorded `field` as not sent. */
export const defaulted = (section: UciSection, field: string): boolean => {
  const v = section.options.get(DEFAULTED_OPTION);
  return v !== undefined && (Array.isArray(v) ? v : v.split(/\s+/)).includes(field);
};

/** A section the object should have: its type and options (in the order they are written). */
export interface DesiredSection {
  type: string;
  options: Map<string, UciValue>;
}

/**
 * The operations that turn the object's `current` sections into `desired`, touching only
 * `managed` options: each desired section takes over a current one of its type (the first
 * for which `same` holds, when given), in place; current sections left over are deleted,
 * desired ones left over are added at the end. An unchanged object gives no operation.
 *
 * Order within the batch: updates first (their `@type[i]` addresses are the snapshot's),
 * then deletes from the last section up (the addresses of those before stay valid), then
 * additions, each addressed as `@type[-1]` right after its `add`.
 */
export function replaceSectionsOps(
  pkg: UciPackage,
  current: readonly UciSection[],
  desired: readonly DesiredSection[],
  managed: readonly string[],
  same: (a: UciSection, b: DesiredSection) => boolean = () => true,
): BatchOp[] {
  const free = [...current];
  const updates: BatchOp[] = [];
  const additions: BatchOp[] = [];
  for (const want of desired) {
    const i = free.findIndex((s) => s.type === want.type && same(s, want));
    if (i >= 0) {
      const [have] = free.splice(i, 1) as [UciSection];
      updates.push(...syncOptionsOps(addressOf(pkg, have), have, want.options, managed));
    } else {
      additions.push({ op: 'add', type: want.type }, ...syncOptionsOps(`@${want.type}[-1]`, undefined, want.options, managed));
    }
  }
  return [...updates, ...deleteSectionsOps(pkg, free), ...additions];
}

/** Deletes of `sections`, the last in the file first. */
export function deleteSectionsOps(pkg: UciPackage, sections: readonly UciSection[]): BatchOp[] {
  return [...sections]
    .sort((a, b) => pkg.sections.indexOf(b) - pkg.sections.indexOf(a))
    .map((s): BatchOp => ({ op: 'delete', section: addressOf(pkg, s) }));
}

/** Options in the order given, leaving out undefined ones. */
export function optionMap(entries: Array<[string, UciValue | undefined]>): Map<string, UciValue> {
  return new Map(entries.filter((e): e is [string, UciValue] => e[1] !== undefined && !(Array.isArray(e[1]) && e[1].length === 0)));
}
