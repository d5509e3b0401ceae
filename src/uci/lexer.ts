/**
 * uci's tokenizer, reproduced on byte strings: the same line buffer, positions, line counter,
 * quoting, backslash and comment rules, so that values and error positions ("at line N,
 * byte M") come out as uci reports them. Used for config files, batch input and delta files.
 */

/** uci's error codes (enum uci_errors) and their messages. */
export const enum Err {
  OK = 0,
  MEM = 1,
  INVAL = 2,
  NOTFOUND = 3,
  IO = 4,
  PARSE = 5,
  DUPLICATE = 6,
  UNKNOWN = 7,
}

export const ERR_TEXT: readonly string[] = [
  'Success',
  'Out of memory',
  'Invalid argument',
  'Entry not found',
  'I/O error',
  'Parse error',
  'Duplicate entry',
  'Unknown error',
];

/** An error thrown inside the engine (uci's longjmp). */
export class UciFail extends Error {
  constructor(readonly code: Err) {
    super(ERR_TEXT[code] ?? 'Unknown error');
  }
}

export function fail(code: Err): never {
  throw new UciFail(code);
}

/** A stream read with fgets semantics. */
export class ByteSource {
  private off = 0;
  eof = false;
  constructor(private readonly data: string) {}

  /** Next chunk up to and including '\n', or the rest; null at end (and sets eof). */
  fgets(): string | null {
    if (this.off >= this.data.length) {
      this.eof = true;
      return null;
    }
    const nl = this.data.indexOf('\n', this.off);
    let chunk: string;
    if (nl < 0) {
      chunk = this.data.slice(this.off);
      this.off = this.data.length;
      this.eof = true;
    } else {
      chunk = this.data.slice(this.off, nl + 1);
      this.off = nl + 1;
    }
    return chunk;
  }

  /** Everything not read yet (used by import inside a batch). */
  rest(): string {
    const r = this.data.slice(this.off);
    this.off = this.data.length;
    return r;
  }
}

/** struct uci_parse_context: a line buffer with a read position. */
export class ParseCtx {
  buf: number[] = [];
  pos = 0;
  line = 0;
  filled = 0;
  reason: string | null = null;
  byte = 0;
  /** Whether the last chunk read ended with a newline (for 1-based error lines). */
  lastHadNewline = true;
  constructor(public file: ByteSource) {}
}

export function cur(ctx: ParseCtx): number {
  return ctx.buf[ctx.pos] ?? 0;
}

/** The byte at i, 0 past the end (C's NUL terminator). */
export function at0(ctx: ParseCtx, i: number): number {
  return ctx.buf[i] ?? 0;
}
const at = at0;

/** C string starting at i (up to the first NUL or the end of the buffer). */
export function strAt(ctx: ParseCtx, i: number): string {
  const buf = ctx.buf;
  let end = i;
  while (end < buf.length && buf[end] !== 0) end++;
  let s = '';
  for (let k = i; k < end; k += 8192) s += String.fromCharCode(...buf.slice(k, Math.min(end, k + 8192)));
  return s;
}

export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Read a line into the buffer at `offset` (uci_getln). */
export function getln(ctx: ParseCtx, offset: number): void {
  ctx.buf.length = offset;
  for (;;) {
    const chunk = ctx.file.fgets();
    if (chunk === null) return;
    const nul = chunk.indexOf('\0');
    const s = nul >= 0 ? chunk.slice(0, nul) : chunk;
    if (s.length === 0) return;
    const buf = ctx.buf;
    for (let i = 0; i < s.length; i++) buf.push(s.charCodeAt(i));
    ctx.filled = ctx.buf.length;
    if (s.charCodeAt(s.length - 1) === 10) {
      ctx.line++;
      ctx.lastHadNewline = true;
      return;
    }
    ctx.lastHadNewline = false;
  }
}

export function parseError(ctx: ParseCtx, reason: string): never {
  ctx.reason = reason;
  ctx.byte = ctx.pos;
  fail(Err.PARSE);
}

export function skipWhitespace(ctx: ParseCtx): void {
  while (cur(ctx) && isSpace(cur(ctx))) ctx.pos++;
}

/** After a backslash: false when it joined the next line (nothing to copy). */
function parseBackslash(ctx: ParseCtx): boolean {
  ctx.pos++;
  const c = cur(ctx);
  if (c === 0 || c === 10 || (c === 13 && at(ctx, ctx.pos + 1) === 10 && at(ctx, ctx.pos + 2) === 0)) {
    getln(ctx, ctx.pos);
    return false;
  }
  return true;
}

function addc(ctx: ParseCtx, target: { v: number }): void {
  ctx.buf[target.v] = ctx.buf[ctx.pos] ?? 0;
  target.v++;
  ctx.pos++;
}

