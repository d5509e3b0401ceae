// `swanctl --list-sas --raw` text: strongSwan's one-line dump of a vici message, `<label>
// {<body>}` per message, where a body holds `key=value`, `key=[item item]` and `name {<body>}`
// separated by single spaces. Values are printed as they are (spaces included), so where a
// value ends is decided by what follows: ` key=` with a lower-case vici key, ` name {`, or `}`.
// A value that itself contains such a sequence (a lower-case DN such as `cn=a, o=b`) is cut
// there; list items are split on spaces. Neither happens with the fields the status reads. The
// agent reads charon over the vici socket (src/ipsec/vici.ts) and parses this text only when
// the socket cannot be reached.
import type { ViciSection } from '../ipsec/vici.js';

export type { ViciSection, ViciValue } from '../ipsec/vici.js';
export interface ViciMessage {
  label: string;
  body: ViciSection;
}

export class ViciParseError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`swanctl raw output: ${message} at offset ${offset}`);
    this.name = 'ViciParseError';
  }
}

const NAME_CHAR = /[^\s={}[\]]/;
/** Where a plain value ends: before ` key=`, ` name {` or `}`. */
const VALUE_END = /\s+(?=[a-z][a-z0-9_-]*=|[^\s={}[\]]+ \{)|\}/g;

export function parseViciRaw(text: string): ViciMessage[] {
  const messages: ViciMessage[] = [];
  let pos = 0;

  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    if (text[pos] !== ch) throw new ViciParseError(`expected '${ch}'`, pos);
    pos++;
  };
  const readName = (): string => {
    const start = pos;
    while (pos < text.length && NAME_CHAR.test(text[pos]!)) pos++;
    if (pos === start) throw new ViciParseError('expected a name', pos);
    return text.slice(start, pos);
  };

  const readList = (): string[] => {
    expect('[');
    const items: string[] = [];
    for (;;) {
      skipSpace();
      if (pos >= text.length) throw new ViciParseError("unterminated list, expected ']'", pos);
      if (text[pos] === ']') {
        pos++;
        return items;
      }
      const start = pos;
      while (pos < text.length && !/[\s\]]/.test(text[pos]!)) pos++;
      items.push(text.slice(start, pos));
    }
  };

  const readValue = (): string => {
    VALUE_END.lastIndex = pos;
    const m = VALUE_END.exec(text);
    if (!m) throw new ViciParseError("unterminated value, expected '}'", pos);
    const value = text.slice(pos, m.index);
    pos = m.index;
    return value;
  };

  const readBody = (): ViciSection => {
    expect('{');
    const section: ViciSection = new Map();
    for (;;) {
      skipSpace();
      if (pos >= text.length) throw new ViciParseError("unterminated section, expected '}'", pos);
      if (text[pos] === '}') {
        pos++;
        return section;
      }
      const name = readName();
      if (text[pos] === '=') {
        pos++;
        section.set(name, text[pos] === '[' ? readList() : readValue());
      } else {
        skipSpace();
        section.set(name, readBody());
      }
    }
  };

  for (;;) {
    skipSpace();
    if (pos >= text.length) return messages;
    const brace = text.indexOf('{', pos);
    const eol = text.indexOf('\n', pos);
    if (brace < 0 || (eol >= 0 && eol < brace)) throw new ViciParseError("expected '<label> {'", pos);
    const label = text.slice(pos, brace).trim();
    pos = brace;
    messages.push({ label, body: readBody() });
  }
}
