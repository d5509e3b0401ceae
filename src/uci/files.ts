/**
 * uci's file backend: a package is its config file with the delta files of the save
 * directory (and of -p directories) replayed onto it; `save` appends the package's new
 * changes to its delta file; `commit` replays the delta onto the file and replaces it
 * atomically. Loads are served from what cache.ts keeps, keyed on the bytes read, so a
 * command costs what it changes, not a parse of the file and a replay of every delta line.
 *
 * The save directory may be kept in memory (`saveIn`): the agent's batches then never touch
 * the disk but for the commit, and `dryCommit` gives the text a commit would write without
 * writing it.
 */
import * as fs from 'node:fs';
import { atomicWriteFileSync } from './atomic.js';
import { FileBytes } from './bytes.js';
import { asReparsed, loadedFile, parsedFile, rememberLoad, rememberParse } from './cache.js';
import { ByteSource, Err, fail, getln, at0, ParseCtx, strtoulToInt, UciFail, validatePackage } from './lexer.js';
import { LibUci } from './libuci.js';
import { Cmd, copyPackage, type Delta, type IPackage } from './model.js';
import { importConfig } from './parser.js';
import { deltaLine, parseDeltaTuple, type Ptr } from './ptr.js';
import { commitBytes } from './serialize.js';

export interface FileOptions {
  confdir: string;
  savedir: string;
  /** Extra directories whose delta files are replayed before the save directory's (-p). */
  deltaPaths?: string[];
  /** Stop parsing a config at the first error (default true; -S turns it off). */
  strict?: boolean;
  /** Print parse errors while carrying on (-S). */
  printParseErrors?: boolean;
  /** Name anonymous sections on export and commit (-n). */
  exportName?: boolean;
  /** The save directory's delta texts, by package, kept here instead of in files. */
  saveIn?: Map<string, string>;
  /** With saveIn: config files the caller has read already, by path, taken as this engine's read of them. */
  read?: ReadonlyMap<string, FileBytes>;
  /** commit computes the file's new text (see `committed`) and writes nothing. */
  dryCommit?: boolean;
}

/** What a commit wrote (or, with dryCommit, would write), and the package parsing it gives. */
export interface Committed {
  /** The file's new content. */
  content: FileBytes;
  /** The package read back from `text`, when computed without parsing it (see asReparsed). */
  pkg: IPackage | null;
}

export function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

export class UciFiles extends LibUci {
  protected readonly fo: Required<Omit<FileOptions, 'saveIn' | 'read'>> & { saveIn?: Map<string, string> };
  /** With saveIn: the config bytes read first, for the whole life of this engine. */
  private readonly pinned = new Map<string, FileBytes>();
  /** Commits made, by package. */
  readonly committed = new Map<string, Committed>();

  constructor(opts: FileOptions) {
    super();
    const { read, ...rest } = opts;
    this.fo = { deltaPaths: [], strict: true, printParseErrors: false, exportName: false, dryCommit: false, ...rest };
    if (read && this.fo.saveIn) for (const [file, data] of read) this.pinned.set(file, data);
  }

  protected configPath(name: string): string {
    if (!validatePackage(name)) fail(Err.INVAL);
    return `${this.fo.confdir}/${name}`;
  }

  private readConfig(file: string, missing: Err): FileBytes {
    const pinned = this.pinned.get(file);
    if (pinned !== undefined) return pinned;
    const st = statOrNull(file);
    if (!st || !st.isFile()) fail(missing);
    let data: FileBytes;
    try {
      data = new FileBytes(fs.readFileSync(file));
    } catch {
      fail(Err.IO);
    }
    if (this.fo.saveIn) this.pinned.set(file, data);
    return data;
  }

  private deltaDirs(): string[] {
    const dirs = this.fo.deltaPaths.filter((d) => d !== this.fo.savedir);
    return [...dirs, this.fo.savedir];
  }

