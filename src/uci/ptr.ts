/**
 * uci's addresses: `package[.section[.option]][=value]` (uci_parse_ptr), the delta file's
 * lines, and their parsing back (uci_parse_delta_tuple).
 */
import { Err, fail, nextArg, type ParseCtx, strAt, at0, validateName, validatePackage, validateText } from './lexer.js';
import { Cmd, CMD_CHAR, type Delta, type IOption, type IPackage, type ISection } from './model.js';
import { quoteUciValue } from './quote.js';

export interface Ptr {
  package: string;
  section: string | null;
  option: string | null;
  value: string | null;
  /** The section is not a plain name (e.g. @type[idx]). */
  extended: boolean;
  done: boolean;
  complete: boolean;
  p?: IPackage;
  s?: ISection;
  o?: IOption;
}

/** uci_parse_ptr; throws a parse error for malformed addresses. */
export function parsePtr(input: string): Ptr {
  let str = input;
  let value: string | null = null;
  const eq = str.indexOf('=');
  if (eq >= 0) {
    value = str.slice(eq + 1);
    str = str.slice(0, eq);
  }
  const parts = str.split('.');
  if (parts.length > 3) fail(Err.PARSE);
  const ptr: Ptr = {
    package: parts[0]!,
    section: parts[1] ?? null,
    option: parts[2] ?? null,
    value,
    extended: false,
    done: false,
    complete: false,
  };
  if (!validatePackage(ptr.package)) fail(Err.PARSE);
  if (ptr.section !== null && !validateName(ptr.section)) ptr.extended = true;
  if (ptr.option !== null && !validateName(ptr.option)) fail(Err.PARSE);
  if (ptr.value !== null && !validateText(ptr.value)) fail(Err.PARSE);
  return ptr;
}

/** One line of a delta file, as uci_save writes it. */
export function deltaLine(pkg: string, d: Delta): string {
  let line = `${CMD_CHAR[d.cmd]}${pkg}.${d.section}`;
  if (d.option !== null) line += `.${d.option}`;
  if (d.cmd === Cmd.REMOVE && d.value === null) return `${line}\n`;
  return `${line}=${quoteUciValue(d.value ?? '')}\n`;
}

/** The `uci changes` line for a saved delta. */
export function changeLine(pkg: string, d: Delta): string {
  const prefix = d.cmd === Cmd.REMOVE ? '-' : '';
  const op = d.cmd === Cmd.LIST_ADD ? '+=' : d.cmd === Cmd.LIST_DEL ? '-=' : '=';
  let line = `${prefix}${pkg}.${d.section}`;
  if (d.option !== null) line += `.${d.option}`;
  if (d.cmd !== Cmd.REMOVE) line += `${op}${quoteUciValue(d.value ?? '')}`;
  return `${line}\n`;
}

/** uci_parse_delta_tuple on the line in `ctx` (position 0). Throws on a malformed line. */
export function parseDeltaTuple(ctx: ParseCtx): { cmd: Cmd; ptr: Ptr } {
  const ofs = nextArg(ctx, false, false, false);
  let arg = strAt(ctx, ofs);
  if (at0(ctx, ctx.pos)) fail(Err.INVAL);
  let cmd = Cmd.CHANGE;
  const first = arg[0] ?? '';
  const idx = CMD_CHAR.indexOf(first as (typeof CMD_CHAR)[number]);
  if (idx >= 0 && first !== '') cmd = idx as Cmd;
  if (cmd !== Cmd.CHANGE) arg = arg.slice(1);
  const ptr = parsePtr(arg);
  if (ptr.section === null) fail(Err.INVAL);
  if (ptr.extended) fail(Err.INVAL);
  if (cmd !== Cmd.REMOVE && ptr.value === null) fail(Err.INVAL);
  switch (cmd) {
    case Cmd.REORDER:
      if (ptr.value === null || ptr.option !== null) fail(Err.INVAL);
      break;
    case Cmd.RENAME:
      if (ptr.value === null || !validateName(ptr.value)) fail(Err.INVAL);
      break;
    case Cmd.LIST_ADD:
    case Cmd.LIST_DEL:
      if (ptr.option === null) fail(Err.INVAL);
      break;
    default:
      break;
  }
  return { cmd, ptr };
}
