// At start, before the agent listens: the owned files a crash left behind. A write stages an
// object's files (IPsec certificates and private keys) before its UCI batch is committed; a
// kill -9 in between leaves files that no section references, and temporary files of the
// atomic writer. Nothing else would ever remove them, and a stray private key is still loaded
// by strongSwan. Removed here: in each directory a kind owns (`ownedFiles.dirs`), every temporary
// file of ours and every file no object of the kind references. Each removal is logged with
// its path only. When a config cannot be read, nothing of its kind is removed.
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Settings } from '../config.js';
import type { OwnedFiles, Resource, Snapshot } from '../resources/types.js';
import { isTempName } from '../uci/atomic.js';
import type { UciStore } from '../uci/types.js';
import { rootDir, snapshotOf } from './read.js';

/** The paths (relative to the file root) the objects of `kind` reference. */
function referencedPaths(kind: Resource, owned: OwnedFiles<{ name: string }, string>, snap: Snapshot): Set<string> {
  const paths = new Set<string>();
  const record = (p: string) => {
    paths.add(path.normalize(p));
    return undefined;
  };
  for (const obj of kind.list(snap)) owned.fill(obj, snap, record);
  return paths;
}

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Removes the orphans of every kind with owned directories; answers the paths removed. */
export async function removeOrphanFiles(opts: {
  store: UciStore;
  settings: Pick<Settings, 'ipsecDir'>;
  resources: readonly Resource[];
  log: Pick<Logger, 'warn' | 'error'>;
}): Promise<string[]> {
  const removed: string[] = [];
  for (const def of opts.resources) {
    const owned = def.ownedFiles;
    if (!owned?.dirs.length) continue;
    const root = rootDir(opts.settings, owned.root);
    let snap: Snapshot;
    try {
      snap = await snapshotOf(opts.store, def);
    } catch (err) {
      opts.log.warn({ err, config: def.config }, 'owned files not checked: the config cannot be read');
      continue;
    }
    const referenced = referencedPaths(def, owned, snap);
    for (const dir of owned.dirs) {
      for (const name of await filesIn(path.join(root, dir))) {
        const rel = path.join(dir, name);
        if (!isTempName(name) && referenced.has(rel)) continue;
        try {
          await unlink(path.join(root, rel));
          removed.push(rel);
          opts.log.warn({ file: rel, root, kind: def.collection }, 'removed a file no object references (left by an interrupted write)');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.log.error({ err, file: rel }, 'cannot remove an unreferenced owned file');
        }
      }
    }
  }
  return removed;
}
