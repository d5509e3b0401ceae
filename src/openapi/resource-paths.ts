// The paths of the collections, generated from the registry's definitions.
import type { Resource } from '../resources/types.js';
import { LUCI_BASE } from '../paths.js';
import { err, json, messageContent, ref, type Json, type OpenApiDocument } from './common.js';

const pascal = (s: string) => s.replace(/(^|[-_.])([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
const singular = (s: string) => (s.endsWith('ies') ? `${s.slice(0, -3)}y` : s.endsWith('s') ? s.slice(0, -1) : s);
/** `a policy`, `an interface`: the singular with its indefinite article. */
const aOne = (collection: string) => {
  const one = singular(collection);
  return `${/^[aeiou]/.test(one) ? 'an' : 'a'} ${one}`;
};

/** `Mwan3Policy`, `FirewallZone`, `IpsecRemote` (`Route` for `route/v1/routes`): the component name of a resource's object. */
export function componentName(def: Pick<Resource, 'domain' | 'collection'>): string {
  const domain = pascal(def.domain);
  const kind = pascal(singular(def.collection));
  return domain === kind ? kind : `${domain}${kind}`;
}

/** The tag grouping a collection's operations, e.g. `mwan3 policies`. */
export const tagOf = (def: Pick<Resource, 'domain' | 'collection'>) => `${def.domain} ${def.collection}`;

/** The schema of a PUT body: the name comes from the URL, so the body need not carry it. */
export function withoutRequiredName(schema: Json): Json {
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]).filter((r) => r !== 'name') : undefined;
  const out: Json = { ...schema };
  if (required && required.length > 0) out['required'] = required;
  else delete out['required'];
  return out;
}

/**
 * The schema of a PATCH body (a JSON merge patch): any of the object's fields, each also
 * `null` (removes it); none is required.
 */
export function mergePatchOf(schema: Json): Json {
  const properties = (schema['properties'] ?? {}) as Record<string, Json>;
  return {
    type: 'object',
    description: 'A JSON merge patch (RFC 7396): the fields named replace the stored ones, `null` removes one, lists are replaced whole.',
    properties: Object.fromEntries(
      Object.entries(properties).map(([k, v]) => {
        const { description, examples, ...rest } = v;
        return [k, { anyOf: [rest, { type: 'null' }], ...(description === undefined ? {} : { description }), ...(examples === undefined ? {} : { examples }) }];
      }),
    ),
  };
}

const ETAG = { ETag: ref('headers', 'ETag') };
const NOT_MODIFIED = { description: '`If-None-Match` names the current ETag: no body.', headers: ETAG };

/** What a 428 says: a missing proposal (IPsec) or a device the box does not have. */
const preconditionExample = (def: Resource) =>
  def.domain === 'ipsec' ? 'Field[crypto_proposal.0] checked failed: proposal "ipsecproposal" is not defined' : "Field[dest] checked failed: '#default' names no device: there is no IPv4 default route";

/** `Mwan3SlapolicyStatus`: the component of a sub-resource's answer. */
export const subResourceComponent = (def: Pick<Resource, 'domain' | 'collection'>, path: string) => `${componentName(def)}${pascal(path)}`;

export function resourcePaths(def: Resource, segment: string, doc: OpenApiDocument): void {
  const component = componentName(def);
  const domain = def.domain;
  const base = `${LUCI_BASE}${def.prefix}/${segment}`;
  const isAlias = segment !== def.collection;
  const alias = isAlias ? ` (\`${segment}\` is an alias of \`${def.collection}\`)` : '';
  const tags = [tagOf(def)];
  const op = (verb: string) => `${domain}.${segment}.${verb}`;
  const obj = ref('schemas', component);
  const writeErrors = {
    '400': err('BadRequest'),
    '403': err('LoginRequired'),
    '409': err('Conflict'),
    ...(def.preconditions ? { '428': { description: `Precondition required: ${def.preconditions}.`, content: messageContent(preconditionExample(def)) } } : {}),
  };
  const conditionErrors = { '412': err('PreconditionFailed'), '415': err('UnsupportedMediaType') };
  const nameParam = ref('parameters', 'Name');
  const dryRun = ref('parameters', 'DryRun');
  const ifMatch = ref('parameters', 'IfMatch');
  const ifNoneMatch = ref('parameters', 'IfNoneMatch');
  const generic =
    `Any other method answers 405 (\`{"message": "Method Not Allowed"}\`); a path with more segments answers 400 ` +
    `${(def.subResources ?? []).length ? `(but ${(def.subResources ?? []).map((s) => `\`{name}/${s.path}\``).join(', ')}) ` : ''}` +
    `\`{"message": "Bad request URI"}\`. The service \`${def.service}\` is reloaded after each committed change.`;

  doc.paths[base] = {
    description: `The ${def.collection} of ${domain}${alias}. The same path with a trailing \`/\` is served as well. ${generic}`,
    get: {
      tags,
      operationId: op('list'),
      summary: `List ${domain} ${def.collection}${alias}`,
      parameters: [ifNoneMatch],
      responses: {
        '200': {
          description: `Every object, in config file order, under the key \`${segment}\`${(def.listKeys ?? []).map((k) => ` and again under \`${k}\``).join('')}.`,
          headers: ETAG,
          content: json({
            type: 'object',
            properties: Object.fromEntries([segment, ...(def.listKeys ?? [])].map((k) => [k, { type: 'array', items: obj }])),
            required: [segment],
          }),
        },
        '304': NOT_MODIFIED,
        '403': err('LoginRequired'),
      },
    },
    post: {
      tags,
      operationId: op('create'),
      summary: `Create ${aOne(def.collection)}${alias}`,
      description:
        'Empty strings and `null` mean "absent"; unknown fields are ignored. The answer is the object as read back: ' +
        'exactly the fields that were set, with the same values and list order.',
      parameters: [dryRun],
      requestBody: { required: true, content: json(obj) },
      responses: {
        '201': { description: 'Created; the object as read back.', headers: ETAG, content: json(obj) },
        '200': { description: 'With `?dry_run=1`: the batch that would be applied; nothing changed.', content: json(ref('schemas', 'DryRun')) },
        ...writeErrors,
      },
    },
  };

  doc.paths[`${base}/{name}`] = {
    description: `One of the ${def.collection} of ${domain}${alias}. ${generic}`,
    parameters: [nameParam],
    get: {
      tags,
      operationId: op('get'),
      summary: `Read ${aOne(def.collection)}${alias}`,
      parameters: [ifNoneMatch],
      responses: {
        '200': { description: 'The object: exactly the fields that are set.', headers: ETAG, content: json(obj) },
        '304': NOT_MODIFIED,
        '403': err('LoginRequired'),
        '404': err('NotFound'),
      },
    },
    put: {
      tags,
      operationId: op('update'),
      summary: `Create or replace ${aOne(def.collection)}${alias}`,
      description:
        'The name comes from the URL: the body may leave it out, a body naming another object is a 400 (`Field[name]`). ' +
        'Creates the object when it is absent (unless `If-Match` asks for an existing one).',
      parameters: [dryRun, ifMatch],
      requestBody: { required: true, content: json(ref('schemas', `${component}Update`)) },
      responses: {
        '200': {
          description: 'The object as read back, with its new ETag (or, with `?dry_run=1`, the batch that would be applied).',
          headers: ETAG,
          content: json({ anyOf: [obj, ref('schemas', 'DryRun')] }),
        },
        ...writeErrors,
        ...conditionErrors,
      },
    },
    patch: {
      tags,
      operationId: op('patch'),
      summary: `Change some fields of ${aOne(def.collection)}${alias}`,
      description:
        'A JSON merge patch (RFC 7396) of the stored object, applied under the write lock: only the fields named change, ' +
        '`null` removes one, lists are replaced whole. The result is validated as a whole, as a PUT body is. ' +
        'Any other content type answers 415.',
      parameters: [dryRun, ifMatch],
      requestBody: { required: true, content: { 'application/merge-patch+json': { schema: ref('schemas', `${component}Patch`) } } },
      responses: {
        '200': {
          description: 'The object as read back, with its new ETag (or, with `?dry_run=1`, the batch that would be applied).',
          headers: ETAG,
          content: json({ anyOf: [obj, ref('schemas', 'DryRun')] }),
        },
        ...writeErrors,
        '404': err('NotFound'),
        ...conditionErrors,
      },
    },
    delete: {
      tags,
      operationId: op('delete'),
      summary: `Delete ${aOne(def.collection)}${alias}`,
      parameters: [dryRun, ifMatch],
      responses: {
        '200': {
          description: '`{"message": "success"}` (or, with `?dry_run=1`, the batch that would be applied).',
          content: json({ anyOf: [ref('schemas', 'Success'), ref('schemas', 'DryRun')] }),
        },
        '400': { description: 'Another object still uses this one; the message names it.', content: messageContent('Policy "balance1" is used by rule "sample"') },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
        '412': err('PreconditionFailed'),
      },
    },
  };

  for (const sub of def.subResources ?? []) {
    doc.paths[`${base}/{name}/${sub.path}`] = {
      description: `${sub.description} Read-only: any other method answers 405.`,
      parameters: [nameParam],
      get: {
        tags,
        operationId: op(`get_${sub.path}`),
        summary: `${sub.summary}${alias}`,
        responses: {
          '200': { description: sub.summary, content: json(ref('schemas', subResourceComponent(def, sub.path))) },
          '403': err('LoginRequired'),
          '404': err('NotFound'),
        },
      },
    };
  }
}
