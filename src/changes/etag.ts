// Entity tags and the conditions on them (RFC 9110 §8.8.3, §13.1). An ETag is derived from
// the JSON bytes answered, and only from them: it stays the same while an object reads the
// same, whoever changed its file (a hand edit that changes nothing visible included), and it
// changes with anything a GET would show. Reads and the write path's plan use these alone.
import * as crypto from 'node:crypto';
import type { AnyObject } from '../resources/types.js';

/** The bytes an object is answered as, by a GET and by a write. */
export const objectBytes = (obj: AnyObject): Buffer => Buffer.from(JSON.stringify(obj));

const known = new WeakMap<Buffer, string>();

/** SHA-256 in base64url: crypto.hash, one call (a third of a Hash object's cost), where the node has it (20.12 on). */
const sha256: (bytes: Buffer) => string =
  typeof crypto.hash === 'function' ? (bytes) => crypto.hash('sha256', bytes, 'base64url') : (bytes) => crypto.createHash('sha256').update(bytes).digest('base64url');

/** The strong ETag of answered bytes (remembered per buffer: a cached list is hashed once). */
export function etagOf(bytes: Buffer): string {
  let tag = known.get(bytes);
  if (tag === undefined) {
    tag = `"${sha256(bytes)}"`;
    known.set(bytes, tag);
  }
  return tag;
}

/** The ETag of an object as a GET answers it. */
export const objectEtag = (obj: AnyObject): string => etagOf(objectBytes(obj));

/** The entity tags of an If-Match / If-None-Match value: `*`, or the quoted tags it lists. */
function tagsOf(header: string): '*' | Array<{ weak: boolean; tag: string }> {
  if (header.trim() === '*') return '*';
  return [...header.matchAll(/(W\/)?("[^"]*")/g)].map((m) => ({ weak: m[1] !== undefined, tag: m[2]! }));
}

/**
 * Whether a write may go ahead under `If-Match: header`, the object's ETag being `current`
 * (undefined: there is no object). `*` asks for an object; otherwise one listed tag must be
 * strongly equal to the current one (a weak tag never matches).
 */
export function ifMatchPasses(header: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  const tags = tagsOf(header);
  return tags === '*' || tags.some((t) => !t.weak && t.tag === current);
}

/** Whether `If-None-Match: header` names `etag` (weakly: `W/"x"` matches `"x"`), so a GET answers 304. */
export function ifNoneMatchHits(header: string, etag: string): boolean {
  const tags = tagsOf(header);
  return tags === '*' || tags.some((t) => t.tag === etag);
}
