/**
 * The embedded uci: applies uci commands to a config directory with a save directory the way
 * the C program does. Every command loads the package from its file plus the delta file in
 * the save directory, changes it, and appends what changed to the delta file; `commit`
 * replays the delta onto the file and writes it atomically. Messages, their odd growing
 * blank lines, exit codes and the carrying on after a failed batch command are uci's.
 *
 * Works on byte strings (see bytes.ts) and synchronous file I/O, like the C code.
 */
import * as fs from 'node:fs';
import { atomicWriteFileSync } from './atomic.js';
import {
  ByteSource,
  Err,
  ERR_TEXT,
  fail,
  getln,
  at0,
  nextArg,
  ParseCtx,
  sscanfInt,
  strAt,
  strtolToInt,
  strtoulToInt,
  UciFail,
  validatePackage,
  validateType,
} from './lexer.js';
import {
  addListItem,
  allocSection,
  changeSectionType,
  Cmd,
  type Delta,
  findOption,
  findSection,
  type IPackage,
  type ISection,
  moveSection,
  setOption,
} from './model.js';
import { importConfig } from './parser.js';
import { changeLine, deltaLine, parseDeltaTuple, parsePtr, type Ptr } from './ptr.js';
import { exportPackage, showOption, showPackage, showSection, showValue } from './serialize.js';

export interface EngineOptions {
  confdir: string;
  savedir: string;
  /** Extra directories whose delta files are replayed before the save directory's (-p). */
  deltaPaths?: string[];
  /** Program name in error messages. */
  appname?: string;
  quiet?: boolean;
  /** Stop parsing a config at the first error (default true; -S turns it off). */
  strict?: boolean;
  /** Print parse errors while carrying on (-S). */
  printParseErrors?: boolean;
  /** Name anonymous sections on export (-n). */
  exportName?: boolean;
  /** @type[idx] references in show (default true; -X turns it off). */
  showExtended?: boolean;
  delimiter?: string;
  /** import -m: merge into the existing package. */
  merge?: boolean;
  /** -P: commit does nothing. */
  noCommit?: boolean;
  /** Where `batch` and `import` read from. */
  input?: () => string;
}

const SECTION_CMDS = new Set(['get', 'set', 'add_list', 'del_list', 'delete', 'rename', 'revert', 'reorder']);
const VALUE_CMDS = new Set(['set', 'delete', 'add_list', 'del_list', 'rename', 'reorder']);

function canonical(cmd: string): string | null {
  const c = cmd.toLowerCase();
  if (c === 'ren') return 'rename';
  if (c === 'del') return 'delete';
  const known = ['batch', 'show', 'changes', 'export', 'commit', 'get', 'set', 'rename', 'revert', 'reorder', 'delete', 'import', 'help', 'add', 'add_list', 'del_list'];
  return known.includes(c) ? c : null;
}

/**
 * The last parse of each config file, by path. `uci batch` unloads every package after each
 * command and loads it again for the next one, so a batch of n commands parses the same file
 * n times; the same bytes give the same package, so a copy of the earlier parse stands in.
 * Only strict parses are kept (a non-strict one may print errors as it goes).
 */
const parsedFiles = new Map<string, { data: string; pkg: IPackage }>();
const PARSED_FILES_KEPT = 32;

