/**
 * The UciStore: the agent's one door to /etc/config.
 * - read: parsed in-process, cached on the file's identity (inode, size, mtime); never a process.
 * - update: one writer per package, in this process (a mutex) and between processes (a lock
 *   file in the save directory); the plan's operations run as one batch on the embedded engine
 *   with its save directory in memory. Any error it reports changes nothing. Otherwise the
 *   commit replaces the file atomically: done by the engine itself, or, with a real uci, by one
 *   `uci batch` process given the batch and its `commit` (see commitThroughUci).
 * - restore: write a whole file back atomically (rollback).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFileSync, cleanStaleTemps } from './atomic.js';
import { buildBatch, isUciName } from './batch.js';
import { FileBytes, fromBytes, toBytes } from './bytes.js';
import { keptBytes, rememberParse } from './cache.js';
import { UciEngine } from './engine.js';
import { UciBatchError, UciNameError } from './errors.js';
import type { Committed } from './files.js';
import { withLockFile } from './lockfile.js';
import { toPublic } from './model.js';
import { parseUci } from './parser.js';
import type { BatchOp, BatchRunner, UciPackage, UciStore, UpdateResult } from './types.js';
import { fileIdentity, loggableNoise, splitStderr } from './verdict.js';

export interface UciStoreOptions {
  confdir: string;
  savedir: string;
  runner: BatchRunner;
  /** Where warnings go (what a real uci printed besides its own messages). Never given request values. */
  log?: { warn(obj: object, msg: string): void };
}

interface CacheEntry {
  ino: number;
  size: number;
  mtimeMs: number;
  pkg: UciPackage;
}

/** A mutex per key: callers run one after the other, in call order. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev ? prev.then(() => mine) : mine;
    this.tails.set(key, tail);
    if (prev) await prev; // nobody ahead: no turn to wait for
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function checkPackage(pkg: string): void {
  if (!isUciName(pkg)) throw new UciNameError('package', pkg);
}

/** The buffer files are read into (kept up to SCRATCH_KEPT; a bigger file gets one of its own). */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);
const SCRATCH_KEPT = 1024 * 1024;

/**
 * A config file's bytes, or undefined when there is no file. Read into one buffer kept for
 * it, and compared there with the bytes the engine keeps for the file: when the file still
 * holds them (as the last write left it), they are the answer and nothing is allocated; else
 * a copy of what was read. (A new 70 KB Buffer per write into a 500-rule config otherwise,
 * which V8 frees only at a full collection.)
 */
function readBytesIfExists(file: string): FileBytes | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let buf = scratch;
  let len = 0;
  try {
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
        if (buf.length <= SCRATCH_KEPT) scratch = buf;
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  const read = buf.subarray(0, len);
  const kept = keptBytes(file);
  return kept?.holds(read) ? kept : new FileBytes(Buffer.from(read));
}

function removeIfExists(file: string): void {
  fs.rmSync(file, { force: true });
}

/** An UpdateResult whose texts are decoded when read (a rollback needs them; most writes never do). */
function result(batch: string, before: FileBytes | undefined, after: FileBytes | undefined): UpdateResult {
  const changed = before === undefined || after === undefined ? before !== after : !before.equals(after);
  return {
    batch,
    get before() {
      return before?.buf.toString('utf8');
    },
    get after() {
      return after?.buf.toString('utf8');
    },
    changed,
  };
}

/** The values a batch carries (kept out of logs). */
function valuesOf(ops: BatchOp[]): string[] {
  return ops.flatMap((op) => ('value' in op ? [op.value] : []));
}

class Store implements UciStore {
  readonly confdir: string;
  private readonly savedir: string;
  private readonly runner: BatchRunner;
  private readonly log?: UciStoreOptions['log'];
  private readonly cache = new Map<string, CacheEntry>();
  private readonly locks = new KeyedMutex();
  /** When the temporary files a writer killed mid-commit left were last cleaned, by package (once a minute). */
  private readonly cleanedAt = new Map<string, number>();

