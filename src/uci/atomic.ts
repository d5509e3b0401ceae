/**
 * Crash-safe file replacement, as `uci commit` does it: write a temporary file in the same
 * directory (`.NAME.uci-XXXXXX`, ignored by uci since it starts with a dot), fsync it, give it
 * the mode of the file it replaces and rename it over the old one; then, unless told
 * otherwise, fsync the directory (which libuci's commit does not).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileBytes } from './bytes.js';

const TEMP_RE = /^\..+\.uci-[A-Za-z0-9]{6}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A temporary name as mkstemp makes them (six letters or digits): it needs to be unlikely to
 * exist, not unpredictable (the file is created exclusively, and another name tried when
 * taken), so it comes from Math.random rather than the crypto module (~20 µs per write).
 */
function tempNameFor(dir: string, base: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return path.join(dir, `.${base}.uci-${suffix}`);
}

/** Whether `name` is one of the temporary files made here (what a killed writer leaves behind). */
export const isTempName = (name: string): boolean => TEMP_RE.test(name);

/**
 * Writes `data` into `file`, a new file (created exclusively: an existing one is an EEXIST
 * error, and left alone), with exactly `mode` whatever the umask, fsynced. Removed again when
 * the write fails.
 */
export function writeNewFileSync(file: string, data: Buffer | string | FileBytes, mode: number): void {
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data instanceof FileBytes ? data.flatten() : data;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw e;
  }
  fs.closeSync(fd);
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Replace `target` atomically with `data`, the file's mode `mode` (default 0600). The
 * temporary file is created in `tempDir` (default: the target's directory; uci uses the config
 * directory). `syncDir: false` leaves out the fsync of the directory after the rename, as
 * libuci's uci_file_commit does. The one way the agent replaces a file.
 */
export function atomicWriteFileSync(
  target: string,
  data: Buffer | string | FileBytes,
  opts: { mode?: number; tempDir?: string; tempBase?: string; syncDir?: boolean } = {},
): void {
  const dir = opts.tempDir ?? path.dirname(target);
  const base = opts.tempBase ?? path.basename(target);
  let tmp: string;
  for (let attempt = 0; ; attempt++) {
    tmp = tempNameFor(dir, base);
    try {
      writeNewFileSync(tmp, data, opts.mode ?? 0o600);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw e; // a name taken: another
    }
  }
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.syncDir !== false) fsyncDir(path.dirname(target));
}

/** Remove temporary files a killed writer left behind for `base`, if older than `minAgeMs`. */
export function cleanStaleTemps(dir: string, base: string, minAgeMs = 60_000): number {
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  const now = Date.now();
  for (const n of names) {
    if (!isTempName(n) || !n.startsWith(`.${base}.uci-`)) continue;
    const full = path.join(dir, n);
    try {
      const st = fs.statSync(full);
      if (st.isFile() && now - st.mtimeMs >= minAgeMs) {
        fs.rmSync(full, { force: true });
        removed++;
      }
    } catch {
      // gone already
    }
  }
  return removed;
}
