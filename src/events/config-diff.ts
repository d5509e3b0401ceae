import type { Resource } from '../resources/types.js';
import type { UciPackage } from '../uci/types.js';
import type { ConfigEventData } from './hub.js';

/**
 * Which config objects changed between two readings of the config: pure. A reading holds,
 * per kind of the registry, each object by name, as the kind's kept listing has it (shared,
 * never changed: src/resources/types.ts). Objects are compared field by field, never sent: a
 * changed pre-shared key makes an update and is named nowhere.
 */
export type ObjectIndex = Map<string, ReadonlyMap<string, unknown>>;

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
      // the kind's kept map: the same one while its packages did not change
      index.set(kindKey(kind), kind.byName(snap));
    } catch {
      continue;
    }
  }
  return index;
}

/** The objects created, updated and deleted from `before` to `after`, kind by kind, in list order. */
export function diffObjects(before: ObjectIndex, after: ObjectIndex, sourceOf: (kind: string) => ConfigEventData['source']): ConfigEventData[] {
  const out: ConfigEventData[] = [];
  for (const [kind, now] of after) {
    const was = before.get(kind);
    if (was === undefined) continue; // not known before: nothing to compare with
    if (was === now) continue; // a kind not listed again
    let known: ConfigEventData['source'] | undefined;
    const source = () => (known ??= sourceOf(kind));
    // forEach rather than for-of: no [name, object] pair made per object
    now.forEach((obj, name) => {
      const old = was.get(name);
      if (old === undefined) out.push({ kind, name, change: 'created', source: source() });
      else if (!sameJson(old, obj)) out.push({ kind, name, change: 'updated', source: source() });
    });
    was.forEach((_, name) => {
      if (!now.has(name)) out.push({ kind, name, change: 'deleted', source: source() });
    });
  }
  return out;
}
