// What the agent keeps of each change set, in the save directory's `changes/<id>.json`: its
// state, its times, the packages and services it touched and, while it is pending, the exact
// bytes (and modes) of every file before it, for its rollback. Written through the journal
// together with the files of the set, so that a set and its record never disagree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceName } from '../services/table.js';
import type { FileWrite } from './journal.js';

export type SetState = 'pending' | 'confirmed' | 'rolled_back';

/** A file as it was before the set: base64 content (null: missing) and mode. */
export interface SavedFile {
  path: string;
  content: string | null;
  mode: number;
}

export interface SetRecord {
  id: string;
  state: SetState;
  created_at: string;
  /** When a pending set is rolled back unless confirmed (ISO 8601). */
  deadline?: string;
  confirmed_at?: string;
  rolled_back_at?: string;
  /** Why it was rolled back: `timeout`, or the reload that failed. */
  rolled_back_because?: string;
  packages: string[];
  services: ServiceName[];
  /** While pending: every file the set wrote, as it was before. */
  restore?: SavedFile[];
}

/** The record as GET answers it (the saved bytes stay on the box: they may hold keys). */
export function publicView(r: SetRecord): Omit<SetRecord, 'restore'> {
  const { restore: _restore, ...view } = r;
  return view;
}

const RECORD_NAME = /^[0-9a-f-]{36}\.json$/;
/** Finished records kept for GET; older ones are removed. */
export const FINISHED_KEPT = 100;

export const recordPath = (dir: string, id: string) => path.join(dir, `${id}.json`);

/** The journal write of a record (mode 0600: a pending record holds the bytes of private keys). */
export function recordWrite(dir: string, r: SetRecord): FileWrite {
  return { path: recordPath(dir, r.id), content: Buffer.from(`${JSON.stringify(r)}\n`), mode: 0o600 };
}

/** Every record in `dir`; the unreadable ones are reported by name and skipped. */
export function loadRecords(dir: string, onBad: (file: string, err: unknown) => void): SetRecord[] {
  const out: SetRecord[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!RECORD_NAME.test(name)) continue;
    const file = path.join(dir, name);
    try {
      out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as SetRecord);
    } catch (err) {
      onBad(file, err);
    }
  }
  return out;
}

/** Removes the oldest finished records beyond FINISHED_KEPT; answers those removed. */
export function pruneRecords(dir: string, records: Iterable<SetRecord>): string[] {
  const finished = [...records].filter((r) => r.state !== 'pending').sort((a, b) => b.created_at.localeCompare(a.created_at));
  const gone = finished.slice(FINISHED_KEPT).map((r) => r.id);
  for (const id of gone) fs.rmSync(recordPath(dir, id), { force: true });
  return gone;
}

/** A file's bytes and mode now (content null: missing). */
export function savedFile(file: string, fallbackMode: number): SavedFile {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? { path: file, content: fs.readFileSync(file).toString('base64'), mode: st.mode & 0o7777 } : { path: file, content: null, mode: fallbackMode };
}

/** The journal write that puts a saved file back. */
export const restoreWrite = (f: SavedFile): FileWrite => ({ path: f.path, content: f.content === null ? undefined : Buffer.from(f.content, 'base64'), mode: f.mode });
