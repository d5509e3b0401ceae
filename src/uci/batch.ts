/**
 * THE batch builder: typed operations -> `uci batch` text. Names are checked against uci's
 * rule for names ([A-Za-z0-9_]) and a bad one throws; values only ever enter the text through
 * quoteUciValue, so no value can end a command or start another.
 */
import { UciNameError, UciValueError } from './errors.js';
import { quoteUciValue } from './quote.js';
import type { BatchOp, SectionRef } from './types.js';
import { LONE_SURROGATE, UCI_REFUSED_CONTROL as BAD_CONTROL } from '../text.js';

const NAME_RE = /^[A-Za-z0-9_]+$/;
const REF_RE = /^@([A-Za-z0-9_]+)\[(-?[0-9]+)\]$/;
// Control characters uci refuses in values (uci_validate_text): all below 0x20 but tab, LF, CR.
// eslint-disable-next-line no-control-regex

export function isUciName(s: string): boolean {
  return NAME_RE.test(s);
}

function name(kind: 'package' | 'section' | 'option' | 'type', s: string): string {
  if (typeof s !== 'string' || !NAME_RE.test(s)) throw new UciNameError(kind, String(s));
  return s;
}

function sectionRef(ref: SectionRef): string {
  if (typeof ref === 'string' && REF_RE.test(ref)) return ref;
  return name('section', ref);
}

function value(v: string): string {
  if (typeof v !== 'string' || BAD_CONTROL.test(v) || LONE_SURROGATE.test(v)) throw new UciValueError(String(v));
  return quoteUciValue(v);
}

function opLine(pkg: string, op: BatchOp): string {
  switch (op.op) {
    case 'section':
      return `set ${pkg}.${sectionRef(op.section)}=${name('type', op.type)}`;
    case 'set':
      return `set ${pkg}.${sectionRef(op.section)}.${name('option', op.option)}=${value(op.value)}`;
    case 'add_list':
      return `add_list ${pkg}.${sectionRef(op.section)}.${name('option', op.option)}=${value(op.value)}`;
    case 'del_list':
      return `del_list ${pkg}.${sectionRef(op.section)}.${name('option', op.option)}=${value(op.value)}`;
    case 'delete':
      return op.option === undefined
        ? `delete ${pkg}.${sectionRef(op.section)}`
        : `delete ${pkg}.${sectionRef(op.section)}.${name('option', op.option)}`;
    case 'rename':
      return op.option === undefined
        ? `rename ${pkg}.${sectionRef(op.section)}=${name('section', op.to)}`
        : `rename ${pkg}.${sectionRef(op.section)}.${name('option', op.option)}=${name('option', op.to)}`;
    case 'reorder':
      if (!Number.isSafeInteger(op.position) || op.position < 0) {
        throw new RangeError(`reorder position must be a non-negative integer, got ${String(op.position)}`);
      }
      return `reorder ${pkg}.${sectionRef(op.section)}=${op.position}`;
    case 'add':
      return `add ${pkg} ${name('type', op.type)}`;
    default: {
      const never: never = op;
      throw new TypeError(`unknown batch op ${JSON.stringify(never)}`);
    }
  }
}

/**
 * `uci batch` text for `ops` on package `pkg`, one command per line, without `commit`.
 * Note uci's own meaning of an empty value: `set` with '' deletes the option.
 */
export function buildBatch(pkg: string, ops: BatchOp[]): string {
  name('package', pkg);
  return ops.map((op) => `${opLine(pkg, op)}\n`).join('');
}