function copyPackage(p: IPackage): IPackage {
  return {
    ...p,
    sections: p.sections.map((s) => ({ ...s, options: s.options.map((o) => ({ ...o, items: [...o.items] })) })),
    delta: [...p.delta],
    saved: [...p.saved],
  };
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

export class UciEngine {
  private readonly stdoutParts: string[] = [];
  private readonly stderrParts: string[] = [];
  /** uci_get_errorstr's static buffer: it keeps the last parse position and grows a newline per message. */
  private errorInfo = '';
  /** ctx->err */
  private code: Err = Err.OK;
  /** ctx->pctx */
  private pctx: ParseCtx | null = null;
  /** ctx->root: loaded packages. */
  private readonly root = new Map<string, IPackage>();
  private batchMode = false;
  private inputSource: ByteSource | null = null;
  private readonly o: Required<Omit<EngineOptions, 'input'>> & { input?: () => string };

  constructor(opts: EngineOptions) {
    this.o = {
      deltaPaths: [],
      appname: 'uci',
      quiet: false,
      strict: true,
      printParseErrors: false,
      exportName: false,
      showExtended: true,
      delimiter: ' ',
      merge: false,
      noCommit: false,
      ...opts,
    };
  }

  get stdout(): string {
    return this.stdoutParts.join('');
  }

  get stderr(): string {
    return this.stderrParts.join('');
  }

  private print(s: string): void {
    this.stdoutParts.push(s);
  }

  private input(): ByteSource {
    if (!this.inputSource) this.inputSource = new ByteSource(this.o.input ? this.o.input() : '');
    return this.inputSource;
  }

  // ---------------------------------------------------------------- errors

  private uciPerror(prefix: string | null): void {
    const err = this.code >= 0 && this.code <= Err.UNKNOWN ? this.code : Err.UNKNOWN;
    if (this.pctx && err === Err.PARSE) {
      this.errorInfo = ` (${this.pctx.reason ?? 'unknown'}) at line ${this.pctx.line}, byte ${this.pctx.byte}`.slice(0, 126);
    }
    this.errorInfo += '\n';
    this.stderrParts.push(`${prefix !== null ? `${prefix}: ` : ''}${ERR_TEXT[err]}${this.errorInfo}`);
  }

  private cliPerror(): void {
    if (this.o.quiet) return;
    this.uciPerror(this.o.appname);
  }

  private cliError(msg: string): void {
    if (!this.o.quiet) this.stderrParts.push(msg);
  }

  /** Run fn as a libuci call: a thrown UciFail becomes ctx->err and a return code. */
  private call(fn: () => void): Err {
    this.code = Err.OK;
    try {
      fn();
      return Err.OK;
    } catch (e) {
      if (e instanceof UciFail) {
        this.code = e.code;
        return e.code;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- loading

  private configPath(name: string): string {
    if (!validatePackage(name)) fail(Err.INVAL);
    return `${this.o.confdir}/${name}`;
  }

  /** uci_load through the file backend: parse the file, then replay the deltas. */
  private load(name: string): IPackage {
    // Paths outside the config directory ('/abs', './rel') are refused here.
    if (name.startsWith('.') || name.startsWith('/')) fail(Err.NOTFOUND);
    const file = this.configPath(name);
    const st = statOrNull(file);
    if (!st || !st.isFile()) fail(Err.NOTFOUND);
    let data: string;
    try {
      data = fs.readFileSync(file).toString('latin1');
    } catch {
      fail(Err.IO);
    }
    const pkg = this.importFile(file, data, name);
    pkg.path = file;
    pkg.hasDelta = true;
    this.root.set(name, pkg);
    this.loadDelta(pkg, false);
    return pkg;
  }

  /** importFrom for the content of a config file, from parsedFiles when it was parsed before. */
  private importFile(file: string, data: string, name: string): IPackage {
    const memo = this.o.strict ? parsedFiles.get(file) : undefined;
    if (memo && memo.data === data) {
      // what importFrom leaves behind besides the package: the parse context (error messages use it)
      this.pctx = new ParseCtx(new ByteSource(data));
      if (this.root.has(name)) fail(Err.DUPLICATE);
      this.pctx = null;
      return copyPackage(memo.pkg);
    }
    const pkg = this.importFrom(new ByteSource(data), name);
    if (this.o.strict) {
      parsedFiles.delete(file);
      parsedFiles.set(file, { data, pkg: copyPackage(pkg) });
      if (parsedFiles.size > PARSED_FILES_KEPT) parsedFiles.delete(parsedFiles.keys().next().value!);
    }
    return pkg;
  }

  /** uci_import of one package from a stream (ctx->pctx is replaced; kept on failure). */
  private importFrom(src: ByteSource, name: string): IPackage {
    const ctx = new ParseCtx(src);
    this.pctx = ctx;
    if (this.root.has(name)) fail(Err.DUPLICATE);
    const { pkg } = importConfig(ctx, {
      name,
      single: true,
      strict: this.o.strict,
      onError: (_c, code) => this.nonStrictError(code),
    });
    this.pctx = null;
    return pkg!;
  }

  private nonStrictError(code: Err): void {
    if (!this.o.printParseErrors) return;
    const saved = this.code;
    this.code = code;
    this.uciPerror(null);
    this.code = saved;
  }

  private deltaDirs(): string[] {
    const dirs = this.o.deltaPaths.filter((d) => d !== this.o.savedir);
    return [...dirs, this.o.savedir];
  }

  /** uci_load_delta: replay every delta file; `flush` empties the save directory's one. */
  private loadDelta(p: IPackage, flush: boolean): number {
    if (!p.hasDelta) return 0;
    let changes = 0;
    for (const dir of this.deltaDirs()) {
      const file = `${dir}/${p.name}`;
      const st = statOrNull(file);
      if (!st || !st.isFile()) continue;
      let data: string;
      try {
        data = fs.readFileSync(file).toString('latin1');
      } catch {
        continue;
      }
      changes += this.parseDelta(p, data);
    }
    if (flush && changes > 0) {
      const file = `${this.o.savedir}/${p.name}`;
      const st = statOrNull(file);
      if (st && st.isFile()) {
        try {
          fs.truncateSync(file, 0);
        } catch {
          fail(Err.IO);
        }
      }
    }
    return changes;
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
        if (ptr.option === null && ptr.s) ptr.s.anonymous = true;
        break;
      case Cmd.CHANGE:
        this.set(ptr, true);
        break;
    }
  }

  // ---------------------------------------------------------------- lookup

  /** uci_lookup_ptr */
  private lookup(str: string, extended: boolean): Ptr {
    const ptr = parsePtr(str);
    this.resolve(ptr, extended);
    return ptr;
  }

  private resolve(ptr: Ptr, extended: boolean): void {
    ptr.done = true;
    if (!ptr.p) ptr.p = this.root.get(ptr.package) ?? this.load(ptr.package);
    if (ptr.section === null && !ptr.s) {
      ptr.complete = true;
      return;
    }
    let s: ISection | undefined = ptr.s;
    if (!s) {
      if (ptr.extended) {
        if (!extended) fail(Err.INVAL);
        s = this.lookupExtended(ptr);
      } else {
        s = findSection(ptr.p, ptr.section!);
      }
    }
    if (!s) return;
    ptr.s = s;
    if (ptr.option !== null) {
      const o = findOption(s, ptr.option);
      if (!o) return;
      ptr.o = o;
    }
    ptr.complete = true;
  }

  /** @type[index] (type may be empty: any section; index may be negative). */
  private lookupExtended(ptr: Ptr): ISection | undefined {
    const sec = ptr.section!;
    if (!sec.startsWith('@')) fail(Err.INVAL);
    const open = sec.indexOf('[', 1);
    if (open < 0) fail(Err.INVAL);
    const close = sec.indexOf(']', open + 1);
    if (close < 0 || close !== sec.length - 1) fail(Err.INVAL);
    const idxStr = sec.slice(open + 1, close);
    const { value, whole } = strtolToInt(idxStr);
    if (!whole) fail(Err.INVAL);
    const typeName = sec.slice(1, open);
    if (typeName !== '' && !validateType(typeName)) fail(Err.INVAL);
    const matching = ptr.p!.sections.filter((s) => typeName === '' || s.type === typeName);
    let idx = value;
    if (idx < 0) idx += matching.length;
    const found = idx >= 0 ? matching[idx] : undefined;
    if (found) ptr.section = found.name;
    return found;
  }

  /** uci_expand_ptr */
  private expand(ptr: Ptr, complete: boolean): void {
    if (!ptr.done) this.resolve(ptr, true);
    if (complete && !ptr.complete) fail(Err.NOTFOUND);
    if (!ptr.p) fail(Err.INVAL);
    if (ptr.s && ptr.section === null) ptr.section = ptr.s.name;
    if (ptr.o && ptr.option === null) ptr.option = ptr.o.name;
  }

  private record(p: IPackage, internal: boolean, d: Delta): void {
    if (!internal && p.hasDelta) p.delta.push(d);
  }

  // ---------------------------------------------------------------- libuci operations

  /** uci_set */
  private set(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, false);
    const p = ptr.p!;
    if (ptr.value === null) fail(Err.INVAL);
    if (!(ptr.s || (ptr.option === null && ptr.section !== null))) fail(Err.INVAL);
    if (ptr.option === null && ptr.value !== '' && !validateType(ptr.value)) fail(Err.INVAL);
    if (!ptr.o && ptr.s && ptr.option !== null) ptr.o = findOption(ptr.s, ptr.option);
    const value = ptr.value;
    if (value === '') {
      // Setting something to nothing deletes it (and is a no-op when it does not exist).
      if (!ptr.complete) return;
      this.del(ptr, false);
      return;
    }
    if (!ptr.o && ptr.option !== null) {
      setOption(ptr.s!, ptr.option, value, undefined);
      ptr.o = findOption(ptr.s!, ptr.option);
    } else if (!ptr.s && ptr.section !== null) {
      ptr.s = allocSection(p, value, ptr.section);
    } else if (ptr.o && ptr.option !== null) {
      if (!setOption(ptr.s!, ptr.option, value, ptr.o)) return;
    } else if (ptr.s && ptr.section !== null) {
      if (ptr.s.type === value) return;
      ptr.s = changeSectionType(p, ptr.s, value);
    } else {
      fail(Err.INVAL);
    }
    this.record(p, internal, { cmd: Cmd.CHANGE, section: ptr.section!, option: ptr.option, value });
  }

  /** uci_delete (a list item when a value is given for a list option) */
  private del(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, true);
    const p = ptr.p!;
    const s = ptr.s;
    if (!s) fail(Err.INVAL);
    if (ptr.o && ptr.o.kind === 'list' && ptr.value !== null && ptr.value !== '') {
      const idx = sscanfInt(ptr.value);
      if (typeof idx !== 'number') return;
      if (idx >= 0 && idx < ptr.o.items.length) {
        this.record(p, internal, { cmd: Cmd.REMOVE, section: ptr.section!, option: ptr.option, value: ptr.value });
        ptr.o.items.splice(idx, 1);
      }
      return;
    }
    this.record(p, internal, { cmd: Cmd.REMOVE, section: ptr.section!, option: ptr.option, value: null });
    if (ptr.o) {
      s.options.splice(s.options.indexOf(ptr.o), 1);
      ptr.o = undefined;
    } else {
      p.sections.splice(p.sections.indexOf(s), 1);
      ptr.s = undefined;
    }
  }

  /** uci_add_list */
  private addList(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, false);
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.value === null) fail(Err.INVAL);
    addListItem(ptr.s, ptr.option, ptr.value, ptr.o);
    this.record(ptr.p!, internal, { cmd: Cmd.LIST_ADD, section: ptr.section!, option: ptr.option, value: ptr.value });
  }

  /** uci_del_list */
  private delList(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, false);
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.value === null) fail(Err.INVAL);
    const o = ptr.o;
    if (!o || ptr.option === null || o.kind !== 'list') return;
    this.record(ptr.p!, internal, { cmd: Cmd.LIST_DEL, section: ptr.section!, option: ptr.option, value: ptr.value });
    const v = ptr.value;
    o.items = o.items.filter((item) => item !== v);
  }

  /** uci_rename: no check of the new name here (a bad one is dropped when the delta is read back). */
  private rename(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, true);
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.value === null) fail(Err.INVAL);
    this.record(ptr.p!, internal, { cmd: Cmd.RENAME, section: ptr.section!, option: ptr.option, value: ptr.value });
    if (ptr.o) {
      ptr.o.name = ptr.value;
    } else {
      ptr.s.name = ptr.value;
      ptr.s.anonymous = false;
    }
  }

  /** uci_reorder_section */
  private reorder(p: IPackage, s: ISection, pos: number, internal: boolean): void {
    const changed = moveSection(p, s, pos);
    if (changed) this.record(p, internal, { cmd: Cmd.REORDER, section: s.name, option: null, value: String(pos) });
  }

  /** uci_add_section */
  private addSection(p: IPackage, type: string): ISection {
    const s = allocSection(p, type, null);
    this.record(p, false, { cmd: Cmd.ADD, section: s.name, option: null, value: type });
    return s;
  }

  /** uci_save: append the package's new changes to its delta file. */
  private save(p: IPackage): void {
    if (!p.hasDelta) {
      this.commit(p, false);
      return;
    }
    if (p.delta.length === 0) return;
    const st = statOrNull(this.o.savedir);
    if (!st) {
      const conf = statOrNull(this.o.confdir);
      try {
        fs.mkdirSync(this.o.savedir, { mode: conf ? conf.mode & 0o7777 : 0o700 });
      } catch {
        // uci ignores this; opening the file below fails instead
      }
    } else if (!st.isDirectory()) {
      fail(Err.IO);
    }
    const file = `${this.o.savedir}/${p.name}`;
    const confStat = statOrNull(`${this.o.confdir}/${p.name}`);
    const text = p.delta.map((d) => deltaLine(p.name, d)).join('');
    p.delta = [];
    try {
      fs.appendFileSync(file, Buffer.from(text, 'latin1'), { mode: confStat ? confStat.mode & 0o7777 : 0o600 });
    } catch {
      fail(Err.IO);
    }
  }

  /** uci_file_commit: replay the delta on a fresh parse of the file and replace it atomically. */
  private commit(p: IPackage, overwrite: boolean): void {
    if (!p.path && overwrite) p.path = this.configPath(p.name);
    if (!p.path) fail(Err.INVAL);
    const file = p.path;
    let st = statOrNull(file);
    if (!st) {
      try {
        fs.closeSync(fs.openSync(file, 'a', 0o600));
      } catch {
        fail(Err.IO);
      }
      st = statOrNull(file);
    }
    let pkg = p;
    if (p.hasDelta && !overwrite) {
      this.save(p);
      let data: string;
      try {
        data = fs.readFileSync(file).toString('latin1');
      } catch {
        fail(Err.IO);
      }
      this.root.delete(p.name);
      pkg = this.importFile(file, data, p.name);
      pkg.path = file;
      pkg.hasDelta = true;
      this.root.set(pkg.name, pkg);
      if (!this.loadDelta(pkg, true)) return;
    }
    const text = exportPackage(pkg, false, this.o.exportName);
    let target: string;
    try {
      target = fs.realpathSync(file);
      const mode = fs.statSync(target).mode & 0o7777;
      atomicWriteFileSync(target, Buffer.from(text, 'latin1'), { mode, tempDir: this.o.confdir, tempBase: pkg.name });
    } catch {
      fail(Err.IO);
    }
  }

  /** uci_revert: drop matching lines from the save directory's delta file. */
  private revert(ptr: Ptr): void {
    this.expand(ptr, false);
    const p = ptr.p!;
    if (!p.hasDelta) fail(Err.INVAL);
    this.save(p);
    const name = p.name;
    const section = ptr.section;
    const option = ptr.option;
    this.root.delete(name);
    this.filterDelta(name, section, option);
    this.load(name);
  }

  private filterDelta(name: string, section: string | null, option: string | null): void {
    const file = `${this.o.savedir}/${name}`;
    const st = statOrNull(file);
    if (!st || !st.isFile()) return;
    let data: string;
    try {
      data = fs.readFileSync(file).toString('latin1');
    } catch {
      return;
    }
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
      fs.writeFileSync(file, Buffer.from(kept.map((d) => deltaLine(name, d)).join(''), 'latin1'));
    } catch (e) {
      if (!(e instanceof UciFail)) throw e;
    } finally {
      this.pctx = null;
    }
  }

  /** uci_list_configs: the config directory's plain files with valid names, sorted. */
  private listConfigs(): string[] {
    let entries: string[];
    try {
      entries = (fs.readdirSync(this.o.confdir, { encoding: 'buffer' }) as Buffer[]).map((b) => b.toString('latin1'));
    } catch {
      fail(Err.NOTFOUND);
    }
    const visible = entries.filter((n) => !n.startsWith('.'));
    if (visible.length === 0) fail(Err.NOTFOUND);
    const names = visible.filter((n) => {
      if (n.includes('.')) return false;
      const st = statOrNull(`${this.o.confdir}/${n}`);
      if (st?.isDirectory()) return false;
      return validatePackage(n);
    });
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  // ---------------------------------------------------------------- commands

  private sectionCmd(cmd: string, args: string[]): number {
    if (args.length !== 2) return 255;
    let ptr!: Ptr;
    if (this.call(() => (ptr = this.lookup(args[1]!, true))) !== Err.OK) {
      this.cliPerror();
      return 1;
    }
    if (ptr.value !== null && !VALUE_CMDS.has(cmd)) return 1;
    let ret: Err = Err.OK;
    switch (cmd) {
      case 'get':
        if (!ptr.complete) {
          this.code = Err.NOTFOUND;
          this.cliPerror();
          return 1;
        }
        if (ptr.o) this.print(showValue(ptr.o, false, this.o.delimiter));
        else if (ptr.s) this.print(`${ptr.s.type}\n`);
        return 0;
      case 'rename':
        ret = this.call(() => this.rename(ptr, false));
        break;
      case 'revert':
        this.call(() => this.revert(ptr));
        return 0;
      case 'set':
        ret = this.call(() => this.set(ptr, false));
        break;
      case 'add_list':
        ret = this.call(() => this.addList(ptr, false));
        break;
      case 'del_list':
        ret = this.call(() => this.delList(ptr, false));
        break;
      case 'reorder':
        if (!ptr.s || ptr.value === null) {
          this.code = Err.NOTFOUND;
          this.cliPerror();
          return 1;
        }
        ret = this.call(() => this.reorder(ptr.p!, ptr.s!, strtoulToInt(ptr.value!), false));
        break;
      case 'delete':
        if (ptr.value !== null && sscanfInt(ptr.value) === null) return 1;
        ret = this.call(() => this.del(ptr, false));
        break;
    }
    if (ret === Err.OK) ret = this.call(() => this.save(ptr.p!));
    if (ret !== Err.OK) {
      this.cliPerror();
      return 1;
    }
    return 0;
  }

  private packageCmdOne(cmd: string, tuple: string): number {
    let ptr!: Ptr;
    if (this.call(() => (ptr = this.lookup(tuple, true))) !== Err.OK) {
      this.cliPerror();
      return 1;
    }
    const p = ptr.p!;
    let ret = 0;
    switch (cmd) {
      case 'changes':
        for (const d of p.saved) this.print(changeLine(p.name, d));
        break;
      case 'commit':
        if (this.o.noCommit) break;
        if (this.call(() => this.commit(p, false)) !== Err.OK) {
          this.cliPerror();
          ret = 1;
        }
        break;
      case 'export':
        this.print(exportPackage(p, true, this.o.exportName));
        break;
      case 'show':
        if (!ptr.complete) {
          this.code = Err.NOTFOUND;
          this.cliPerror();
          ret = 1;
        } else if (ptr.o) {
          this.print(showOption(p.name, ptr.s!.name, ptr.o, this.o.delimiter));
        } else if (ptr.s) {
          this.print(showSection(p.name, ptr.s, ptr.s.name, this.o.delimiter));
        } else {
          this.print(showPackage(p, this.o.showExtended, this.o.delimiter));
        }
        break;
    }
    this.root.delete(p.name);
    return ret;
  }

  private packageCmd(cmd: string, args: string[]): number {
    if (args.length > 2) return 255;
    if (args.length === 2) return this.packageCmdOne(cmd, args[1]!);
    let configs: string[] = [];
    if (this.call(() => (configs = this.listConfigs())) !== Err.OK) {
      this.cliPerror();
      return 1;
    }
    for (const name of configs) this.packageCmdOne(cmd, name);
    return 0;
  }

  private addCmd(args: string[]): number {
    if (args.length !== 3) return 255;
    let s: ISection | undefined;
    const ret = this.call(() => {
      const p = this.load(args[1]!);
      s = this.addSection(p, args[2]!);
      this.save(p);
    });
    if (ret !== Err.OK) {
      this.cliPerror();
      return ret;
    }
    if (s) this.print(`${s.name}\n`);
    return 0;
  }

  private importCmd(args: string[]): number {
    if (args.length > 2) return 255;
    const name = args[1] ?? null;
    if (name === null && this.o.merge) return 255;
    let target: IPackage | undefined;
    if (this.o.merge && name !== null) {
      if (this.call(() => (target = this.load(name))) !== Err.OK) target = undefined;
    }
    const merging = target !== undefined;
    const ret = this.call(() => {
      const src = this.input();
      const ctx = new ParseCtx(src);
      this.pctx = ctx;
      if (name !== null && !validatePackage(name)) fail(Err.INVAL);
      const result = importConfig(ctx, {
        name,
        single: name !== null,
        strict: this.o.strict,
        ...(merging ? { merge: target! } : {}),
        onError: (_c, code) => this.nonStrictError(code),
        isLoaded: (n) => this.root.has(n) && !(merging && n === name),
      });
      this.pctx = null;
      for (const p of result.packages) this.root.set(p.name, p);
      if (merging) {
        this.save(target!);
      } else {
        for (const p of [...this.root.values()]) this.commit(p, true);
      }
    });
    if (ret !== Err.OK) {
      this.cliPerror();
      return 1;
    }
    return 0;
  }

  /** uci_cmd: one command with its arguments. Returns uci's return code (255: unknown command). */
  command(args: string[]): number {
    const first = args[0] ?? '';
    if (first.toLowerCase() === 'batch' && !this.batchMode) return this.batch();
    const cmd = canonical(first);
    if (cmd === null || cmd === 'batch') return 255;
    if (SECTION_CMDS.has(cmd)) return this.sectionCmd(cmd, args);
    switch (cmd) {
      case 'show':
      case 'export':
      case 'commit':
      case 'changes':
        return this.packageCmd(cmd, args);
      case 'import':
        return this.importCmd(args);
      case 'add':
        return this.addCmd(args);
      case 'help':
        this.stderrParts.push(usage(this.o.appname));
        return 0;
      default:
        return 255;
    }
  }

  /** uci_parse_argument for batch input. */
  private batchArgument(src: ByteSource, first: boolean): string {
    if (this.pctx && this.pctx.file !== src) this.pctx = null;
    if (!this.pctx) this.pctx = new ParseCtx(src);
    const ctx = this.pctx;
    if (first) {
      ctx.pos = 0;
      getln(ctx, 0);
    }
    const ofs = nextArg(ctx, false, false, false);
    return strAt(ctx, ofs);
  }

  private batchCmd(src: ByteSource): number {
    const args: string[] = [];
    for (let i = 0; i <= 4; i++) {
      if (i === 4) {
        this.cliError('Too many arguments\n');
        return 1;
      }
      let arg = '';
      if (this.call(() => (arg = this.batchArgument(src, i === 0))) !== Err.OK) {
        this.cliPerror();
        args.length = 0;
        break;
      }
      if (arg === '') break;
      args.push(arg);
    }
    if (args.length === 0) return 0;
    if (args[0]!.toLowerCase() === 'exit') return 254;
    return this.command(args);
  }

  /** uci batch: commands from the input, one per line; a failing one does not stop the rest. */
  batch(): number {
    const src = this.input();
    this.batchMode = true;
    while (!src.eof) {
      const ret = this.batchCmd(src);
      if (ret === 254) return 0;
      if (ret === 255) this.cliError('Unknown command\n');
      this.root.clear();
    }
    this.batchMode = false;
    return 0;
  }
}

