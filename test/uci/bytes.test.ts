/** A file's bytes in pieces (src/uci/bytes.ts): compared piece by piece, as one buffer would be. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileBytes } from '../../src/uci/bytes.js';

/** `bytes` cut at `cuts` (positions, any order, repeats give empty pieces), each piece its own Buffer. */
function cut(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const at = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return at.slice(1).map((end, i) => Buffer.from(bytes.subarray(at[i], end)));
}

const bytesArb = fc.uint8Array({ maxLength: 64 });
const cutsArb = fc.array(fc.nat(), { maxLength: 10 });

describe('FileBytes', () => {
  it('equals and holds answer what comparing the whole bytes answers, however they are cut', () => {
    fc.assert(
      fc.property(bytesArb, bytesArb, cutsArb, cutsArb, (a, b, ca, cb) => {
        const same = Buffer.from(a).equals(Buffer.from(b));
        const x = new FileBytes(cut(a, ca));
        const y = new FileBytes(cut(b, cb));
        expect(x.equals(y)).toBe(same);
        expect(y.equals(x)).toBe(same);
        expect(x.holds(Buffer.from(b))).toBe(same);
        expect(x.equals(new FileBytes(Buffer.from(b)))).toBe(same);
        expect(x.flatten().equals(Buffer.from(a))).toBe(true);
        expect(x.holds(Buffer.from(b))).toBe(same); // compared with its flattened bytes now
        y.flatten();
        expect(x.holds(Buffer.from(b))).toBe(same); // and piece by piece again once another is
        expect(x.buf.equals(Buffer.from(a))).toBe(true);
        expect(x.length).toBe(a.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds one changed byte anywhere, also where both share the pieces around it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), cutsArb, fc.nat(), (a, cuts, at) => {
        const pieces = cut(a, cuts);
        const changed = Buffer.from(a);
        const i = at % a.length;
        changed[i] = (changed[i]! + 1) % 256;
        // the same piece objects, but the one holding the changed byte
        let start = 0;
        const other = pieces.map((p) => {
          const holds = i >= start && i < start + p.length;
          start += p.length;
          return holds ? Buffer.from(changed.subarray(start - p.length, start)) : p;
        });
        expect(new FileBytes(pieces).equals(new FileBytes(other))).toBe(false);
        expect(new FileBytes(pieces).holds(changed)).toBe(false);
        expect(new FileBytes(pieces).text).toBe(Buffer.from(a).toString('latin1'));
      }),
      { numRuns: 1000 },
    );
  });
});
