/**
 * The engine's in-memory model, shaped like libuci's lists so that the odd corners behave
 * the same (duplicate names after a rename, empty lists after del_list, the section counter
 * behind anonymous names). All strings are byte strings (see bytes.ts).
 *
 * Packages kept between loads (see cache.ts) have frozen sections: a package loaded from them
 * copies only its list of sections, and a section is copied when it is first changed
 * (writable()), so that a command costs what it changes, not the size of the package.
 */
import { fromBytes, toBytes } from './bytes.js';
import type { UciPackage, UciSection, UciValue } from './types.js';

export interface IOption {
  /** null only for the nameless list `add_list pkg.section=value` creates (never saved usefully). */
  name: string | null;
  kind: 'string' | 'list';
  value: string;
  items: string[];
}

export interface ISection {
  name: string;
  type: string;
  anonymous: boolean;
  options: IOption[];
  /** Given when the section is frozen (freezeSection): see memoOf. */
  memo?: SectionMemo;
}

/**
 * What is computed once for a frozen section, which never changes: kept on the section
 * itself, one property load where a WeakMap lookup per section per write added up (a write
 * into 500 rules goes through every section several times).
 */
export interface SectionMemo {
  /** Whether parsing its text gives it back as it is (cache.ts). */
  plain?: boolean;
  /** Its form in the shared model (toPublic). */
  pub?: UciSection;
  /** Its committed text (serialize.ts). */
  bytes?: Buffer;
}

/**
 * The memo of a frozen section; undefined for a writable one. Only freezing gives a section
 * one, as a property that is not enumerable: a copy made by spreading never carries it.
 */
export function memoOf(s: ISection): SectionMemo | undefined {
  return s.memo;
}

/** enum uci_command: the kinds of recorded change (delta file prefixes + - (none) @ ^ | ~). */
export const enum Cmd {
  ADD = 0,
  REMOVE = 1,
  CHANGE = 2,
  RENAME = 3,
  REORDER = 4,
  LIST_ADD = 5,
  LIST_DEL = 6,
}

export const CMD_CHAR = ['+', '-', '', '@', '^', '|', '~'] as const;

export interface Delta {
  cmd: Cmd;
  section: string;
  option: string | null;
  value: string | null;
}

export interface IPackage {
  name: string;
  sections: ISection[];
  /** p->n_section: bumped on every section allocation, feeds anonymous names. */
  nSection: number;
  path: string | null;
  hasDelta: boolean;
  /** Changes made since load, not yet written to the save directory. */
  delta: Delta[];
  /** Changes read from the save directory at load (what `uci changes` prints). */
  saved: Delta[];
  /**
   * Sections made or copied since its sections were last frozen (undefined: never frozen, so
   * any section may be writable).
   */
  fresh?: ISection[];
}

export function newPackage(name: string): IPackage {
  return { name, sections: [], nSection: 0, path: null, hasDelta: false, delta: [], saved: [] };
}

/** djbhash over a byte string, with C's signed char arithmetic (as on x86). */
export function djbhash(hash: number, str: string): number {
  let h = hash === 0xffffffff ? 5381 : hash;
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i) & 0xff;
    if (c > 127) c -= 256;
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  return h & 0x7fffffff;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** The name uci gives an anonymous section when it is created (before it has options). */
export function anonymousName(counter: number, type: string): string {
  return `cfg${hex(counter, 2)}${hex(djbhash(0xffffffff, type) % 65536, 4)}`;
}

/** uci_alloc_section: inserted at `index` (default: the end). */
export function allocSection(p: IPackage, type: string, name: string | null, index?: number): ISection {
  p.nSection++;
  const anonymous = name === null || name === '';
  const s: ISection = { name: anonymous ? anonymousName(p.nSection, type) : name!, type, anonymous, options: [] };
  p.fresh?.push(s);
  if (index === undefined) p.sections.push(s);
  else p.sections.splice(index, 0, s);
  return s;
}

export function findSection(p: IPackage, name: string): ISection | undefined {
  return p.sections.find((s) => s.name === name);
}

export function findOption(s: ISection, name: string): IOption | undefined {
  return s.options.find((o) => o.name === name);
}

export function stringOption(name: string | null, value: string): IOption {
  return { name, kind: 'string', value, items: [] };
}

/** uci_set on an existing section with another type (named sections keep their place). */
export function changeSectionType(p: IPackage, s: ISection, type: string): ISection {
  if (s.type === type) return s;
  if (s.type.length === type.length) {
    s.type = type;
    return s;
  }
  // libuci reallocates the section under its old name: it stops being anonymous.
  const idx = p.sections.indexOf(s);
  const n: ISection = { name: s.name, type, anonymous: false, options: s.options };
  p.fresh?.push(n);
  p.sections[idx] = n;
  return n;
}

