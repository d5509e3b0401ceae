/**
 * The UciStore: the agent's one door to /etc/config.
 * - read: parsed in-process, cached on the file's identity (inode, size, mtime); never a process.
 * - update: one writer per package in this process; the plan's operations run as one batch
 *   through the BatchRunner; any error reported by uci reverts the pending changes and
 *   nothing is written; otherwise `commit` replaces the file atomically.
 * - restore: write a whole file back atomically (rollback).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFileSync, cleanStaleTemps } from './atomic.js';
import { buildBatch, isUciName } from './batch.js';
import { UciBatchError, UciNameError } from './errors.js';
import { clonePackage } from './model.js';
import { parseUci } from './parser.js';
import type { BatchOp, BatchRunner, UciPackage, UciStore, UpdateResult } from './types.js';

export interface UciStoreOptions {
  confdir: string;
  savedir: string;
  runner: BatchRunner;
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
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
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

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.promises.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function removeIfExists(file: string): void {
  fs.rmSync(file, { force: true });
}

class Store implements UciStore {
  readonly confdir: string;
  private readonly savedir: string;
  private readonly runner: BatchRunner;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly locks = new KeyedMutex();

  constructor(opts: UciStoreOptions) {
    this.confdir = path.resolve(opts.confdir);
    this.savedir = path.resolve(opts.savedir);
    this.runner = opts.runner;
  }

  private file(pkg: string): string {
    return path.join(this.confdir, pkg);
  }

  private deltaFile(pkg: string): string {
    return path.join(this.savedir, pkg);
  }

  async read(pkg: string): Promise<UciPackage> {
    checkPackage(pkg);
    const file = this.file(pkg);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache.delete(pkg);
        return { name: pkg, sections: [] };
      }
      throw e;
    }
    try {
      // fstat and read through the same descriptor: one version of the file, even mid-rename.
      const st = await handle.stat();
      const hit = this.cache.get(pkg);
      if (hit && hit.ino === st.ino && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return clonePackage(hit.pkg);
      const data = await handle.readFile();
      const parsed = parseUci(data, { name: pkg, file });
      this.cache.set(pkg, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, pkg: parsed });
      return clonePackage(parsed);
    } finally {
      await handle.close();
    }
  }

  identity(pkg: string): string {
    checkPackage(pkg);
    const st = fs.statSync(this.file(pkg), { bigint: true, throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeNs}` : 'missing';
  }

  update(pkg: string, plan: (current: UciPackage) => BatchOp[] | Promise<BatchOp[]>): Promise<UpdateResult> {
    checkPackage(pkg);
    return this.locks.run(pkg, async () => {
      const current = await this.read(pkg);
      const ops = await plan(current);
      const file = this.file(pkg);
      const beforeBuf = await readIfExists(file);
      const before = beforeBuf?.toString('utf8');
      if (ops.length === 0) return { batch: '', before, after: before, changed: false };
      const batch = buildBatch(pkg, ops);

      fs.mkdirSync(this.savedir, { recursive: true, mode: 0o700 });
      cleanStaleTemps(this.confdir, pkg);
      // A delta left by a crashed run must not ride along with this batch.
      removeIfExists(this.deltaFile(pkg));
      let created = false;
      if (beforeBuf === undefined) {
        // uci only edits existing packages: start from an empty file.
        fs.writeFileSync(file, '', { flag: 'wx', mode: 0o644 });
        created = true;
      }
      const undo = (): void => {
        removeIfExists(this.deltaFile(pkg));
        if (created) removeIfExists(file);
      };

      let res;
      try {
        res = await this.runner.run(batch, { confdir: this.confdir, savedir: this.savedir });
      } catch (e) {
        undo();
        throw e;
      }
      if (res.exit !== 0 || res.stderr !== '') {
        undo();
        throw new UciBatchError(pkg, res.exit, res.stderr, batch);
      }
      let commit;
      try {
        commit = await this.runner.run(`commit ${pkg}\n`, { confdir: this.confdir, savedir: this.savedir });
      } catch (e) {
        undo();
        throw e;
      }
      removeIfExists(this.deltaFile(pkg));
      if (commit.exit !== 0 || commit.stderr !== '') {
        if (created) removeIfExists(file);
        throw new UciBatchError(pkg, commit.exit, commit.stderr, `commit ${pkg}\n`);
      }
      const after = (await readIfExists(file))?.toString('utf8');
      this.cache.delete(pkg);
      return { batch, before, after, changed: before !== after };
    });
  }

  restore(pkg: string, content: string | undefined, opts?: { ifCurrent: string | undefined }): Promise<boolean> {
    checkPackage(pkg);
    return this.locks.run(pkg, async () => {
      const file = this.file(pkg);
      if (opts && (await readIfExists(file))?.toString('utf8') !== opts.ifCurrent) return false;
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
