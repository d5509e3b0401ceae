import type { AnyObject, Resource } from '../resources/types.js';
import type { UciPackage } from '../uci/types.js';
import type { ConfigEventData } from './hub.js';

/**
 * Which config objects changed between two readings of the config: pure. A reading holds,
 * per kind of the registry, its objects in list order, as the kind's kept listing has them
 * (shared, never changed: src/resources/types.ts; an object of a section no write touched is
 * the same object in the next listing). Objects are compared field by field, never sent: a
 * changed pre-shared key makes an update and is named nowhere.
 */
export type ObjectIndex = Map<string, readonly AnyObject[]>;

/**
 * Whether two values of listed objects are the same as JSON: the same reference (an object of
 * a listing that did not change), or the same fields and values in any order, a field whose
 * value is undefined being no field. Compared instead of the objects' JSON texts: nothing is
 * made per object (a write into a 500-rule config compares 500 objects).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let fields = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    fields++;
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) fields--;
  return fields === 0;
}

/** `<domain>/<collection>`: the kind as its API path names it. */
export const kindKey = (r: Pick<Resource, 'domain' | 'collection'>) => `${r.domain}/${r.collection}`;

/** The packages a kind's list reads. */
export const packagesOf = (r: Pick<Resource, 'config' | 'reads'>): string[] => [r.config, ...(r.reads ?? [])];

/**
 * Every kind's objects, for the kinds whose packages are all in `packages`. A kind whose list
 * throws on a config it does not understand is left out (its objects are unknown, not gone).
 */
export function indexObjects(kinds: readonly Resource[], packages: ReadonlyMap<string, UciPackage>): ObjectIndex {
  const index: ObjectIndex = new Map();
  for (const kind of kinds) {
    const pkgs = packagesOf(kind);
    if (!pkgs.every((p) => packages.has(p))) continue;
    const snap = Object.fromEntries(pkgs.map((p) => [p, packages.get(p)!]));
    try {
      // the kind's kept listing: the same one while its packages did not change
      index.set(kindKey(kind), kind.list(snap));
    } catch {
      continue;
    }
  }
  return index;
}

/** Each name's first object (a listing's object of a name is the first of that name, as a GET finds it). */
function firstByName(objects: readonly AnyObject[]): Map<string, AnyObject> {
  const map = new Map<string, AnyObject>();
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    if (!map.has(obj.name)) map.set(obj.name, obj);
  }
  return map;
}

/** How many objects at the start of both lists are the same objects. */
function sharedPrefix(was: readonly AnyObject[], now: readonly AnyObject[]): number {
  const n = Math.min(was.length, now.length);
  let i = 0;
  while (i < n && was[i] === now[i]) i++;
  return i;
}

type Change = Omit<ConfigEventData, 'kind' | 'source'>;

/**
 * The changes from `was` to `now`, by first object of each name, in list order: created and
 * updated in the order of `now`, then deleted in the order of `was`. When `now` is `was` with
 * objects appended (the write of a new object; objects of untouched sections are the same
 * objects), the appended ones alone are looked at, and no map is made.
 */
function changesOf(was: readonly AnyObject[], now: readonly AnyObject[]): Change[] {
  const prefix = sharedPrefix(was, now);
  if (prefix === was.length) {
    const out: Change[] = [];
    for (let i = prefix; i < now.length; i++) {
      const name = now[i]!.name;
      let seen = false; // a name met before is not its first object: no change of its own
      for (let j = 0; j < i && !seen; j++) seen = now[j]!.name === name;
      if (!seen) out.push({ name, change: 'created' });
    }
    return out;
  }
  const before = firstByName(was);
  const after = firstByName(now);
  const out: Change[] = [];
  // forEach rather than for-of: no [name, object] pair made per object
  after.forEach((obj, name) => {
    const old = before.get(name);
    if (old === undefined) out.push({ name, change: 'created' });
    else if (!sameJson(old, obj)) out.push({ name, change: 'updated' });
  });
  before.forEach((_, name) => {
    if (!after.has(name)) out.push({ name, change: 'deleted' });
  });
  return out;
}

/** The objects created, updated and deleted from `before` to `after`, kind by kind, in list order. */
export function diffObjects(before: ObjectIndex, after: ObjectIndex, sourceOf: (kind: string) => ConfigEventData['source']): ConfigEventData[] {
  const out: ConfigEventData[] = [];
  for (const [kind, now] of after) {
    const was = before.get(kind);
    if (was === undefined) continue; // not known before: nothing to compare with
    if (was === now) continue; // a kind not listed again
    const changes = changesOf(was, now);
    if (changes.length === 0) continue;
    const source = sourceOf(kind);
    for (const c of changes) out.push({ kind, ...c, source });
  }
  return out;
}
