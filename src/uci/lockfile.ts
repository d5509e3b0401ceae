/**
 * A lock between processes, for agents sharing one config directory: a file holding "pid host
 * token" (Node has no flock). It comes into being with that name already in it: written aside
 * first, then hard-linked into place, which fails when the lock exists. So a holder killed at
 * any moment leaves no lock or a named one, never an empty file that only its age could break
 * (60 s of refused waiting for the next agent). A lock whose holder is gone (a process of this
 * host that no longer exists, an earlier process with this pid, as in a restarted container
 * where the agent is pid 1 again, or a lock older than staleMs) is broken: renamed away first,
 * so that of two processes breaking it at once only one does. On a filesystem without hard
 * links the lock is created with O_EXCL and then named.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface LockFileOptions {
  /** A lock older than this is taken as abandoned (default 60 s: longer than any write). */
  staleMs?: number;
}

const HOST = os.hostname();
const TOKEN = randomBytes(6).toString('hex');
const me = (): string => `${process.pid} ${HOST} ${TOKEN}`;

function alive(owner: string): boolean {
  const [pid, host, token] = owner.split(' ');
  if (host !== HOST) return true; // cannot tell: only age breaks it
  if (Number(pid) === process.pid) return token === TOKEN;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `text` into `file`, making its directory when it is missing (a save directory in /tmp, emptied). */
function writeNew(file: string, text: string, flag: 'w' | 'wx'): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, flag, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw e;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fd = fs.openSync(file, flag, 0o600);
  }
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Where this process writes its name before linking it into place as `file`. */
const asideOf = (file: string) => `${file}.${process.pid}-${TOKEN}`;
const ASIDE_RE = /\.(\d+)-([0-9a-f]{12})$/;

/** Lock paths whose left-over aside files (of processes killed before their link) were removed. */
const swept = new Set<string>();

function sweepAsides(file: string): void {
  if (swept.has(file)) return;
  swept.add(file);
  const dir = path.dirname(file);
  const base = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(base) ? ASIDE_RE.exec(name.slice(base.length - 1)) : null;
    if (m && !alive(`${m[1]} ${HOST} ${m[2]}`)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function tryAcquire(file: string): boolean {
  sweepAsides(file);
  const aside = asideOf(file);
  writeNew(aside, me(), 'w');
  try {
    fs.linkSync(aside, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    return writeNew(file, me(), 'wx'); // no hard links here
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Removes the lock when its holder is gone; true when the caller should try again at once. */
function breakIfStale(file: string, staleMs: number): boolean {
  let owner: string;
  let st: fs.Stats;
  try {
    owner = fs.readFileSync(file, 'utf8');
    st = fs.statSync(file);
  } catch {
    return true; // released meanwhile
  }
  // empty: a holder between creating the file and writing its name, where there are no hard
  // links (or an agent before the lock was linked into place): only age breaks it
  const stale = Date.now() - st.mtimeMs > staleMs || (owner !== '' && !alive(owner));
  if (!stale) return false;
  const aside = `${file}.stale-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return true; // someone else broke it
  }
  let taken = '';
  try {
    taken = fs.readFileSync(aside, 'utf8');
  } catch {
    // gone
  }
  if (taken !== owner) {
    // a new holder's lock, taken between our read and our rename: give it back
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third process holds it now; the new holder's write still completes under its own lock
    }
  }
  fs.rmSync(aside, { force: true });
  return true;
}

/** Runs fn holding the lock `file`, waiting (polling with back-off) while another process holds it. */
export async function withLockFile<T>(file: string, fn: () => Promise<T>, opts: LockFileOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 60_000;
  let wait = 1;
  while (!tryAcquire(file)) {
    if (breakIfStale(file, staleMs)) continue;
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 20);
  }
  try {
    return await fn();
  } finally {
    fs.unlinkSync(file);
  }
}