  private readDelta(dir: string, name: string): string | null {
    if (this.fo.saveIn && dir === this.fo.savedir) return this.fo.saveIn.get(name) ?? null;
    const file = `${dir}/${name}`;
    const st = statOrNull(file);
    if (!st || !st.isFile()) return null;
    try {
      return fs.readFileSync(file).toString('latin1');
    } catch {
      return null;
    }
  }

  /** uci_load through the file backend: parse the file, then replay the deltas. */
  protected load(name: string): IPackage {
    // Paths outside the config directory ('/abs', './rel') are refused here.
    if (name.startsWith('.') || name.startsWith('/')) fail(Err.NOTFOUND);
    const file = this.configPath(name);
    return this.loadFrom(file, name, this.readConfig(file, Err.NOTFOUND)).pkg;
  }

  /** The package of `file` holding `data`, deltas replayed, put in ctx->root; and how many delta lines applied. */
  private loadFrom(file: string, name: string, data: FileBytes): { pkg: IPackage; applied: number } {
    const deltas = this.deltaDirs().map((dir) => this.readDelta(dir, name));
    const hit = this.fo.strict ? loadedFile(file) : undefined;
    const last = deltas.length - 1;
    if (hit && hit.data.equals(data) && hit.deltas.length === deltas.length && hit.deltas.every((d, i) => i === last || d === deltas[i])) {
      hit.data = data; // the equal bytes this engine holds: its next loads compare them by reference
      const before = hit.deltas[last] ?? '';
      const now = deltas[last] ?? '';
      if (hit.deltas[last] === deltas[last] || (hit.clean && now.length > before.length && now.startsWith(before))) {
        if (this.root.has(name)) this.duplicate(data.text);
        // what parsing leaves behind: no parse context (batch input then restarts its line count)
        this.pctx = null;
        const pkg = copyPackage(hit.pkg);
        this.root.set(name, pkg);
        if (hit.deltas[last] === deltas[last]) return { pkg, applied: hit.applied };
        const suffix = now.slice(before.length);
        const seen = pkg.saved.length;
        const applied = hit.applied + this.parseDelta(pkg, suffix);
        rememberLoad(file, { data, deltas, clean: this.canonical(pkg, seen, suffix), applied, pkg });
        return { pkg, applied };
      }
    }
    const pkg = this.importFile(file, data, name);
    pkg.path = file;
    pkg.hasDelta = true;
    this.root.set(name, pkg);
    let applied = 0;
    let seen = 0;
    for (const text of deltas) {
      seen = pkg.saved.length;
      if (text !== null) applied += this.parseDelta(pkg, text);
    }
    if (this.fo.strict) {
      const clean = this.canonical(pkg, seen, deltas[last] ?? '');
      rememberLoad(file, { data, deltas, clean, applied, pkg });
    }
    return { pkg, applied };
  }

  /**
   * Whether `text`, whose lines were read into p.saved from index `from` on, is exactly those
   * lines as uci_save writes them: then more lines appended to it parse on their own.
   */
  private canonical(p: IPackage, from: number, text: string): boolean {
    let out = '';
    for (let i = from; i < p.saved.length; i++) out += deltaLine(p.name, p.saved[i]!);
    return out === text;
  }

  /** What importFrom does when the package is loaded already. */
  private duplicate(data: string): never {
    this.pctx = new ParseCtx(new ByteSource(data));
    fail(Err.DUPLICATE);
  }

  /** importFrom for the content of a config file, from the parse kept when it was parsed before. */
  private importFile(file: string, data: FileBytes, name: string): IPackage {
    const memo = this.fo.strict ? parsedFile(file, data) : undefined;
    if (memo) {
      if (this.root.has(name)) this.duplicate(data.text);
      this.pctx = null;
      return copyPackage(memo);
    }
    const pkg = this.importFrom(new ByteSource(data.text), name);
    if (this.fo.strict) rememberParse(file, data, pkg);
    return pkg;
  }

  /** uci_import of one package from a stream (ctx->pctx is replaced; kept on failure). */
  protected importFrom(src: ByteSource, name: string): IPackage {
    const ctx = new ParseCtx(src);
    this.pctx = ctx;
    if (this.root.has(name)) fail(Err.DUPLICATE);
    const { pkg } = importConfig(ctx, {
      name,
      single: true,
      strict: this.fo.strict,
      onError: (_c, code) => this.nonStrictError(code),
    });
    this.pctx = null;
    return pkg!;
  }

