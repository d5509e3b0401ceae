import type { BatchOp, SectionRef, UciPackage, UciSection, UciValue } from '../uci/types.js';

/**
 * A flat API field stored as one UCI option. `list` fields are arrays in the API and
 * `list` entries in UCI; the others are strings and `option`s.
 */
export interface Field {
  api: string;
  /** The UCI option name, when it differs from the API field name. */
  uci?: string;
  list?: boolean;
}

export type FlatObject = Record<string, string | string[]>;

const uciName = (f: Field) => f.uci ?? f.api;

/** The options a flat object sets: fields absent from `obj` are left out. */
export function optionsOf(obj: Record<string, unknown>, fields: readonly Field[]): Map<string, UciValue> {
  const options = new Map<string, UciValue>();
  for (const f of fields) {
    const value = obj[f.api];
    if (value === undefined) continue;
    if (f.list) {
      const items = Array.isArray(value) ? value.map(String) : [String(value)];
      if (items.length > 0) options.set(uciName(f), items);
    } else {
      options.set(uciName(f), String(value));
    }
  }
  return options;
}

/** The flat API object stored in a section: only the options present. */
export function fieldsOf(section: UciSection, fields: readonly Field[]): FlatObject {
  const obj: FlatObject = {};
  for (const f of fields) {
    const value = section.options.get(uciName(f));
    if (value === undefined) continue;
    if (f.list) obj[f.api] = Array.isArray(value) ? [...value] : [value];
    else obj[f.api] = Array.isArray(value) ? value.join(' ') : value;
  }
  return obj;
}

/** The UCI option names a field table manages. */
export const managedOptions = (fields: readonly Field[]): string[] => fields.map(uciName);

const sameValue = (a: UciValue | undefined, b: UciValue | undefined): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((v, i) => v === b[i])
    : a === b;

/**
 * Operations that make `ref` hold `desired` for the options in `managed`, touching nothing
 * else: options the API does not manage (hand edits, other tools) stay as they are.
 */
export function syncOptionsOps(
  ref: SectionRef,
  current: UciSection | undefined,
  desired: Map<string, UciValue>,
  managed: readonly string[],
): BatchOp[] {
  const ops: BatchOp[] = [];
  for (const option of managed) {
    const have = current?.options.get(option);
    const want = desired.get(option);
    if (sameValue(have, want)) continue;
    // A plain value replaced by a plain value is one `set`, which keeps the option's place.
    if (typeof have === 'string' && typeof want === 'string') {
      ops.push({ op: 'set', section: ref, option, value: want });
      continue;
    }
    if (have !== undefined) ops.push({ op: 'delete', section: ref, option });
    if (want === undefined) continue;
    if (Array.isArray(want)) for (const value of want) ops.push({ op: 'add_list', section: ref, option, value });
    else ops.push({ op: 'set', section: ref, option, value: want });
  }
  return ops;
}

/** Operations that create or update the named section `name` of `type`. */
export function namedSectionOps(
  pkg: UciPackage,
  name: string,
  type: string,
  desired: Map<string, UciValue>,
  managed: readonly string[],
  /** The section of that name, when the caller looked it up already (null: there is none). */
  found?: UciSection | null,
): BatchOp[] {
  const current = found === undefined ? pkg.sections.find((s) => s.name === name) : (found ?? undefined);
  const ops: BatchOp[] = [];
  if (!current || current.type !== type) ops.push({ op: 'section', section: name, type });
  return ops.concat(syncOptionsOps(name, current?.type === type ? current : undefined, desired, managed));
}

/** The `@type[index]` address of a section (anonymous sections are addressed this way). */
export function addressOf(pkg: UciPackage, section: UciSection): SectionRef {
  const sameType = pkg.sections.filter((s) => s.type === section.type);
  return `@${section.type}[${sameType.indexOf(section)}]`;
}

/** Operations that create (`add`) or update an anonymous section. */
export function anonymousSectionOps(
  pkg: UciPackage,
  current: UciSection | undefined,
  type: string,
  desired: Map<string, UciValue>,
  managed: readonly string[],
): BatchOp[] {
  if (current) return syncOptionsOps(addressOf(pkg, current), current, desired, managed);
  return [{ op: 'add', type } as BatchOp].concat(syncOptionsOps(`@${type}[-1]`, undefined, desired, managed));
}

/** The anonymous (or named) sections of `type` whose `option name` is `name`. */
export function findByNameOption(pkg: UciPackage | undefined, type: string, name: string): UciSection | undefined {
  return pkg?.sections.find((s) => s.type === type && s.options.get('name') === name);
}

/** The string value of an option (a list reads as its entries joined by spaces, as uci get does). */
export function optionString(section: UciSection | undefined, option: string): string | undefined {
  const value = section?.options.get(option);
  return Array.isArray(value) ? value.join(' ') : value;
}

/** The list value of an option (a single `option` counts as a one-entry list, as uci's readers do). */
export function optionList(section: UciSection | undefined, option: string): string[] {
  const value = section?.options.get(option);
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value];
}
