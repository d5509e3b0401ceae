// The packages of a change set as its changes make them, before anything is written: each
// package the set touches is copied into a private scratch directory and every change's batch
// is applied there, with its commit, by the embedded UCI engine (the uci program's behaviour,
// byte for byte). The next change is planned on what the earlier ones produced; the bytes the
// last one leaves are what the set writes.
import * as fs from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { buildBatch, EmbeddedRunner, parseUci, UciBatchError, type BatchOp, type UciPackage, type UciStore } from '../uci/index.js';

interface Copy {
  /** The file as it was when the set began (undefined: missing), and its mode. */
  before: Buffer | undefined;
  mode: number;
  /** The package as the changes so far leave it. */
  pkg: UciPackage;
  touched: boolean;
}

export class Workspace {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdewan-set-'));
  private readonly confdir = path.join(this.dir, 'config');
  private readonly savedir = path.join(this.dir, 'save');
  private readonly copies = new Map<string, Copy>();
  private readonly runner = new EmbeddedRunner();

  constructor(private readonly store: UciStore) {
    fs.mkdirSync(this.confdir);
    fs.mkdirSync(this.savedir);
  }

  private copyOf(pkg: string): Copy {
    let copy = this.copies.get(pkg);
    if (!copy) {
      const file = path.join(this.store.confdir, pkg);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      const before = st ? fs.readFileSync(file) : undefined;
      fs.writeFileSync(path.join(this.confdir, pkg), before ?? '');
      copy = { before, mode: st ? st.mode & 0o7777 : 0o644, pkg: parseUci(before ?? '', { name: pkg, file }), touched: false };
      this.copies.set(pkg, copy);
    }
    return copy;
  }

  /** The package as the changes so far leave it. */
  read(pkg: string): UciPackage {
    return structuredClone(this.copyOf(pkg).pkg);
  }

  /** Applies `ops` to the package's copy (throws UciBatchError when uci refuses them). */
  async apply(pkg: string, ops: BatchOp[]): Promise<void> {
    const copy = this.copyOf(pkg);
    if (ops.length === 0) return;
    const batch = buildBatch(pkg, ops);
    const res = await this.runner.run(`${batch}commit ${pkg}\n`, { confdir: this.confdir, savedir: this.savedir });
    if (res.exit !== 0 || res.stderr !== '') throw new UciBatchError(pkg, res.exit, res.stderr, batch);
    const file = path.join(this.confdir, pkg);
    copy.pkg = parseUci(fs.readFileSync(file), { name: pkg, file });
    copy.touched = true;
  }

  /** Every package a batch was applied to: its path, its bytes before and after, its mode. */
  results(): Array<{ pkg: string; file: string; before: Buffer | undefined; after: Buffer; mode: number }> {
    return [...this.copies.entries()]
      .filter(([, c]) => c.touched)
      .map(([pkg, c]) => ({ pkg, file: path.join(this.store.confdir, pkg), before: c.before, after: fs.readFileSync(path.join(this.confdir, pkg)), mode: c.mode }));
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
