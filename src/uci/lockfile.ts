/**
 * A lock between processes, for agents sharing one config directory (Node has no flock): a
 * symbolic link whose target is the holder's "pid host token". symlink(2) creates it with that
 * name already in it, in one call that fails when the lock exists, so a holder killed at any
 * moment leaves no lock or a named one, never an empty file that only its age could break.
 * A lock whose holder is gone (a process of this host that no longer exists, an earlier
 * process with this pid, as in a restarted container where the agent is pid 1 again, or a
 * lock older than staleMs) is broken: renamed away first, so that of two processes breaking it
 * at once only one does. On a filesystem without symbolic links the lock is a file created
 * with O_EXCL and then named (read as a holder between the two only until staleMs).
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
const ME = `${process.pid} ${HOST} ${TOKEN}`;

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

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** The holder a lock names: the link's target, or the text of a lock file. Throws ENOENT when there is none. */
function ownerOf(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch (e) {
    if (codeOf(e) === 'EINVAL') return fs.readFileSync(file, 'utf8'); // a file, not a link
    throw e;
  }
}

/** Creates the lock as an O_EXCL file holding our name: false when it exists. */
function createFile(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (e) {
    if (codeOf(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, ME);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function tryAcquire(file: string): boolean {
  try {
    fs.symlinkSync(ME, file);
    return true;
  } catch (e) {
    const code = codeOf(e);
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      // a save directory in /tmp, emptied
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      return tryAcquire(file);
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    return createFile(file); // no symbolic links here
  }
}

/** Removes the lock when its holder is gone; true when the caller should try again at once. */
function breakIfStale(file: string, staleMs: number): boolean {
  let owner: string;
  let st: fs.Stats;
  try {
    owner = ownerOf(file);
    st = fs.lstatSync(file);
  } catch {
    return true; // released meanwhile
  }
  // empty: a holder between creating the file and writing its name, where there are no
  // symbolic links: only age breaks it
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
    taken = ownerOf(aside);
  } catch {
    // gone
  }
  if (taken !== owner) {
    // a new holder's lock, taken between our read and our rename: give it back (link(2)
    // does not follow a symbolic link: the link itself is put back)
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
