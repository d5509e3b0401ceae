// crypt(3) password hashes found in /etc/shadow, on node:crypto:
//   $1$  MD5-crypt (Poul-Henning Kamp's algorithm, used by busybox/OpenWRT)
//   $5$  SHA-256-crypt and $6$ SHA-512-crypt (Ulrich Drepper's "Unix crypt using SHA-256
//        and SHA-512" specification), with the optional rounds=N parameter.
import { createHash, timingSafeEqual } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** crypt's base-64: 24-bit groups, least significant 6 bits first. */
function encode24(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

function encodeGroups(digest: Buffer, groups: readonly (readonly [number, number, number])[], tail: readonly [number, number, number, number]): string {
  let out = '';
  for (const [a, b, c] of groups) out += encode24(digest[a]!, digest[b]!, digest[c]!, 4);
  const [a, b, c, n] = tail;
  out += encode24(a < 0 ? 0 : digest[a]!, b < 0 ? 0 : digest[b]!, digest[c]!, n);
  return out;
}

/** Repeats `source` (cyclically) to `length` bytes. */
function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i));
  return out;
}

const MD5_GROUPS = [
  [0, 6, 12],
  [1, 7, 13],
  [2, 8, 14],
  [3, 9, 15],
  [4, 10, 5],
] as const;

/** `$1$salt$hash`: salt is up to 8 characters. */
export function md5Crypt(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const magic = Buffer.from('$1$');
  const alt = createHash('md5').update(pw).update(s).update(pw).digest();
  const ctx = createHash('md5').update(pw).update(magic).update(s);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const h = createHash('md5');
    h.update(i & 1 ? pw : final);
    if (i % 3) h.update(s);
    if (i % 7) h.update(pw);
    h.update(i & 1 ? final : pw);
    final = h.digest();
  }
  return `$1$${s.toString('utf8')}$${encodeGroups(final, MD5_GROUPS, [-1, -1, 11, 2])}`;
}

const SHA256_GROUPS = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
] as const;

const SHA512_GROUPS = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

export const SHA_ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;

/** `$5$` / `$6$` hash; `rounds` undefined means the default 5000 without a rounds= field. */
export function shaCrypt(variant: 5 | 6, password: string, salt: string, rounds?: number): string {
  const alg = variant === 5 ? 'sha256' : 'sha512';
  const size = variant === 5 ? 32 : 64;
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 16), 'utf8');
  const n = rounds === undefined ? SHA_ROUNDS_DEFAULT : Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Math.floor(rounds)));
  const H = () => createHash(alg);

  const b = H().update(pw).update(s).update(pw).digest();
  const a = H().update(pw).update(s);
  let left = pw.length;
  for (; left > size; left -= size) a.update(b);
  a.update(b.subarray(0, left));
  for (let i = pw.length; i > 0; i >>= 1) a.update(i & 1 ? b : pw);
  const aDigest = a.digest();

  const dp = H();
  for (let i = 0; i < pw.length; i++) dp.update(pw);
  const p = repeatTo(dp.digest(), pw.length);

  const ds = H();
  for (let i = 0; i < 16 + aDigest[0]!; i++) ds.update(s);
  const sBytes = repeatTo(ds.digest(), s.length);

  let c = aDigest;
  for (let r = 0; r < n; r++) {
    const h = H();
    h.update(r & 1 ? p : c);
    if (r % 3) h.update(sBytes);
    if (r % 7) h.update(p);
    h.update(r & 1 ? c : p);
    c = h.digest();
  }

  const encoded =
    variant === 5 ? encodeGroups(c, SHA256_GROUPS, [-1, 31, 30, 3]) : encodeGroups(c, SHA512_GROUPS, [-1, -1, 63, 2]);
  const roundsField = rounds === undefined ? '' : `rounds=${n}$`;
  return `$${variant}$${roundsField}${s.toString('utf8')}$${encoded}`;
}

/** Hashes `password` with the method and salt of `stored`; undefined for unknown methods. */
export function cryptLike(password: string, stored: string): string | undefined {
  const m = /^\$(1|5|6)\$(?:rounds=(\d+)\$)?([^$]*)(?:\$|$)/.exec(stored);
  if (!m) return undefined;
  const [, id, rounds, salt] = m;
  if (id === '1') return rounds === undefined ? md5Crypt(password, salt!) : undefined;
  return shaCrypt(id === '5' ? 5 : 6, password, salt!, rounds === undefined ? undefined : Number(rounds));
}

/** Constant-time comparison of two strings (of any length). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** Whether `password` matches the crypt(3) hash `stored` ($1$, $5$, $6$). */
export function verifyCrypt(password: string, stored: string): boolean {
  const computed = cryptLike(password, stored);
  if (computed === undefined) return false;
  return safeEqual(computed, stored);
}
