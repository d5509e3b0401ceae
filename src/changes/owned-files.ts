import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { OwnedFile, OwnedFiles, Snapshot } from '../resources/types.js';
import { atomicWriteFileSync } from '../uci/atomic.js';

/**
 * The files a resource owns beside its UCI config (IPsec certificates and keys under the
 * swanctl tree), for the write path (`ownedFiles` of a definition):
 *
 * - a write stages the object's files (`files(obj)`) while the package is locked, before
 *   the batch is committed; `commit()` then removes the files the object owned before and no
 *   longer lists, `rollback()` puts every staged path back as it was when the batch failed;
 * - a delete removes `paths(name, snap)` after the batch is committed;
 * - a read fills the fields kept in files (`fill`).
 *
 * Each file is written atomically (a temporary file in the same directory, its mode set, then
 * renamed over the target), so strongSwan never reads half a key, and a private key is never
 * readable by others, not even for a moment.
 */

/** The absolute path of `rel` under `root`; refuses anything that would leave the root. */
export function resolveUnder(root: string, rel: string): string {
  if (rel === '' || path.isAbsolute(rel) || rel.split(/[\\/]/).some((part) => part === '..' || part === '')) {
    throw new Error(`owned file path ${JSON.stringify(rel)} is not a plain relative path`);
  }
  return path.join(root, rel);
}

async function readIfExists(file: string): Promise<{ content: Buffer; mode: number } | undefined> {
  try {
    const [content, st] = await Promise.all([readFile(file), stat(file)]);
    return { content, mode: st.mode & 0o7777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function removeIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Writes `content` to `file` atomically with exactly `mode` (whatever the umask), its directory made when missing. */
async function writeFileAtomic(file: string, content: string | Buffer, mode: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  atomicWriteFileSync(file, content, { mode });
}

export interface FileStage {
  /** After the batch was committed: removes what the object owned before and no longer lists. */
  commit(): Promise<void>;
  /** After the batch failed: every staged path back as it was. */
  rollback(): Promise<void>;
}

/**
 * Writes `next` under `root`, remembering what each path held. `previous` are the paths the
 * object owned before the write (`def.ownedPaths`).
 */
export async function stageOwnedFiles(root: string, next: readonly OwnedFile[], previous: readonly string[]): Promise<FileStage> {
  const saved: Array<{ file: string; before: { content: Buffer; mode: number } | undefined }> = [];
  const restore = async () => {
    for (const { file, before } of saved.reverse()) {
      if (before) await writeFileAtomic(file, before.content, before.mode);
      else await removeIfExists(file);
    }
  };
  try {
    for (const f of next) {
      const file = resolveUnder(root, f.path);
      saved.push({ file, before: await readIfExists(file) });
      await writeFileAtomic(file, f.content, f.mode);
    }
  } catch (err) {
    await restore();
    throw err;
  }
  const keep = new Set(next.map((f) => f.path));
  return {
    commit: () => removeOwnedFiles(root, previous.filter((p) => !keep.has(p))),
    rollback: restore,
  };
}

/** Removes the given paths under `root` (missing ones are fine). */
export async function removeOwnedFiles(root: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) await removeIfExists(resolveUnder(root, p));
}

/**
 * The objects with their file-held fields filled in (`owned.fill`). The definition reads
 * through a synchronous function: a first pass records which paths it asks for, they are
 * read, and a second pass fills the fields from what was read.
 */
export async function fillFileFields<T extends { name: string }, P extends string>(
  owned: Pick<OwnedFiles<T, P>, 'fill'> | undefined,
  snap: Snapshot<P>,
  objs: readonly T[],
  root: string,
): Promise<T[]> {
  if (!owned) return [...objs];
  const readFiles = owned.fill.bind(owned);
  const wanted = new Set<string>();
  for (const obj of objs) {
    readFiles(obj, snap, (p) => {
      wanted.add(p);
      return undefined;
    });
  }
  const contents = new Map<string, Buffer>();
  for (const p of wanted) {
    let file: string;
    try {
      file = resolveUnder(root, p);
    } catch {
      continue;
    }
    const found = await readIfExists(file);
    if (found) contents.set(p, found.content);
  }
  return objs.map((obj) => readFiles(obj, snap, (p) => contents.get(p)));
}
