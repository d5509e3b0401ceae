import type { Resource } from '../resources/types.js';
import type { UciPackage } from '../uci/types.js';
import type { ConfigEventData } from './hub.js';

/**
 * Which config objects changed between two readings of the config: pure. A reading holds,
 * per kind of the registry, each object's name and a fingerprint of its fields (its JSON:
 * compared, never sent; a pre-shared key changes a fingerprint and is named nowhere).
 */
export type ObjectIndex = Map<string, Map<string, string>>;

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
    let objects;
    try {
      objects = kind.list(snap);
    } catch {
      continue;
    }
    const byName = new Map<string, string>();
    for (const obj of objects) byName.set(obj.name, JSON.stringify(obj));
    index.set(kindKey(kind), byName);
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
    // forEach rather than for-of: no [name, fingerprint] pair made per object
    now.forEach((fingerprint, name) => {
      const old = was.get(name);
      if (old === undefined) out.push({ kind, name, change: 'created', source: source() });
      else if (old !== fingerprint) out.push({ kind, name, change: 'updated', source: source() });
    });
    was.forEach((_, name) => {
      if (!now.has(name)) out.push({ kind, name, change: 'deleted', source: source() });
    });
  }
  return out;
}
