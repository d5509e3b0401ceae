import type * as z from 'zod';
import { badRequest, fieldError, fieldMessage } from './errors.js';
import { LONE_SURROGATE, REFUSED_CONTROL as CONTROL } from './text.js';

/**
 * The deepest nesting a request body may have. The deepest API object is three levels below
 * the body (remote -> connections -> a connection -> a list); the bound keeps every recursive
 * walk after `inspectBody` (dropAbsent, zod) far from the stack's limit.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * The Go client marshals every field: unset strings arrive as "" and unset lists as null.
 * Both mean "absent": they are removed, at every depth, before validation.
 */
export function dropAbsent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropAbsent);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === '' || v === null || v === undefined) continue;
      out[key] = dropAbsent(v);
    }
    return out;
  }
  return value;
}

/** `Field[members.0.metric] checked failed: ...`: the Lua original's wording, naming the field. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : fieldMessage(path, issue.message);
}

/** Control characters a UCI value cannot carry (uci keeps tab, LF and CR). */
// eslint-disable-next-line no-control-regex
/** A UTF-16 surrogate without its other half: no UTF-8 encoding exists for it. */

/** Why a string (a value or a key) cannot be stored, or undefined when it can. */
export function unstorableText(s: string): string | undefined {
  if (CONTROL.test(s)) return 'control characters (other than tab, CR and LF) cannot be stored in UCI';
  if (LONE_SURROGATE.test(s)) return 'unpaired UTF-16 surrogates (\\ud800-\\udfff) are not text and cannot be stored in UCI';
  return undefined;
}

/** A field path as the messages show it; a key that cannot be shown is replaced by `?`. */
const fieldPath = (path: string, key: string) => {
  const shown = unstorableText(key) === undefined ? key : '?';
  return path === '' ? shown : `${path}.${shown}`;
};

/**
 * Checks a parsed body without recursion, before anything walks it recursively: the nesting
 * is at most MAX_BODY_DEPTH, and every string (keys included) is text UCI can store.
 * Throws a 400 naming the first offending field.
 */
export function inspectBody(body: unknown): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const why = unstorableText(value);
      if (why !== undefined) throw path === '' ? badRequest(why) : fieldError(path, why);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) {
      throw fieldError(path, `nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    const entries = Object.entries(value);
    for (const [key] of entries) {
      const why = unstorableText(key);
      if (why !== undefined) throw fieldError(fieldPath(path, key), `the field name holds ${why}`);
    }
    // reversed onto the stack, so that the first bad field in document order is the one named
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i]!;
      stack.push({ value: v, path: fieldPath(path, key), depth: depth + 1 });
    }
  }
}

/** Parses a request body against a schema, or throws a 400 naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
  inspectBody(body);
  const result = schema.safeParse(dropAbsent(body));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badRequest(issue ? describeIssue(issue) : 'Invalid request body');
  }
  return result.data;
}
