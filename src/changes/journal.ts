// Writing several files as one: after a crash at any moment, every file is either as it was
// before or as it is after, all of them together. Used by change sets (src/changes/sets.ts)
// for the config files of every package they touch, their owned files and their own record.
//
// One commit, in a journal directory (the save directory's `changes/`):
//   1. `<id>.prepare` names every target and the temporary file that will replace it (a
//      sibling `.NAME.sdewan-set-XXXXXX`, so that the rename stays on one filesystem); written
//      atomically (temp, fsync, rename, fsync of the directory);
//   2. each temporary file is written and fsynced, with its final mode;
//   3. the commit point: `<id>.prepare` is renamed to `<id>.journal`, and the directory fsynced;
//   4. each temporary file is renamed over its target (or the target removed), directories fsynced;
//   5. `<id>.journal` is removed.
// At start, `recoverJournals` finishes what was committed and forgets what was not: a
// `.journal` is rolled forward (step 4 again, skipping what is done), a `.prepare` has its
// temporary files removed. Both are idempotent, so a crash during recovery is fine too.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFileSync, fsyncDir, isTempName, writeNewFileSync } from '../uci/atomic.js';

/** A file's new content (with its mode), or undefined to remove it. */
export interface FileWrite {
  path: string;
  content: Buffer | undefined;
  mode: number;
}

interface Entry {
  path: string;
  /** The temporary file holding the new content; absent: the target is removed. */
  temp?: string;
}

const PREPARE = '.prepare';
const JOURNAL = '.journal';

function removeIfExists(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch (err) {
    // a path under something that is not a directory does not exist either
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
  }
}

function tempFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.sdewan-set-${randomBytes(6).toString('hex')}`);
}

/** Renames each temporary file over its target (skipping those already renamed) or removes the target. */
function rollForward(entries: readonly Entry[]): void {
  const dirs = new Set<string>();
  for (const e of entries) {
    if (e.temp === undefined) removeIfExists(e.path);
    else if (fs.existsSync(e.temp)) fs.renameSync(e.temp, e.path);
    dirs.add(path.dirname(e.path));
  }
  for (const dir of dirs) fsyncDir(dir);
}

/** Writes every file of `writes` as one (see the top of this file). `journalDir` must exist. */
export function commitFiles(journalDir: string, writes: readonly FileWrite[]): void {
  if (writes.length === 0) return;
  const id = randomBytes(8).toString('hex');
  const entries: Entry[] = writes.map((w) => (w.content === undefined ? { path: w.path } : { path: w.path, temp: tempFor(w.path) }));
  const prepare = path.join(journalDir, id + PREPARE);
  const journal = path.join(journalDir, id + JOURNAL);
  atomicWriteFileSync(prepare, JSON.stringify({ entries }), { mode: 0o600 });
  try {
    writes.forEach((w, i) => {
      const temp = entries[i]!.temp;
      if (temp === undefined) return;
      fs.mkdirSync(path.dirname(temp), { recursive: true, mode: 0o755 });
      writeNewFileSync(temp, w.content!, w.mode);
    });
  } catch (err) {
    for (const e of entries) if (e.temp !== undefined) removeIfExists(e.temp);
    removeIfExists(prepare);
    throw err;
  }
  fs.renameSync(prepare, journal);
  fsyncDir(journalDir);
  // Committed: from here on the files are after, whatever happens (recovery finishes the job).
  rollForward(entries);
  removeIfExists(journal);
  fsyncDir(journalDir);
}

/**
 * Finishes the commits a crash interrupted (rolls committed journals forward, discards the
 * prepared ones). Answers how many of each it found.
 */
export function recoverJournals(journalDir: string): { rolledForward: number; discarded: number } {
  let names: string[];
  try {
    names = fs.readdirSync(journalDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { rolledForward: 0, discarded: 0 };
    throw err;
  }
  let rolledForward = 0;
  let discarded = 0;
  for (const name of names.sort()) {
    const file = path.join(journalDir, name);
    // a `.prepare` being written when the process died (`*.tmp`: the name an older agent gave it)
    if (isTempName(name) || name.endsWith('.tmp')) {
      removeIfExists(file);
      continue;
    }
    if (!name.endsWith(JOURNAL) && !name.endsWith(PREPARE)) continue;
    const { entries } = JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: Entry[] };
    if (name.endsWith(JOURNAL)) {
      rollForward(entries);
      rolledForward++;
    } else {
      for (const e of entries) if (e.temp !== undefined) removeIfExists(e.temp);
      discarded++;
    }
    removeIfExists(file);
  }
  if (rolledForward + discarded > 0) fsyncDir(journalDir);
  return { rolledForward, discarded };
}
