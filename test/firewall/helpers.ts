import { expect } from 'vitest';
import type * as z from 'zod';
import { ApiError } from '../../src/errors.js';
import { parseBody } from '../../src/validate.js';

/** The 400 message a body gets from a schema (through the routes' own parser), or undefined when valid. */
export function refusal(schema: z.ZodType<unknown>, body: Record<string, unknown>): string | undefined {
  try {
    parseBody(schema, body);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return (err as ApiError).message;
  }
}