export function usage(appname: string): string {
  return [
    `Usage: ${appname} [<options>] <command> [<arguments>]`,
    '',
    'Commands:',
    '\tbatch',
    '\texport     [<config>]',
    '\timport     [<config>]',
    '\tchanges    [<config>]',
    '\tcommit     [<config>]',
    '\tadd        <config> <section-type>',
    '\tadd_list   <config>.<section>.<option>=<string>',
    '\tdel_list   <config>.<section>.<option>=<string>',
    '\tshow       [<config>[.<section>[.<option>]]]',
    '\tget        <config>.<section>[.<option>]',
    '\tset        <config>.<section>[.<option>]=<value>',
    '\tdelete     <config>.<section>[.<option>][=<index>]',
    '\trename     <config>.<section>[.<option>]=<name>',
    '\trevert     <config>[.<section>[.<option>]]',
    '\treorder    <config>.<section>=<position>',
    '',
    'Options:',
    '\t-c <path>  config directory',
    '\t-t <path>  save directory for pending changes',
    '\t-p <path>  another directory of pending changes to read',
    '\t-P <path>  save directory, and commit does nothing',
    '\t-f <file>  read batch/import input from <file>',
    '\t-d <str>   list delimiter for show/get',
    '\t-m         import: merge into the existing config',
    '\t-n / -N    export: name / do not name anonymous sections',
    '\t-q         quiet: no error messages',
    '\t-s / -S    strict parsing on (default) / off',
    '\t-X         show real names of anonymous sections',
    '',
  ].join('\n');
}

