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
 * A file's content as the engine keeps it: the bytes read, and their byte string made when
 * first asked for (a parse needs it; a load served from what the engine keeps compares the
 * bytes only: no 70 KB string decoded and kept per write of a 500-rule config).
 */
export class FileBytes {
  private str: string | undefined;

  constructor(readonly buf: Buffer) {}

  get text(): string {
    return (this.str ??= this.buf.toString('latin1'));
  }

  equals(other: FileBytes): boolean {
    return this === other || this.buf.equals(other.buf);
  }
}

/** Buffer -> byte string. */
export function bufferToBytes(buf: Buffer | Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

