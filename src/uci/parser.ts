/**
 * The UCI config file parser (uci_import): `package`, `config`, `option`, `list`, comments,
 * quoting, escapes, multi-line values, several commands on a line with ';', anonymous
 * sections named as uci names them, sections declared twice, options turned into lists.
 */
import { bufferToBytes, toBytes } from './bytes.js';
import { UciParseError } from './errors.js';
import {
  at0,
  ByteSource,
  Err,
  fail,
  getln,
  nextArg,
  ParseCtx,
  parseError,
  skipWhitespace,
  strAt,
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
  type IPackage,
  type ISection,
  newPackage,
  setOption,
  toPublic,
} from './model.js';
import type { UciPackage } from './types.js';

export interface ImportOptions {
  /** The package name when the stream has no `package` line (uci_import's name). */
  name: string | null;
  /** One package only: `package` lines are checked and ignored. */
  single: boolean;
  /** Stop at the first parse error (uci's default); otherwise skip the bad line. */
  strict: boolean;
  /** Parse into this existing package, recording changes (import -m). */
  merge?: IPackage;
  /** Called for each skipped error in non-strict mode (uci -S prints it). */
  onError?: (ctx: ParseCtx, code: Err) => void;
  /** Whether a package of that name is already loaded (uci throws "Duplicate entry"). */
  isLoaded?: (name: string) => boolean;
}

export interface ImportResult {
  /** Every package the stream defined, in order (not the merge target). */
  packages: IPackage[];
  /** The package uci_import hands back (the last one, or the merge target). */
  pkg: IPackage | null;
}

