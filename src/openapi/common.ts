// Pieces shared by the parts of the OpenAPI document.
import * as z from 'zod';

export type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Json;
  servers: Json[];
  tags: Json[];
  paths: Record<string, Json>;
  components: Json & { schemas: Record<string, Json> };
  security: Json[];
}

export const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` });
export const json = (schema: Json) => ({ 'application/json': { schema } });
export const err = (name: string) => ref('responses', name);
/** A `{"message"}` answer with the message it would carry here. */
export const messageContent = (example: string) => ({ 'application/json': { schema: ref('schemas', 'Message'), example: { message: example } } });

/**
 * A zod schema as a JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client sends.
 * Definitions zod hoists into `$defs` become components named `<name>_<key>`, so that
 * every `$ref` resolves within the document.
 */
export function toSchema(schema: z.ZodType, name: string, components: Record<string, Json>): Json {
  const out = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  delete out['$schema'];
  const defs = (out['$defs'] ?? {}) as Record<string, Json>;
  delete out['$defs'];
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v === null || typeof v !== 'object') return v;
    const o: Json = {};
    for (const [k, x] of Object.entries(v as Json)) {
      o[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/') ? `#/components/schemas/${name}_${x.slice(8)}` : rewrite(x);
    }
    // a check JSON Schema cannot show (src/resources/schema.ts `constraint`) is said in the description
    if (typeof o['constraint'] === 'string') {
      o['description'] = typeof o['description'] === 'string' ? `${o['description']} ${o['constraint']}` : o['constraint'];
      delete o['constraint'];
    }
    return o;
  };
  for (const [key, def] of Object.entries(defs)) components[`${name}_${key}`] = rewrite(def) as Json;
  return rewrite(out) as Json;
}