function parseDoubleQuote(ctx: ParseCtx, target: { v: number }): void {
  ctx.pos++;
  for (;;) {
    const c = cur(ctx);
    if (c === 34) {
      ctx.pos++;
      return;
    }
    if (c === 0) {
      getln(ctx, ctx.pos);
      if (!cur(ctx)) parseError(ctx, 'EOF with unterminated "');
      continue;
    }
    if (c === 92 && !parseBackslash(ctx)) continue;
    addc(ctx, target);
  }
}

function parseSingleQuote(ctx: ParseCtx, target: { v: number }): void {
  ctx.pos++;
  for (;;) {
    const c = cur(ctx);
    if (c === 39) {
      ctx.pos++;
      return;
    }
    if (c === 0) {
      getln(ctx, ctx.pos);
      if (!cur(ctx)) parseError(ctx, "EOF with unterminated '");
      continue;
    }
    addc(ctx, target);
  }
}

/** One word: quoted parts, escapes, stops at whitespace, '#' or ';' (parse_str). */
function parseStr(ctx: ParseCtx, target: { v: number }): void {
  let next = true;
  loop: do {
    const c = cur(ctx);
    switch (c) {
      case 39:
        parseSingleQuote(ctx, target);
        break;
      case 34:
        parseDoubleQuote(ctx, target);
        break;
      case 35: // '#'
        ctx.buf[ctx.pos] = 0;
        break loop;
      case 0:
        break loop;
      case 59: // ';'
        next = false;
        break loop;
      case 92: // '\\'
        if (!parseBackslash(ctx)) continue;
        addc(ctx, target);
        break;
      default:
        addc(ctx, target);
    }
  } while (cur(ctx) && !isSpace(cur(ctx)));
  if (cur(ctx) && next) ctx.pos++;
  ctx.buf[target.v] = 0;
}

/** uci_validate_str: names are [A-Za-z0-9_]; types/packages allow printable ASCII (packages also '-'). */
export function validateStr(str: string, name: boolean, pkg: boolean): boolean {
  if (str.length === 0) return false;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) continue;
    if (c === 45 && pkg) continue;
    if (name || c < 33 || c > 126) return false;
  }
  return true;
}

export const validateName = (s: string): boolean => validateStr(s, true, false);
export const validateType = (s: string): boolean => validateStr(s, false, false);
export const validatePackage = (s: string): boolean => validateStr(s, false, true);

/** uci_validate_text: no control characters except tab, LF, CR. */
export function validateText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

/** next_arg: returns the buffer offset of the (NUL-terminated) argument. */
export function nextArg(ctx: ParseCtx, required: boolean, name: boolean, pkg: boolean): number {
  skipWhitespace(ctx);
  const val = ctx.pos;
  const target = { v: ctx.pos };
  if (cur(ctx) === 59) {
    ctx.buf[ctx.pos] = 0;
    ctx.pos++;
  } else {
    parseStr(ctx, target);
  }
  if (!at(ctx, val)) {
    if (required) parseError(ctx, 'insufficient arguments');
    return val;
  }
  if (name && !validateStr(strAt(ctx, val), name, pkg)) parseError(ctx, 'invalid character in name field');
  return val;
}

/** C strtol/strtoul helpers on a byte string. */
export function cStrtol(s: string): { value: bigint; end: number } {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const start = i;
  let v = 0n;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
    v = v * 10n + BigInt(s.charCodeAt(i) - 48);
    i++;
  }
  if (i === start) return { value: 0n, end: 0 };
  return { value: neg ? -v : v, end: i };
}

/** (int) strtoul(s, NULL, 10) as uci passes it to uci_reorder_section. */
export function strtoulToInt(s: string): number {
  const { value } = cStrtol(s);
  const max = (1n << 64n) - 1n;
  let u: bigint;
  const abs = value < 0n ? -value : value;
  if (abs > max) u = max;
  else u = value < 0n ? ((1n << 64n) - abs) & max : value;
  return Number(BigInt.asIntN(32, u));
}

/** (int) strtol(s, &end, 10), with whether the whole string was consumed. */
export function strtolToInt(s: string): { value: number; whole: boolean } {
  const { value, end } = cStrtol(s);
  const lmax = (1n << 63n) - 1n;
  const lmin = -(1n << 63n);
  const l = value > lmax ? lmax : value < lmin ? lmin : value;
  return { value: Number(BigInt.asIntN(32, l)), whole: end === 0 ? s.length === 0 : end === s.length };
}

/** sscanf(s, "%d"): null when no number could be read (EOF counts as a match, like C's -1). */
export function sscanfInt(s: string): number | null | 'eof' {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  if (i >= s.length) return 'eof';
  const { value, end } = cStrtol(s.slice(i));
  if (end === 0) return null;
  return Number(BigInt.asIntN(32, value));
}
