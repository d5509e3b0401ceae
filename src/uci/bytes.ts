/**
 * The engine works on "byte strings": JS strings whose every char code is one byte (latin1),
 * so that positions and lengths match uci's C code exactly (error messages report bytes).
 * These helpers convert at the boundary with the typed, UTF-8 model.
 */

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** UTF-8 text -> byte string (ASCII is both). */
export function toBytes(text: string): string {
  return ASCII.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** Byte string -> UTF-8 text (ASCII is both). */
export function fromBytes(bytes: string): string {
  return ASCII.test(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * One buffer, reused, holding the bytes of the FileBytes flattened last: a commit copies its
 * pieces here to write them (not into a new buffer), and the next read of the file is compared
 * with it. Kept up to FLAT_KEPT; a bigger file gets a buffer of its own.
 */
const FLAT_KEPT = 1024 * 1024;
let flat = Buffer.allocUnsafeSlow(64 * 1024);
let flatOf: FileBytes | undefined;

/**
 * A file's content as the engine keeps it: the bytes, in the pieces they were made in (a read
 * gives one; a commit one per section, each kept with its section), so that a commit never
 * makes a 70 KB buffer that lives until V8's next full collection (a 500-rule config: ~4 MiB
 * of the allocator's heap after 200 writes). The byte string a parse needs, and the single
 * buffer, are made only when asked for.
 */
export class FileBytes {
  readonly length: number;
  private str: string | undefined;
  private whole: Buffer | undefined;
  readonly pieces: readonly Buffer[];

  constructor(content: Buffer | readonly Buffer[]) {
    if (Buffer.isBuffer(content)) {
      this.pieces = [content];
      this.whole = content;
      this.length = content.length;
    } else {
      this.pieces = content;
      let length = 0;
      for (const p of content) length += p.length;
      this.length = length;
    }
  }

  /** The bytes in one buffer. */
  get buf(): Buffer {
    return (this.whole ??= Buffer.concat(this.pieces, this.length));
  }

  get text(): string {
    return (this.str ??= this.buf.toString('latin1'));
  }

  equals(other: FileBytes): boolean {
    return this === other || (this.length === other.length && samePieces(this.pieces, other.pieces));
  }

  /** Whether `bytes` are these bytes. */
  holds(bytes: Buffer): boolean {
    if (this.length !== bytes.length) return false;
    const one = this.whole ?? (flatOf === this ? flat : undefined);
    return one ? one.compare(bytes, 0, bytes.length, 0, this.length) === 0 : samePieces(this.pieces, [bytes]);
  }

  /** The bytes in one buffer to write them, valid until another FileBytes is flattened. */
  flatten(): Buffer {
    if (this.whole) return this.whole;
    if (this.length > FLAT_KEPT) return Buffer.concat(this.pieces, this.length);
    if (flatOf !== this) {
      if (flat.length < this.length) flat = Buffer.allocUnsafeSlow(Math.min(FLAT_KEPT, Math.max(this.length, 2 * flat.length)));
      let at = 0;
      for (const p of this.pieces) at += p.copy(flat, at);
      flatOf = this;
    }
    return flat.subarray(0, this.length);
  }
}

/** Whether two lists of pieces of the same total length hold the same bytes (a piece both share is not read). */
function samePieces(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  let i = 0;
  let j = 0;
  let at = 0; // offset in a[i]
  let bt = 0; // offset in b[j]
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (at === 0 && bt === 0 && x === y) {
      i++;
      j++;
      continue;
    }
    const n = Math.min(x.length - at, y.length - bt);
    if (x.compare(y, bt, bt + n, at, at + n) !== 0) return false;
    at += n;
    bt += n;
    if (at === x.length) (i++, (at = 0));
    if (bt === y.length) (j++, (bt = 0));
  }
  return true; // the lengths are equal: what is left on either side is empty pieces
}

/** Buffer -> byte string. */
export function bufferToBytes(buf: Buffer | Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