  protected nonStrictError(code: Err): void {
    if (!this.fo.printParseErrors) return;
    const saved = this.code;
    this.code = code;
    this.uciPerror(null);
    this.code = saved;
  }

  private parseDelta(p: IPackage, data: string): number {
    const src = new ByteSource(data);
    const ctx = new ParseCtx(src);
    this.pctx = ctx;
    let changes = 0;
    while (!src.eof) {
      ctx.pos = 0;
      getln(ctx, 0);
      if (!at0(ctx, 0)) continue;
      try {
        this.applyDeltaLine(ctx, p);
        changes++;
      } catch (e) {
        if (!(e instanceof UciFail)) throw e;
      }
    }
    this.pctx = null;
    return changes;
  }

  private applyDeltaLine(ctx: ParseCtx, p: IPackage): void {
    const { cmd, ptr } = parseDeltaTuple(ctx);
    if (ptr.package !== p.name) fail(Err.PARSE);
    p.saved.push({ cmd, section: ptr.section!, option: ptr.option, value: ptr.value });
    ptr.p = p;
    switch (cmd) {
      case Cmd.REORDER:
        this.expand(ptr, true);
        if (!ptr.s) fail(Err.NOTFOUND);
        this.reorder(p, ptr.s, strtoulToInt(ptr.value ?? ''), true);
        break;
      case Cmd.RENAME:
        this.rename(ptr, true);
        break;
      case Cmd.REMOVE:
        this.del(ptr, true);
        break;
      case Cmd.LIST_ADD:
        this.addList(ptr, true);
        break;
      case Cmd.LIST_DEL:
        this.delList(ptr, true);
        break;
      case Cmd.ADD:
        this.set(ptr, true);
        if (ptr.option === null && ptr.s) this.own(ptr).anonymous = true;
        break;
      case Cmd.CHANGE:
        this.set(ptr, true);
        break;
    }
  }

  /** uci_save: append the package's new changes to its delta file. */
  protected save(p: IPackage): void {
    if (!p.hasDelta) {
      this.commit(p, false);
      return;
    }
    if (p.delta.length === 0) return;
    const text = p.delta.map((d) => deltaLine(p.name, d)).join('');
    p.delta = [];
    const mem = this.fo.saveIn;
    if (mem) {
      mem.set(p.name, (mem.get(p.name) ?? '') + text);
      return;
    }
    const st = statOrNull(this.fo.savedir);
    if (!st) {
      const conf = statOrNull(this.fo.confdir);
      try {
        fs.mkdirSync(this.fo.savedir, { mode: conf ? conf.mode & 0o7777 : 0o700 });
      } catch {
        // uci ignores this; opening the file below fails instead
      }
    } else if (!st.isDirectory()) {
      fail(Err.IO);
    }
    const confStat = statOrNull(`${this.fo.confdir}/${p.name}`);
    try {
      fs.appendFileSync(`${this.fo.savedir}/${p.name}`, Buffer.from(text, 'latin1'), { mode: confStat ? confStat.mode & 0o7777 : 0o600 });
    } catch {
      fail(Err.IO);
    }
  }

  /** Empties the save directory's delta of `name` (when it has one). */
  private flushDelta(name: string): void {
    const mem = this.fo.saveIn;
    if (mem) {
      if (mem.has(name)) mem.set(name, '');
      return;
    }
    const file = `${this.fo.savedir}/${name}`;
    const st = statOrNull(file);
    if (!st || !st.isFile()) return;
    try {
      fs.truncateSync(file, 0);
    } catch {
      fail(Err.IO);
    }
  }