/** uci_set on an option: replace in place, or append when new. Returns false when unchanged. */
export function setOption(s: ISection, name: string, value: string, existing?: IOption): boolean {
  const o = existing ?? findOption(s, name);
  if (!o) {
    s.options.push(stringOption(name, value));
    return true;
  }
  if (o.kind === 'string' && o.value === value) return false;
  if (o.kind === 'string') {
    o.value = value;
  } else {
    s.options[s.options.indexOf(o)] = stringOption(o.name, value);
  }
  return true;
}

/** uci_add_list: a string option becomes a list holding its old value first. */
export function addListItem(s: ISection, name: string | null, value: string, existing?: IOption): void {
  let o = existing ?? (name === null ? undefined : findOption(s, name));
  if (!o) {
    o = { name, kind: 'list', value: '', items: [] };
    s.options.push(o);
  } else if (o.kind === 'string') {
    const l: IOption = { name: o.name, kind: 'list', value: '', items: [o.value] };
    s.options[s.options.indexOf(o)] = l;
    o = l;
  }
  o.items.push(value);
}

/** uci_list_set_pos for sections; true when the section's predecessor changed. */
export function moveSection(p: IPackage, s: ISection, pos: number): boolean {
  const oldIdx = p.sections.indexOf(s);
  const oldPrev = oldIdx > 0 ? p.sections[oldIdx - 1] : null;
  p.sections.splice(oldIdx, 1);
  let newIdx = 0;
  let remaining = pos;
  for (let i = 0; i < p.sections.length; i++) {
    if (remaining-- <= 0) break;
    newIdx = i + 1;
  }
  p.sections.splice(newIdx, 0, s);
  const newPrev = newIdx > 0 ? p.sections[newIdx - 1] : null;
  return oldPrev !== newPrev;
}

// ---- sharing between loads ----

/** Freezes a section, its options and their lists (a no-op on a frozen one). */
export function freezeSection(s: ISection): ISection {
  if (Object.isFrozen(s)) return s;
  for (const o of s.options) {
    Object.freeze(o.items);
    Object.freeze(o);
  }
  Object.freeze(s.options);
  Object.defineProperty(s, 'memo', { value: {}, enumerable: false });
  return Object.freeze(s);
}

/** Freezes every section of `p` (the package and its list of sections stay writable). */
export function freezeSections(p: IPackage): IPackage {
  for (const s of p.fresh ?? p.sections) freezeSection(s);
  p.fresh = [];
  return p;
}

/** A package to work on, sharing the sections of `p`, which freezeSections(p) froze. */
export function copyPackage(p: IPackage): IPackage {
  return { ...p, sections: p.sections.slice(), delta: [], saved: p.saved.slice(), fresh: [] };
}

/** `s` made writable in `p`: a frozen section is replaced, at its place, by a copy. */
export function writable(p: IPackage, s: ISection): ISection {
  if (!Object.isFrozen(s)) return s;
  const copy: ISection = { ...s, options: s.options.map((o) => ({ ...o, items: o.items.slice() })) };
  p.fresh?.push(copy);
  const idx = p.sections.indexOf(s);
  if (idx >= 0) p.sections[idx] = copy;
  return copy;
}

// ---- conversion to and from the shared, UTF-8 model ----

function publicSection(s: ISection): UciSection {
  const options = new Map<string, UciValue>();
  for (const o of s.options) {
    if (o.name === null) continue;
    const key = fromBytes(o.name);
    if (options.has(key)) continue;
    options.set(key, o.kind === 'string' ? fromBytes(o.value) : o.items.map(fromBytes));
  }
  return { type: fromBytes(s.type), name: fromBytes(s.name), anonymous: s.anonymous, options };
}

/**
 * The shared model of `p`. A frozen section's converted form is kept and handed out again:
 * the result is read-only (UciPackage), and the UciStore hands it out as it is.
 */
export function toPublic(p: IPackage): UciPackage {
  return {
    name: fromBytes(p.name),
    sections: p.sections.map((s): UciSection => {
      const memo = memoOf(s);
      return memo ? (memo.pub ??= publicSection(s)) : publicSection(s);
    }),
  };
}

export function fromPublic(pkg: UciPackage): IPackage {
  const p = newPackage(toBytes(pkg.name));
  for (const s of pkg.sections) {
    p.nSection++;
    p.sections.push({
      name: toBytes(s.name),
      type: toBytes(s.type),
      anonymous: s.anonymous,
      options: [...s.options].map(([k, v]): IOption =>
        typeof v === 'string'
          ? stringOption(toBytes(k), toBytes(v))
          : { name: toBytes(k), kind: 'list', value: '', items: v.map(toBytes) },
      ),
    });
  }
  return p;
}
