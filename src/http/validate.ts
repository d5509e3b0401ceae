import type * as z from 'zod';
import { badRequest, fieldError } from '../errors.js';

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
  return path === '' ? issue.message : `Field[${path}] checked failed: ${issue.message}`;
}

/** Control characters a UCI value cannot carry (uci keeps tab, LF and CR). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The path of the first string holding such a character, if any. */
function controlCharacterAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const found = controlCharacterAt(v, path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Parses a request body against a schema, or throws a 400 naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
  const control = controlCharacterAt(body, '');
  if (control !== undefined) {
    throw fieldError(control, `control characters (other than tab, CR and LF) cannot be stored in UCI`);
  }
  const result = schema.safeParse(dropAbsent(body));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badRequest(issue ? describeIssue(issue) : 'Invalid request body');
  }
  return result.data;
}
