// What a failed write tells the client when the storage is at fault. `uci commit` reports any
// failure to write as "I/O error" (the embedded engine too), and a failed write of an owned
// file carries an errno code: the cause is found from the error's code, else by trying to
// write a small file in each directory the write uses. A full file system is a 507, a
// read-only one (or one the agent may not write) a 503, each with a message naming the cause
// and the directory. The atomic writers leave every file as it was.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../errors.js';

/** The errno codes of storage that cannot take a write, with the answer each gets. */
const CAUSES: Record<string, { status: number; cause: string }> = {
  ENOSPC: { status: 507, cause: 'no space left on the file system' },
  EDQUOT: { status: 507, cause: 'disk quota exceeded' },
  EROFS: { status: 503, cause: 'the file system is read-only' },
  EACCES: { status: 503, cause: 'permission denied' },
  EPERM: { status: 503, cause: 'operation not permitted' },
};

/** Bytes the probe writes: more than a config file or a certificate of the agent's. */
const PROBE_BYTES = 64 * 1024;

/** The errno code of writing a small file in `dir`, or undefined when that works. */
export async function writeProbe(dir: string): Promise<string | undefined> {
  const file = path.join(dir, `.sdewan-probe-${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
    await handle.writeFile(Buffer.alloc(PROBE_BYTES));
    await handle.sync();
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // a directory that does not exist yet is not a storage failure: it is made on demand
    return code === 'ENOENT' ? undefined : code;
  } finally {
    await handle?.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
  }
}

/** The errno code that keeps `dir` from taking a write now (a full file system too), or undefined. */
async function probeDir(dir: string): Promise<string | undefined> {
  const code = await writeProbe(dir);
  if (code !== undefined) return code;
  try {
    if ((await statfs(dir)).bavail === 0) return 'ENOSPC';
  } catch {
    // statfs is a nicety
  }
  return undefined;
}

/**
 * Why `dir` cannot be written now (read-only, not permitted, full), or undefined; for /readyz.
 * Writes nothing (a probe polled every few seconds would wear a router's flash): access(2)
 * and statfs(2) only.
 */
export async function unwritableReason(dir: string): Promise<string | undefined> {
  let code: string | undefined;
  try {
    await access(dir, constants.W_OK);
    if ((await statfs(dir)).bavail === 0) code = 'ENOSPC';
  } catch (err) {
    code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  }
  return code === undefined ? undefined : `${CAUSES[code]?.cause ?? 'cannot write'} (${code})`;
}

function answer(code: string, dir: string | undefined): ApiError | undefined {
  const known = CAUSES[code];
  if (!known) return undefined;
  const where = dir === undefined ? '' : ` in ${dir}`;
  return new ApiError(known.status, `Cannot write the configuration${where}: ${known.cause} (${code}); nothing was changed`);
}

/**
 * The answer for a write that failed with `err`, when the storage is the cause: from the
 * error's own errno code, else from a probe of `dirs` (the config, save and owned-file
 * directories the write used). Undefined when the storage is fine (the error stands).
 */
export async function storageFailure(err: unknown, dirs: readonly string[]): Promise<ApiError | undefined> {
  if (err instanceof ApiError) return undefined;
  const e = err as NodeJS.ErrnoException | undefined;
  if (typeof e?.code === 'string' && CAUSES[e.code]) {
    const file = e.path;
    return answer(e.code, typeof file === 'string' ? dirs.find((d) => file.startsWith(d)) : undefined);
  }
  for (const dir of dirs) {
    const code = await probeDir(dir);
    if (code !== undefined) return answer(code, dir);
  }
  return undefined;
}