  constructor(opts: UciStoreOptions) {
    this.confdir = path.resolve(opts.confdir);
    this.savedir = path.resolve(opts.savedir);
    this.runner = opts.runner;
    this.log = opts.log;
  }

  private file(pkg: string): string {
    return path.join(this.confdir, pkg);
  }

  private deltaFile(pkg: string): string {
    return path.join(this.savedir, pkg);
  }

  /** One writer of `pkg` at a time: in this process, then among the processes sharing the save directory. */
  private exclusive<T>(pkg: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(pkg, () => withLockFile(path.join(this.savedir, `.${pkg}.sdewan-lock`), fn));
  }

  async read(pkg: string): Promise<UciPackage> {
    checkPackage(pkg);
    return this.readNow(pkg);
  }

  /**
   * Synchronous file calls: a stat, and a read only when the file changed, cost less than the
   * round trips of their asynchronous forms through the thread pool.
   */
  private readNow(pkg: string): UciPackage {
    const file = this.file(pkg);
    const hit = this.cache.get(pkg);
    if (hit) {
      // the file as kept (the same inode, size and mtime): one call (a rename gives a new inode)
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st && hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.pkg;
    }
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache.delete(pkg);
        return { name: pkg, sections: [] };
      }
      throw e;
    }
    try {
      // fstat and read through the same descriptor: one version of the file, even mid-rename.
      const st = fs.fstatSync(fd);
      if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.pkg;
      const data = fs.readFileSync(fd);
      const parsed = parseUci(data, { name: pkg, file });
      this.cache.set(pkg, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, pkg: parsed });
      return parsed;
    } finally {
      fs.closeSync(fd);
    }
  }

  identity(pkg: string): string {
    checkPackage(pkg);
    const st = fs.statSync(this.file(pkg), { bigint: true, throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeNs}` : 'missing';
  }

  /** Keeps what was just committed as the package read from `file` (when the file still has that size). */
  private remember(pkg: string, size: number, parsed: UciPackage): void {
    const st = fs.statSync(this.file(pkg), { throwIfNoEntry: false });
    if (st && st.size === size) this.cache.set(pkg, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, pkg: parsed });
    else this.cache.delete(pkg);
  }

  update(pkg: string, plan: (current: UciPackage) => BatchOp[] | Promise<BatchOp[]>): Promise<UpdateResult> {
    checkPackage(pkg);
    return this.exclusive(pkg, async () => {
      const current = await this.read(pkg);
      const ops = await plan(current);
      const file = this.file(pkg);
      const before = readBytesIfExists(file);
      if (ops.length === 0) return result('', before, before);
      const batch = buildBatch(pkg, ops);

      if (Date.now() - (this.cleanedAt.get(pkg) ?? -Infinity) >= 60_000) {
        cleanStaleTemps(this.confdir, pkg);
        this.cleanedAt.set(pkg, Date.now());
      }
      let created = false;
      if (before === undefined) {
        // uci only edits existing packages: start from an empty file.
        fs.writeFileSync(file, '', { flag: 'wx', mode: 0o644 });
        created = true;
      }
      const binary = this.runner.kind === 'binary';
      let committed: Committed | undefined;
      try {
        // The batch on the embedded engine, its save directory in memory: uci's answer to every
        // command, with nothing written. With a real uci it is a dry run.
        // The file as read above is the engine's reading of it: one read per write.
        const read = new Map([[file, before ?? new FileBytes(Buffer.alloc(0))]]);
        const engine = new UciEngine({ confdir: this.confdir, savedir: this.savedir, saveIn: new Map(), read, dryCommit: binary, input: () => toBytes(batch) });
        const exit = engine.command(['batch']);
        if (exit !== 0 || engine.stderr !== '') throw new UciBatchError(pkg, exit, fromBytes(engine.stderr), batch);
        engine.command(['commit', pkg]);
        if (engine.stderr !== '') throw new UciBatchError(pkg, 1, fromBytes(engine.stderr), `commit ${pkg}\n`);
        committed = engine.committed.get(pkg);
        if (committed && binary) await this.commitThroughUci(pkg, batch, before, committed, valuesOf(ops));
      } catch (e) {
        if (created) removeIfExists(file);
        throw e;
      }
      if (!committed) {
        if (created) removeIfExists(file);
        return result(batch, before, before);
      }
      const text = committed.content;
      if (!binary) this.remember(pkg, text.length, committed.pkg ? toPublic(committed.pkg) : parseUci(text.buf, { name: pkg, file }));
      return result(batch, before, text);
    });
  }

  /**
   * One uci process: the batch, then `commit`. Judged by its exit status, its own messages on
   * stderr (other lines are logged as warnings) and the file's identity before and after. A
   * failure that wrote the file puts the file back as it was: an error answer always means
   * nothing changed. What uci committed is read back from the file, not through uci.
   */
  private async commitThroughUci(pkg: string, batch: string, before: FileBytes | undefined, predicted: Committed, values: string[]): Promise<void> {
    const file = this.file(pkg);
    removeIfExists(this.deltaFile(pkg)); // a delta left by a crashed run must not ride along
    const beforeId = fileIdentity(file);
    const res = await this.runner.run(`${batch}commit ${pkg}\n`, { confdir: this.confdir, savedir: this.savedir });
    removeIfExists(this.deltaFile(pkg));
    const { uci, noise } = splitStderr(res.stderr);
    if (noise.length) this.log?.warn({ pkg, exit: res.exit, stderr: loggableNoise(noise, values) }, 'uci printed more than its own messages');
    const wrote = fileIdentity(file) !== beforeId;
    if (res.exit !== 0 || uci !== '') {
      const restored = wrote ? this.putBack(pkg, before) : false;
      const note = wrote ? (restored ? ' (its commit was undone)' : ' (its commit could not be undone)') : '';
      throw new UciBatchError(pkg, res.exit, `${uci.trim() || 'uci failed'}${note}\n`, batch);
    }
    if (!wrote) throw new UciBatchError(pkg, res.exit, 'uci reported success but did not write the file\n', batch);
    const text = fs.readFileSync(file);
    const expected = predicted.content.holds(text);
    let parsed: UciPackage;
    if (predicted.pkg && expected) {
      parsed = toPublic(predicted.pkg);
      rememberParse(file, predicted.content, predicted.pkg);
    } else {
      if (!expected) this.log?.warn({ pkg }, "uci's commit differs from the embedded engine's: read back from the file");
      parsed = parseUci(text, { name: pkg, file });
    }
    this.remember(pkg, text.length, parsed);
    predicted.content = new FileBytes(text);
  }

  /** The file as it was before a failed write (removed when it did not exist). */
  private putBack(pkg: string, content: FileBytes | undefined): boolean {
    try {
      if (content === undefined) removeIfExists(this.file(pkg));
      else atomicWriteFileSync(this.file(pkg), content, { mode: fs.statSync(this.file(pkg)).mode & 0o7777, tempBase: pkg });
      this.cache.delete(pkg);
      return true;
    } catch {
      return false;
    }
  }

  restore(pkg: string, content: string | undefined, opts?: { ifCurrent: string | undefined }): Promise<boolean> {
    checkPackage(pkg);
    return this.exclusive(pkg, async () => {
      const file = this.file(pkg);
      if (opts && readBytesIfExists(file)?.buf.toString('utf8') !== opts.ifCurrent) return false;
      removeIfExists(this.deltaFile(pkg));
      if (content === undefined) {
        removeIfExists(file);
      } else {
        let mode = 0o644;
        try {
          mode = fs.statSync(file).mode & 0o7777;
        } catch {
          // new file
        }
        atomicWriteFileSync(file, content, { mode, tempBase: pkg });
      }
      this.cache.delete(pkg);
      return true;
    });
  }
}

export function createUciStore(opts: UciStoreOptions): UciStore {
  return new Store(opts);
}
