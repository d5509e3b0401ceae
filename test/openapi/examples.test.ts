// The OpenAPI document is worth reading: every property of every schema has a description and
// examples, each example valid for its own schema (as JSON Schema and, field by field, for the
// zod schema it was generated from, refine checks included), every resource shows a whole
// object (ICN's samples), and every {"message"} answer shows the message it carries.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { buildOpenApiDocument, componentName } from '../../src/openapi/document.js';
import * as fixedSchemas from '../../src/openapi/schemas.js';
import * as networkSchemas from '../../src/openapi/network-schemas.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = buildOpenApiDocument({ resources, version: '0.1.0' }) as unknown as Json;

/** Every property of a schema at any depth (items, additionalProperties, combinators), with its path. */
function* propertiesDeep(schema: Json, at: string): Generator<[string, Json]> {
  const s = schema;
  for (const [key, prop] of Object.entries((s['properties'] ?? {}) as Record<string, Json>)) {
    yield [`${at}.${key}`, prop];
    yield* propertiesDeep(prop, `${at}.${key}`);
  }
  if (s['items'] && typeof s['items'] === 'object') yield* propertiesDeep(s['items'] as Json, `${at}[]`);
  if (s['additionalProperties'] && typeof s['additionalProperties'] === 'object') yield* propertiesDeep(s['additionalProperties'] as Json, `${at}{}`);
  for (const k of ['allOf', 'anyOf', 'oneOf']) for (const [i, sub] of ((s[k] ?? []) as Json[]).entries()) yield* propertiesDeep(sub, `${at}|${i}`);
}

type Zod = z.ZodType & { _zod: { def: Record<string, any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every field of a zod schema at any depth (objects, arrays, unions, records), with its path. */
function* zodFields(schema: Zod, at: string): Generator<[string, Zod]> {
  const def = schema._zod.def;
  switch (def['type']) {
    case 'object':
      for (const [key, field] of Object.entries(def['shape'] as Record<string, Zod>)) {
        yield [`${at}.${key}`, field];
        yield* zodFields(field, `${at}.${key}`);
      }
      break;
    case 'optional':
    case 'nullable':
      yield* zodFields(def['innerType'] as Zod, at);
      break;
    case 'array':
      yield* zodFields(def['element'] as Zod, `${at}[]`);
      break;
    case 'record':
      yield* zodFields(def['valueType'] as Zod, `${at}{}`);
      break;
    case 'union':
      for (const [i, option] of (def['options'] as Zod[]).entries()) yield* zodFields(option, `${at}|${i}`);
      break;
  }
}

const examplesOf = (schema: z.ZodType): unknown[] => ((schema.meta() as { examples?: unknown[] } | undefined)?.examples ?? []);

describe('the OpenAPI document, field by field', () => {
  it('has a description and examples on every property of every schema, each example valid for its own schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) ajv.addSchema(schema, `#/components/schemas/${name}`);
    const bad: string[] = [];
    let count = 0;
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      for (const [at, prop] of propertiesDeep(schema, name)) {
        count++;
        if (typeof prop['description'] !== 'string' || prop['description'].trim() === '') bad.push(`${at}: no description`);
        const examples = prop['examples'];
        if (!Array.isArray(examples) || examples.length === 0) {
          bad.push(`${at}: no examples`);
          continue;
        }
        if (examples.includes('string')) bad.push(`${at}: the placeholder "string" as an example`);
        const validate = ajv.compile(prop);
        for (const example of examples) if (!validate(example)) bad.push(`${at}: example ${JSON.stringify(example)}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    // whole answers: every error response, and every {"message"} answer of an operation, shows the message it carries
    const media: Array<[string, Json]> = [];
    const contentOf = (where: string, r: Json) => {
      for (const [t, m] of Object.entries((r['content'] ?? {}) as Record<string, Json>)) media.push([`${where} ${t}`, m]);
    };
    for (const [name, r] of Object.entries(doc.components.responses as Record<string, Json>)) contentOf(name, r);
    for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [verb, op] of Object.entries(item)) {
        for (const [code, r] of Object.entries(((op as Json)?.['responses'] ?? {}) as Record<string, Json>)) {
          if ((r['content'] as Json | undefined)?.['application/json']?.schema?.$ref === '#/components/schemas/Message') contentOf(`${verb} ${p} ${code}`, r);
        }
      }
    }
    expect(media.length).toBeGreaterThan(10);
    for (const [where, m] of media) {
      if (!('example' in m)) bad.push(`${where}: no example`);
      else if (!ajv.validate(m['schema'], m['example'])) bad.push(`${where}: ${ajv.errorsText()}`);
    }
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(300);
  });

  it('has examples that the zod schemas accept: every field, every resource object, every fixed answer', () => {
    const bad: string[] = [];
    const roots: Array<[string, Zod]> = [
      ...resources.map((def): [string, Zod] => [componentName(def), def.schema as Zod]),
      ...Object.entries({ ...fixedSchemas, ...networkSchemas } as Record<string, unknown>).filter((e): e is [string, Zod] => typeof e[1] === 'object' && e[1] !== null && '_zod' in e[1]),
    ];
    for (const [name, root] of roots) {
      for (const [at, field] of [[name, root] as [string, Zod], ...zodFields(root, name)]) {
        for (const example of examplesOf(field)) {
          const result = field.safeParse(example);
          if (!result.success) bad.push(`${at}: ${JSON.stringify(example)}: ${result.error.issues.map((i) => i.message).join('; ')}`);
        }
      }
    }
    expect(bad).toEqual([]);
    // Every resource shows a whole object (an ICN sample), not only field by field.
    for (const def of resources) expect(examplesOf(def.schema), componentName(def)).not.toEqual([]);
  });

});
