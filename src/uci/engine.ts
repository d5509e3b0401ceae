/**
 * The embedded uci's commands, as `uci batch` runs them: get, set, add_list, del_list, delete,
 * rename, revert, reorder, add, show, export, changes, commit, import, batch. Messages, their
 * odd growing blank lines, exit codes and the carrying on after a failed batch command are
 * uci's. Every command loads its package afresh, as uci does; files.ts makes that cheap.
 * The command line around it (options, usage) is cli-main.ts.
 *
 * Works on byte strings (see bytes.ts) and synchronous file I/O, like the C code.
 */
import { ByteSource, Err, fail, getln, nextArg, ParseCtx, sscanfInt, strAt, strtoulToInt, validatePackage } from './lexer.js';
import { UciFiles, type FileOptions } from './files.js';
import { type IPackage, type ISection, writable } from './model.js';
import { importConfig } from './parser.js';
import { changeLine, type Ptr } from './ptr.js';
import { exportPackage, showOption, showPackage, showSection, showValue } from './serialize.js';

export interface EngineOptions extends FileOptions {
  /** Program name in error messages. */
  appname?: string;
  quiet?: boolean;
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

export class UciEngine extends UciFiles {
  private readonly stdoutParts: string[] = [];
  private batchMode = false;
  private inputSource: ByteSource | null = null;
  private readonly o: Required<Omit<EngineOptions, 'input' | 'saveIn' | 'read'>> & { input?: () => string };

  constructor(opts: EngineOptions) {
    super(opts);
    this.o = {
      ...this.fo,
      appname: 'uci',
      quiet: false,
      showExtended: true,
      delimiter: ' ',
      merge: false,
      noCommit: false,
      ...opts,
    } as Required<Omit<EngineOptions, 'input' | 'saveIn' | 'read'>> & { input?: () => string };
  }

  get stdout(): string {
    return this.stdoutParts.join('');
  }

  private print(s: string): void {
    this.stdoutParts.push(s);
  }

  private input(): ByteSource {
    if (!this.inputSource) this.inputSource = new ByteSource(this.o.input ? this.o.input() : '');
    return this.inputSource;
  }

  private cliPerror(): void {
    if (this.o.quiet) return;
    this.uciPerror(this.o.appname);
  }

  private cliError(msg: string): void {
    if (!this.o.quiet) this.stderrParts.push(msg);
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
      // the parser changes the sections it merges into in place
      if (target) for (const s of [...target.sections]) writable(target, s);
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

/** uci's usage text (`uci help`, and after an unknown command). */
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

/** Run batch text (bytes) against a config and save directory, as `uci -c -t batch` does. */
export function runBatchBytes(batch: string, opts: Omit<EngineOptions, 'input'>): { exit: number; stdout: string; stderr: string } {
  const engine = new UciEngine({ ...opts, input: () => batch });
  const exit = engine.command(['batch']);
  return { exit, stdout: engine.stdout, stderr: engine.stderr };
}
