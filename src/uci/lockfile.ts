/**
 * A lock between processes, for agents sharing one config directory: a file created with
 * O_EXCL (Node has no flock), holding "pid host token". A lock whose holder is gone (a process
 * of this host that no longer exists, an earlier process with this pid, as in a restarted
 * container where the agent is pid 1 again, or a lock older than staleMs) is broken: renamed
 * away first, so that of two processes breaking it at once only one does.
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

function tryAcquire(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw e;
    // its directory is missing (a save directory in /tmp, emptied): make it, once
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fd = fs.openSync(file, 'wx', 0o600);
  }
  try {
    fs.writeSync(fd, me());
  } finally {
    fs.closeSync(fd);
  }
  return true;
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
  // a holder between creating the file and writing its name looks empty: give it time
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