export interface CliResult {
  exit: number;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * uci's main(): options, then one command. `argv` excludes the program name.
 * Strings are UTF-8; they are handled as bytes inside.
 */
export function runUciCli(argv: string[], io: { readInput: () => Buffer; readFile?: (p: string) => Buffer; appname?: string }): CliResult {
  const args = argv.map((a) => Buffer.from(a, 'utf8').toString('latin1'));
  const opts: EngineOptions = { confdir: '/etc/config', savedir: '/tmp/.uci', appname: io.appname ?? 'uci' };
  const deltaPaths: string[] = [];
  let inputFile: string | null = null;
  const early = (exit: number, stderr: string): CliResult => ({ exit, stdout: Buffer.alloc(0), stderr: Buffer.from(stderr, 'latin1') });
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a.length < 2) break;
    i++;
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      const needsArg = 'cCdfpPt'.includes(c);
      let val = '';
      if (needsArg) {
        if (k + 1 < a.length) val = a.slice(k + 1);
        else if (i < args.length) val = args[i++]!;
        else return early(0, `${opts.appname}: option requires an argument -- '${c}'\n${usage(opts.appname!)}`);
      }
      switch (c) {
        case 'c':
          opts.confdir = val;
          break;
        case 'C':
          break; // no config override directory in the embedded engine
        case 'd':
          opts.delimiter = val;
          break;
        case 'f':
          if (inputFile !== null) return early(1, 'Too many input files.\n');
          inputFile = val;
          break;
        case 'm':
          opts.merge = true;
          break;
        case 's':
          opts.strict = true;
          break;
        case 'S':
          opts.strict = false;
          opts.printParseErrors = true;
          break;
        case 'n':
          opts.exportName = true;
          break;
        case 'N':
          opts.exportName = false;
          break;
        case 'p':
          deltaPaths.push(val);
          break;
        case 'P':
          opts.savedir = val;
          opts.noCommit = true;
          break;
        case 'q':
          opts.quiet = true;
          break;
        case 't':
          opts.savedir = val;
          break;
        case 'X':
          opts.showExtended = false;
          break;
        default:
          return early(0, `${opts.appname}: invalid option -- '${c}'\n${usage(opts.appname!)}`);
      }
      if (needsArg) break;
    }
  }
  opts.deltaPaths = deltaPaths;
  let fileInput: Buffer | null = null;
  if (inputFile !== null) {
    try {
      fileInput = (io.readFile ?? ((p: string) => fs.readFileSync(p)))(Buffer.from(inputFile, 'latin1').toString('utf8'));
    } catch (e) {
      const msg = e instanceof Error && 'code' in e && e.code === 'ENOENT' ? 'No such file or directory' : 'I/O error';
      return early(1, `uci: ${msg}`);
    }
  }
  opts.input = () => (fileInput ?? io.readInput()).toString('latin1');
  const rest = args.slice(i);
  const engine = new UciEngine(opts);
  if (rest.length === 0) {
    return { exit: 0, stdout: Buffer.alloc(0), stderr: Buffer.from(usage(opts.appname!), 'latin1') };
  }
  let ret = engine.command(rest);
  let stderr = engine.stderr;
  if (ret === 255) stderr += usage(opts.appname!);
  ret &= 0xff;
  return { exit: ret, stdout: Buffer.from(engine.stdout, 'latin1'), stderr: Buffer.from(stderr, 'latin1') };
}

/** Run batch text (bytes) against a config and save directory, as `uci -c -t batch` does. */
export function runBatchBytes(batch: string, opts: Omit<EngineOptions, 'input'>): { exit: number; stdout: string; stderr: string } {
  const engine = new UciEngine({ ...opts, input: () => batch });
  const exit = engine.command(['batch']);
  return { exit, stdout: engine.stdout, stderr: engine.stderr };
}
