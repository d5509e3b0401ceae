/**
 * What uci writes: `uci export` / the file `uci commit` writes, and the `uci show` lines.
 * The byte-string functions serve the engine; the UciPackage ones the rest of the agent.
 */
import { FileBytes, fromBytes } from './bytes.js';
import { fromPublic, type IOption, type IPackage, type ISection, memoOf } from './model.js';
import { quoteUciValue } from './quote.js';
import type { UciPackage } from './types.js';

/** uci_escape: names and types are written bare, a quote as '\'' (they cannot contain one anyway). */
function escapeBare(s: string): string {
  return s.split("'").join("'\\''");
}

function sectionText(s: ISection, nameAnonymous: boolean): string {
  let out = `\nconfig ${escapeBare(s.type)}`;
  if (!s.anonymous || nameAnonymous) out += ` ${quoteUciValue(s.name)}`;
  out += '\n';
  for (const o of s.options) {
    if (o.name === null) continue;
    if (o.kind === 'string') {
      out += `\toption ${escapeBare(o.name)} ${quoteUciValue(o.value)}\n`;
    } else {
      for (const item of o.items) out += `\tlist ${escapeBare(o.name)} ${quoteUciValue(item)}\n`;
    }
  }
  return out;
}

/** Export text; `header` adds the `package` line (export does, commit does not). */
export function exportPackage(p: IPackage, header: boolean, nameAnonymous = false): string {
  let out = header ? `package ${escapeBare(p.name)}\n` : '';
  for (const s of p.sections) out += sectionText(s, nameAnonymous);
  return out + '\n';
}

const NEWLINE = Buffer.from('\n');

/** What `commit` writes (exportPackage without header, as bytes, a piece per section): a changed section costs its own text only. */
export function commitBytes(p: IPackage, nameAnonymous: boolean): FileBytes {
  const n = p.sections.length;
  const parts = new Array<Buffer>(n + 1); // made at its size: no growing of a 500-entry list per commit
  for (let i = 0; i < n; i++) {
    const s = p.sections[i]!;
    // a frozen section's bytes are kept with it (committed without naming anonymous ones)
    const memo = nameAnonymous ? undefined : memoOf(s);
    const bytes = memo ? (memo.bytes ??= Buffer.from(sectionText(s, false), 'latin1')) : Buffer.from(sectionText(s, nameAnonymous), 'latin1');
    parts[i] = bytes;
  }
  parts[n] = NEWLINE;
  return new FileBytes(parts);
}

/** uci_show_value: `get` prints bare values (list items quoted only when they hold whitespace). */
export function showValue(o: IOption, quote: boolean, delimiter = ' '): string {
  if (o.kind === 'string') return `${quote ? quoteUciValue(o.value) : o.value}\n`;
  const parts = o.items.map((item) => (!quote && !/[ \t\r\n]/.test(item) ? item : quoteUciValue(item)));
  return `${parts.join(delimiter)}\n`;
}

export function showOption(pkg: string, sectionRef: string, o: IOption, delimiter = ' '): string {
  return `${pkg}.${sectionRef}.${o.name ?? ''}=${showValue(o, true, delimiter)}`;
}

export function showSection(pkg: string, s: ISection, ref: string = s.name, delimiter = ' '): string {
  let out = `${pkg}.${ref}=${s.type}\n`;
  for (const o of s.options) out += showOption(pkg, ref, o, delimiter);
  return out;
}

/** `uci show pkg`: anonymous sections as @type[index], index counting every section of that type. */
export function showPackage(p: IPackage, extended = true, delimiter = ' '): string {
  const counters = new Map<string, number>();
  let out = '';
  for (const s of p.sections) {
    let ref = s.name;
    if (extended) {
      const idx = counters.get(s.type) ?? 0;
      if (s.anonymous) ref = `@${s.type}[${idx}]`;
      counters.set(s.type, idx + 1);
    }
    out += showSection(p.name, s, ref, delimiter);
  }
  return out;
}

/** The file text `uci commit` writes for this package. */
export function serializeUci(pkg: UciPackage): string {
  return fromBytes(exportPackage(fromPublic(pkg), false));
}

/** `uci export pkg` output. */
export function exportUci(pkg: UciPackage): string {
  return fromBytes(exportPackage(fromPublic(pkg), true));
}

/** `uci show pkg` output. */
export function showUci(pkg: UciPackage): string {
  return fromBytes(showPackage(fromPublic(pkg)));
}
