// Reading kinds: the packages a kind names, its objects with their file-held fields, and the
// JSON text of its lists, kept while the files they come from keep their identity.
import type { Settings } from '../config.js';
import type { AnyObject, FileRoot, Resource, Snapshot } from '../resources/types.js';
import type { UciPackage, UciStore } from '../uci/types.js';
import { fillFileFields } from './owned-files.js';

export interface ReadDeps {
  store: UciStore;
  settings: Pick<Settings, 'ipsecDir'>;
}

/** The directory of a file root. */
export function rootDir(settings: Pick<Settings, 'ipsecDir'>, root: FileRoot): string {
  switch (root) {
    case 'swanctl':
      return settings.ipsecDir;
  }
}

/** The packages a kind names; its own as given (read under its write lock) when `own` is set. */
export async function snapshotOf(store: UciStore, kind: Resource, own?: UciPackage): Promise<Snapshot> {
  const names = [kind.config, ...(kind.reads ?? [])];
  const pkgs = await Promise.all(names.map((n) => (n === kind.config && own ? own : store.read(n))));
  return Object.fromEntries(names.map((n, i) => [n, pkgs[i] as UciPackage]));
}

/** The objects of `snap` (every one, or those given), with the fields kept in owned files. */
export function withFiles(deps: ReadDeps, kind: Resource, snap: Snapshot, objs: readonly AnyObject[] = kind.list(snap)): Promise<AnyObject[]> {
  const owned = kind.ownedFiles;
  return fillFileFields(owned, snap, objs, owned ? rootDir(deps.settings, owned.root) : '');
}

/** The object of that name in `snap` as a GET answers it (owned files read), or undefined. */
export async function objectIn(deps: ReadDeps, kind: Resource, snap: Snapshot, name: string): Promise<AnyObject | undefined> {
  const obj = kind.find(snap, name);
  return obj && (await withFiles(deps, kind, snap, [obj]))[0];
}

/** The stored object of that name, or undefined. */
export async function readObject(deps: ReadDeps, kind: Resource, name: string): Promise<AnyObject | undefined> {
  return objectIn(deps, kind, await snapshotOf(deps.store, kind), name);
}

/**
 * The JSON text of a kind's list under `key` (and the kind's extra list keys), kept while the
 * files it comes from keep their identity: a list of hundreds of objects then costs a stat per
 * file instead of a parse, a translation and a serialization per request. The identities are
 * taken before the files are read, so the text is never older than them. Kinds whose objects
 * carry owned files (read outside UCI) are not cached.
 */
export function listText(deps: ReadDeps, kind: Resource, key: string): () => Promise<Buffer> {
  const pkgs = [kind.config, ...(kind.reads ?? [])];
  const keys = [key, ...(kind.listKeys ?? [])];
  let cached: { identity: string; body: Buffer } | undefined;
  return async () => {
    const identity = kind.ownedFiles ? undefined : pkgs.map((p) => deps.store.identity(p)).join('/');
    if (identity !== undefined && cached?.identity === identity) return cached.body;
    const list = await withFiles(deps, kind, await snapshotOf(deps.store, kind));
    const body = Buffer.from(JSON.stringify(Object.fromEntries(keys.map((k) => [k, list]))));
    if (identity !== undefined) cached = { identity, body };
    return body;
  };
}