  /** uci_file_commit: replay the delta on a fresh read of the file and replace it atomically. */
  protected commit(p: IPackage, overwrite: boolean): void {
    if (!p.path && overwrite) p.path = this.configPath(p.name);
    if (!p.path) fail(Err.INVAL);
    const file = p.path;
    if (!statOrNull(file) && !this.fo.dryCommit) {
      try {
        fs.closeSync(fs.openSync(file, 'a', 0o600));
      } catch {
        fail(Err.IO);
      }
    }
    let pkg = p;
    if (p.hasDelta && !overwrite) {
      this.save(p);
      const data = this.readConfig(file, Err.IO);
      this.root.delete(p.name);
      const loaded = this.loadFrom(file, p.name, data);
      pkg = loaded.pkg;
      if (!loaded.applied) return;
      this.flushDelta(p.name);
    }
    const content = commitBytes(pkg, this.fo.exportName);
    const reparsed = this.fo.strict && !this.fo.exportName ? asReparsed(pkg) : null;
    if (!this.fo.dryCommit) {
      try {
        // the file a symbolic link points to is replaced, not the link (one lstat when it is none)
        const own = fs.lstatSync(file);
        const target = own.isSymbolicLink() ? fs.realpathSync(file) : file;
        const mode = (target === file ? own : fs.statSync(target)).mode & 0o7777;
        // as uci_file_commit: the new file fsynced and renamed over the old, the directory not synced
        atomicWriteFileSync(target, content, { mode, tempDir: this.fo.confdir, tempBase: pkg.name, syncDir: false });
      } catch {
        fail(Err.IO);
      }
    }
    this.committed.set(p.name, { content, pkg: reparsed });
    if (this.fo.dryCommit) return;
    if (this.pinned.has(file)) this.pinned.set(file, content);
    if (!reparsed) return;
    rememberParse(file, content, reparsed);
    if (!overwrite && this.fo.deltaPaths.length === 0) {
      rememberLoad(file, { data: content, deltas: [''], clean: true, applied: 0, pkg: reparsed });
    }
  }

  /** uci_revert: drop matching lines from the save directory's delta file. */
  protected revert(ptr: Ptr): void {
    this.expand(ptr, false);
    const p = ptr.p!;
    if (!p.hasDelta) fail(Err.INVAL);
    this.save(p);
    this.root.delete(p.name);
    this.filterDelta(p.name, ptr.section, ptr.option);
    this.load(p.name);
  }

  private filterDelta(name: string, section: string | null, option: string | null): void {
    const data = this.readDelta(this.fo.savedir, name);
    if (data === null) return;
    const src = new ByteSource(data);
    const ctx = new ParseCtx(src);
    this.pctx = ctx;
    const kept: Delta[] = [];
    try {
      while (!src.eof) {
        ctx.pos = 0;
        getln(ctx, 0);
        if (!at0(ctx, 0)) continue;
        const { cmd, ptr } = parseDeltaTuple(ctx);
        let match = true;
        if (section !== null && ptr.section !== section) match = false;
        if (match && option !== null && ptr.option !== option) match = false;
        if (!match && ptr.section !== null) kept.push({ cmd, section: ptr.section, option: ptr.option, value: ptr.value });
      }
      const text = kept.map((d) => deltaLine(name, d)).join('');
      if (this.fo.saveIn) this.fo.saveIn.set(name, text);
      else fs.writeFileSync(`${this.fo.savedir}/${name}`, Buffer.from(text, 'latin1'));
    } catch (e) {
      if (!(e instanceof UciFail)) throw e;
    } finally {
      this.pctx = null;
    }
  }

  /** uci_list_configs: the config directory's plain files with valid names, sorted. */
  protected listConfigs(): string[] {
    let entries: string[];
    try {
      entries = (fs.readdirSync(this.fo.confdir, { encoding: 'buffer' }) as Buffer[]).map((b) => b.toString('latin1'));
    } catch {
      fail(Err.NOTFOUND);
    }
    const visible = entries.filter((n) => !n.startsWith('.'));
    if (visible.length === 0) fail(Err.NOTFOUND);
    const names = visible.filter((n) => {
      if (n.includes('.')) return false;
      const st = statOrNull(`${this.fo.confdir}/${n}`);
      if (st?.isDirectory()) return false;
      return validatePackage(n);
    });
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}