/** Parse a whole stream. Throws UciFail; on a parse error `ctx` holds reason, line and byte. */
export function importConfig(ctx: ParseCtx, opts: ImportOptions): ImportResult {
  const out: IPackage[] = [];
  const merging = opts.merge !== undefined;
  let pkg: IPackage | null = opts.merge ?? null;
  let section: ISection | null = null;
  let name: string | null = opts.name;

  const record = (d: Delta): void => {
    if (merging && pkg?.hasDelta) pkg.delta.push(d);
  };

  // Each package's sections by name (the first of a name), as findSection would find them: a
  // section declared again is looked up here instead of through every section before it (a
  // parse of n sections was n²/2 name comparisons). Sections are only added during a parse, or
  // replaced at their place by changeSectionType.
  const indexes = new Map<IPackage, Map<string, ISection>>();
  const indexOf = (p: IPackage): Map<string, ISection> => {
    let index = indexes.get(p);
    if (!index) {
      index = new Map();
      for (const s of p.sections) if (!index.has(s.name)) index.set(s.name, s);
      indexes.set(p, index);
    }
    return index;
  };
  const added = (p: IPackage, s: ISection): ISection => {
    const index = indexOf(p);
    if (!index.has(s.name)) index.set(s.name, s);
    return s;
  };

  const switchConfig = (): void => {
    if (pkg) {
      out.push(pkg);
      pkg = null;
      section = null;
    }
    if (name === null) return;
    if (out.some((p) => p.name === name) || opts.isLoaded?.(name)) fail(Err.DUPLICATE);
    pkg = newPackage(name);
  };

  const increasePos = (what: string): void => {
    const add = strAt(ctx, ctx.pos).length + 1;
    if (ctx.pos + add > ctx.filled) parseError(ctx, `${what} without name`);
    ctx.pos += add;
  };

  const assertEol = (): void => {
    skipWhitespace(ctx);
    const ofs = nextArg(ctx, false, false, false);
    if (at0(ctx, ofs) && opts.strict) parseError(ctx, 'too many arguments');
  };

  const parsePackage = (): void => {
    increasePos('package');
    const ofs = nextArg(ctx, true, true, true);
    assertEol();
    if (opts.single) return;
    name = strAt(ctx, ofs);
    switchConfig();
  };

  const parseConfig = (): void => {
    if (!pkg) {
      if (name === null) parseError(ctx, 'attempting to import a file without a package name');
      switchConfig();
    }
    const p = pkg!;
    increasePos('config');
    const ofsType = nextArg(ctx, true, false, false);
    if (!validateType(strAt(ctx, ofsType))) parseError(ctx, 'invalid character in type field');
    const ofsName = nextArg(ctx, false, true, false);
    assertEol();
    const type = strAt(ctx, ofsType);
    const secName = strAt(ctx, ofsName);
    if (secName === '') {
      const s = added(p, allocSection(p, type, null));
      record({ cmd: Cmd.ADD, section: s.name, option: null, value: type });
      section = s;
      return;
    }
    const existing = indexOf(p).get(secName);
    if (existing && opts.strict && existing.type !== type) {
      parseError(ctx, 'section of different type overwrites prior section with same name');
    }
    if (existing) {
      if (existing.type === type) {
        section = existing;
        return;
      }
      section = changeSectionType(p, existing, type);
      indexOf(p).set(secName, section); // the same place, maybe another object
    } else {
      section = added(p, allocSection(p, type, secName));
    }
    record({ cmd: Cmd.CHANGE, section: secName, option: null, value: type });
  };

  const parseOption = (list: boolean): void => {
    if (!section) parseError(ctx, 'option/list command found before the first section');
    const s = section;
    increasePos('option');
    const ofsName = nextArg(ctx, true, true, false);
    const ofsValue = nextArg(ctx, false, false, false);
    assertEol();
    const optName = strAt(ctx, ofsName);
    const value = strAt(ctx, ofsValue);
    const existing = findOption(s, optName);
    if (list) {
      addListItem(s, optName, value, existing);
      record({ cmd: Cmd.LIST_ADD, section: s.name, option: optName, value });
    } else {
      // An empty option value is ignored while parsing (the lookup is never "complete").
      if (value === '') return;
      if (setOption(s, optName, value, existing)) record({ cmd: Cmd.CHANGE, section: s.name, option: optName, value });
    }
  };

  const parseLine = (): void => {
    skipWhitespace(ctx);
    for (;;) {
      // strtok(current, " \t")
      let i = ctx.pos;
      while (ctx.buf[i] === 32 || ctx.buf[i] === 9) i++;
      if (!at0(ctx, i)) return;
      let j = i;
      while (at0(ctx, j) && ctx.buf[j] !== 32 && ctx.buf[j] !== 9) j++;
      if (at0(ctx, j)) ctx.buf[j] = 0;
      const word = strAt(ctx, i);
      const rest = word.slice(1);
      switch (word[0]) {
        case '#':
          return;
        case 'p':
          if (rest === '' || rest === 'ackage') parsePackage();
          else parseError(ctx, 'invalid command');
          break;
        case 'c':
          if (rest === '' || rest === 'onfig') parseConfig();
          else parseError(ctx, 'invalid command');
          break;
        case 'o':
          if (rest === '' || rest === 'ption') parseOption(false);
          else parseError(ctx, 'invalid command');
          break;
        case 'l':
          if (rest === '' || rest === 'ist') parseOption(true);
          else parseError(ctx, 'invalid command');
          break;
        default:
          parseError(ctx, 'invalid command');
      }
    }
  };

  while (!ctx.file.eof) {
    ctx.pos = 0;
    getln(ctx, 0);
    if (!at0(ctx, 0)) continue;
    try {
      parseLine();
    } catch (e) {
      if (!(e instanceof UciFail)) throw e;
      opts.onError?.(ctx, e.code);
      if (e.code !== Err.PARSE || opts.strict) throw e;
    }
  }

  if (!pkg && name !== null) switchConfig();
  const result: IPackage | null = pkg;
  if (merging) pkg = null;
  name = null;
  switchConfig();
  return { packages: out, pkg: result };
}

/** Parse one package from a byte string. Throws UciFail with the context's reason. */
export function parsePackageBytes(bytes: string, name: string): { pkg: IPackage; ctx: ParseCtx } {
  const ctx = new ParseCtx(new ByteSource(bytes));
  const { pkg } = importConfig(ctx, { name, single: true, strict: true });
  return { pkg: pkg!, ctx };
}

/**
 * Parse a config file's text into the shared model, exactly as uci reads it.
 * Throws UciParseError naming `file` and the 1-based line.
 */
export function parseUci(text: string | Buffer, options: string | { name: string; file?: string }): UciPackage {
  const opts = typeof options === 'string' ? { name: options } : options;
  const bytes = typeof text === 'string' ? toBytes(text) : bufferToBytes(text);
  const file = opts.file ?? opts.name;
  const name = toBytes(opts.name);
  if (!validatePackage(name)) throw new UciParseError(file, 0, `invalid package name ${JSON.stringify(opts.name)}`);
  const ctx = new ParseCtx(new ByteSource(bytes));
  try {
    const { pkg } = importConfig(ctx, { name, single: true, strict: true });
    return toPublic(pkg!);
  } catch (e) {
    if (e instanceof UciFail) {
      const line = Math.max(1, ctx.line + (ctx.lastHadNewline ? 0 : 1));
      throw new UciParseError(file, line, ctx.reason ?? e.message, ctx.byte);
    }
    throw e;
  }
}
