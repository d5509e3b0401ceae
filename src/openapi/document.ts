import * as z from 'zod';
import type { ResourceDef } from '../resources/types.js';
import {
  dryRunSchema,
  healthSchema,
  loginFormSchema,
  messageSchema,
  moduleStatusSchema,
  moduleStatusValueSchema,
  mwan3InterfaceStatusSchema,
  readySchema,
  SERVICE_NAMES,
  STATUS_MODULES,
  serviceActionSchema,
  serviceListSchema,
  successSchema,
} from './schemas.js';

/**
 * The OpenAPI 3.1 document of the agent, generated from the zod schemas that validate the
 * requests (src/resources/<domain>/<kind>.ts) and from the contract's fixed routes. Pure:
 * the same inputs give the same document.
 */

import { DOCS_PATH, OPENAPI_PATH } from './paths.js';

type AnyDef = ResourceDef<{ name: string }>;
type Json = Record<string, unknown>;

export const LUCI = '/cgi-bin/luci';
export { DOCS_PATH, OPENAPI_PATH } from './paths.js';
export const SERVICES_PREFIX = `${LUCI}/sdewan/v1`;
export const INTERFACE_STATUS_PATH = `${LUCI}/admin/status/mwan/interface_status`;
export const DETAILED_STATUS_PATH = `${LUCI}/admin/status/mwan/detailed_status`;
export const LOGOUT_PATH = `${LUCI}/admin/logout`;

export interface DocumentOptions {
  resources: readonly AnyDef[];
  version: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Json;
  tags: Json[];
  paths: Record<string, Json>;
  components: Json & { schemas: Record<string, Json> };
  security: Json[];
}

const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: Json) => ({ 'application/json': { schema } });

/** `/sdewan/mwan3/v1` -> `mwan3`: the segment before the version. */
export function domainOf(prefix: string): string {
  const parts = prefix.split('/').filter(Boolean);
  const v = parts.findIndex((p) => /^v[0-9]+$/.test(p));
  return (v > 0 ? parts[v - 1] : parts.at(-1)) ?? 'api';
}

const pascal = (s: string) => s.replace(/(^|[-_.])([a-z0-9])/g, (_m, _sep: string, c: string) => c.toUpperCase());
const singular = (s: string) => (s.endsWith('ies') ? `${s.slice(0, -3)}y` : s.endsWith('s') ? s.slice(0, -1) : s);

/** `Mwan3Policy`, `FirewallZone`, `IpsecRemote`: the component name of a resource's object. */
export function componentName(def: Pick<AnyDef, 'prefix' | 'collection'>): string {
  return `${pascal(domainOf(def.prefix))}${pascal(singular(def.collection))}`;
}

/** The tag grouping a collection's operations, e.g. `mwan3 policies`. */
export const tagOf = (def: Pick<AnyDef, 'prefix' | 'collection'>) => `${domainOf(def.prefix)} ${def.collection}`;

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
    return o;
  };
  for (const [key, def] of Object.entries(defs)) components[`${name}_${key}`] = rewrite(def) as Json;
  return rewrite(out) as Json;
}

/** The schema of a PUT body: the name comes from the URL, so the body need not carry it. */
function withoutRequiredName(schema: Json): Json {
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]).filter((r) => r !== 'name') : undefined;
  const out: Json = { ...schema };
  if (required && required.length > 0) out['required'] = required;
  else delete out['required'];
  return out;
}

/** Whether writes of this kind can be refused with 428 (a referenced IPsec proposal is missing). */
const referencesProposals = (def: AnyDef) => def.config === 'ipsec' && def.collection !== 'proposals';

const err = (name: string) => ref('responses', name);

function resourcePaths(def: AnyDef, segment: string, doc: OpenApiDocument): void {
  const component = componentName(def);
  const domain = domainOf(def.prefix);
  const base = `${LUCI}${def.prefix}/${segment}`;
  const isAlias = segment !== def.collection;
  const alias = isAlias ? ` (\`${segment}\` is an alias of \`${def.collection}\`)` : '';
  const tags = [tagOf(def)];
  const op = (verb: string) => `${domain}.${segment}.${verb}`;
  const obj = ref('schemas', component);
  const writeErrors = {
    '400': err('BadRequest'),
    '403': err('LoginRequired'),
    '409': err('Conflict'),
    ...(referencesProposals(def) ? { '428': err('PreconditionRequired') } : {}),
  };
  const nameParam = ref('parameters', 'Name');
  const dryRun = ref('parameters', 'DryRun');
  const generic =
    `Any other method answers 405 (\`{"message": "Method Not Allowed"}\`); a path with more segments answers 400 ` +
    `\`{"message": "Bad request URI"}\`. The service \`${def.service}\` is reloaded after each committed change.`;

  doc.paths[base] = {
    description: `The ${def.collection} of ${domain}${alias}. The same path with a trailing \`/\` is served as well. ${generic}`,
    get: {
      tags,
      operationId: op('list'),
      summary: `List ${domain} ${def.collection}${alias}`,
      responses: {
        '200': {
          description: `Every object, in config file order, under the key \`${segment}\`.`,
          content: json({
            type: 'object',
            properties: { [segment]: { type: 'array', items: obj } },
            required: [segment],
          }),
        },
        '403': err('LoginRequired'),
      },
    },
    post: {
      tags,
      operationId: op('create'),
      summary: `Create a ${singular(def.collection)}${alias}`,
      description:
        'Empty strings and `null` mean "absent"; unknown fields are ignored. The answer is the object as read back: ' +
        'exactly the fields that were set, with the same values and list order.',
      parameters: [dryRun],
      requestBody: { required: true, content: json(obj) },
      responses: {
        '201': { description: 'Created; the object as read back.', content: json(obj) },
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
      summary: `Read a ${singular(def.collection)}${alias}`,
      responses: {
        '200': { description: 'The object: exactly the fields that are set.', content: json(obj) },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
      },
    },
    put: {
      tags,
      operationId: op('update'),
      summary: `Create or replace a ${singular(def.collection)}${alias}`,
      description: 'The name comes from the URL (a `name` in the body is ignored). Creates the object when it is absent.',
      parameters: [dryRun],
      requestBody: { required: true, content: json(ref('schemas', `${component}Update`)) },
      responses: {
        '200': {
          description: 'The object as read back (or, with `?dry_run=1`, the batch that would be applied).',
          content: json({ anyOf: [obj, ref('schemas', 'DryRun')] }),
        },
        ...writeErrors,
      },
    },
    delete: {
      tags,
      operationId: op('delete'),
      summary: `Delete a ${singular(def.collection)}${alias}`,
      parameters: [dryRun],
      responses: {
        '200': {
          description: '`{"message": "success"}` (or, with `?dry_run=1`, the batch that would be applied).',
          content: json({ anyOf: [ref('schemas', 'Success'), ref('schemas', 'DryRun')] }),
        },
        '400': { description: 'Another object still uses this one; the message names it.', content: json(ref('schemas', 'Message')) },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
      },
    },
  };
}

function fixedPaths(doc: OpenApiDocument): void {
  const login = {
    tags: ['session'],
    summary: 'Log in (LuCI form login)',
    description:
      'Answers 302 with the session cookie. The **first** `Set-Cookie` header is ' +
      '`sysauth=<token>; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly` (plus `; Secure` over HTTPS); ' +
      '`sysauth_http` / `sysauth_https` follow for newer LuCI clients. The token is 32 lower-case hex characters.',
    security: [],
    requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: ref('schemas', 'LoginForm') } } },
    responses: {
      '302': {
        description: 'Logged in.',
        headers: {
          Location: { schema: { type: 'string', const: '/cgi-bin/luci/' } },
          'Set-Cookie': { description: 'The session cookie `sysauth` (first), then `sysauth_http` or `sysauth_https`.', schema: { type: 'string' } },
        },
      },
      '403': err('LoginRequired'),
      '429': {
        description: 'Too many failed logins from this address.',
        headers: { 'Retry-After': { schema: { type: 'string' } } },
        content: json(ref('schemas', 'Message')),
      },
    },
  };
  doc.paths[LUCI] = { post: { ...login, operationId: 'session.login' } };
  doc.paths[`${LUCI}/`] = { post: { ...login, operationId: 'session.login_slash', summary: 'Log in (same as without the slash)' } };
  doc.paths[LOGOUT_PATH] = {
    get: {
      tags: ['session'],
      operationId: 'session.logout',
      summary: 'Log out',
      responses: {
        '302': {
          description: 'The session ended; the cookies are cleared.',
          headers: { Location: { schema: { type: 'string', const: '/cgi-bin/luci/' } }, 'Set-Cookie': { schema: { type: 'string' } } },
        },
        '403': err('LoginRequired'),
      },
    },
  };

  doc.paths[`${SERVICES_PREFIX}/services`] = {
    get: {
      tags: ['services'],
      operationId: 'services.list',
      summary: 'The services the agent manages',
      responses: { '200': { description: 'The service names.', content: json(ref('schemas', 'ServiceList')) }, '403': err('LoginRequired') },
    },
  };
  doc.paths[`${SERVICES_PREFIX}/service/{name}`] = {
    put: {
      tags: ['services'],
      operationId: 'services.action',
      summary: 'Start, stop, restart or reload a service',
      description: 'mwan3 → `/etc/init.d/mwan3` (reload restarts it), firewall → `/etc/init.d/firewall`, ipsec → `/etc/init.d/swanctl`.',
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [...SERVICE_NAMES] } }],
      requestBody: { required: true, content: json(ref('schemas', 'ServiceAction')) },
      responses: {
        '200': { description: 'The command succeeded.', content: json(ref('schemas', 'Success')) },
        '400': { description: 'Unknown service or action.', content: json(ref('schemas', 'Message')) },
        '403': err('LoginRequired'),
        '500': err('ServiceFailed'),
        '504': { description: 'The init script did not finish in time.', content: json(ref('schemas', 'Message')) },
      },
    },
  };
  doc.paths[`${SERVICES_PREFIX}/status`] = {
    get: {
      tags: ['status'],
      operationId: 'status.list',
      summary: 'The status of every module',
      responses: {
        '200': { description: 'One entry per module.', content: json({ type: 'array', items: ref('schemas', 'ModuleStatus') }) },
        '403': err('LoginRequired'),
      },
    },
  };
  doc.paths[`${SERVICES_PREFIX}/status/{module}`] = {
    get: {
      tags: ['status'],
      operationId: 'status.get',
      summary: 'The status of one module',
      parameters: [{ name: 'module', in: 'path', required: true, schema: { type: 'string', enum: [...STATUS_MODULES] } }],
      responses: {
        '200': { description: 'The module and its status, `{"name", "status"}` (what the controller\'s Go client reads).', content: json(ref('schemas', 'ModuleStatus')) },
        '403': err('LoginRequired'),
        '404': err('NotFound'),
      },
    },
  };
  doc.paths[INTERFACE_STATUS_PATH] = {
    get: {
      tags: ['status'],
      operationId: 'status.mwan3_interfaces',
      summary: 'mwan3 interface status (LuCI shape)',
      responses: {
        '200': { description: 'Per interface, and the connected networks.', content: json(ref('schemas', 'Mwan3InterfaceStatus')) },
        '403': err('LoginRequired'),
      },
    },
  };
  doc.paths[DETAILED_STATUS_PATH] = {
    get: {
      tags: ['status'],
      operationId: 'status.mwan3_detailed',
      summary: 'mwan3 status as text (luci-app-mwan3 shape)',
      responses: {
        '200': {
          description: '`{"mwandetail": ["<text like mwan3 status>"]}`',
          content: json({ type: 'object', properties: { mwandetail: { type: 'array', items: { type: 'string' } } }, required: ['mwandetail'] }),
        },
        '403': err('LoginRequired'),
      },
    },
  };

  const probe = (id: string, summary: string, schema: string, extra: Json = {}) => ({
    get: { tags: ['health'], operationId: id, summary, security: [], responses: { '200': { description: 'OK', content: json(ref('schemas', schema)) }, ...extra } },
  });
  doc.paths['/healthz'] = probe('health.live', 'Liveness: the process answers', 'Health');
  doc.paths['/readyz'] = probe('health.ready', 'Readiness: the UCI config directory can be read', 'Ready', {
    '503': { description: 'Not ready.', content: json(ref('schemas', 'Message')) },
  });
  doc.paths[OPENAPI_PATH] = {
    get: {
      tags: ['documentation'],
      operationId: 'docs.openapi',
      summary: 'This document',
      security: [],
      responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
    },
  };
}

function errorResponses(): Json {
  const message = (description: string, headers?: Json) => ({ description, ...(headers ? { headers } : {}), content: json(ref('schemas', 'Message')) });
  return {
    BadRequest: message('Invalid request: the message names the field, e.g. `Field[metric] checked failed: should be an integer not less than 1`.'),
    LoginRequired: message('No session, or the session expired: log in again and retry once. Never 401.', {
      'X-LuCI-Login-Required': { required: true, schema: { type: 'string', const: 'yes' } },
    }),
    NotFound: message('No object of that name.'),
    MethodNotAllowed: message('The method is not served on this path (`{"message": "Method Not Allowed"}`).'),
    Conflict: message('An object of that name exists (`{"message": "Conflict"}`), or the name maps onto a UCI section another object holds.'),
    PreconditionRequired: message('A referenced IPsec proposal does not exist.'),
    ServiceFailed: message('The init script failed; the message carries its output.'),
  };
}

const DESCRIPTION = `REST API of the SDEWAN CNF agent: mwan3, firewall and IPsec over LuCI's paths, stored in UCI.

**Login**: \`POST /cgi-bin/luci\` with the form fields \`luci_username\` and \`luci_password\` (a HEAD request
carrying the form logs in as well, as LuCI lets \`wget --spider --post-data\` do); send the
\`sysauth\` cookie of its first \`Set-Cookie\` header with every other request. A missing or expired
session answers **403** with \`X-LuCI-Login-Required: yes\`: log in again and retry once.

**Objects**: every field value is a string (\`"metric": "1"\`), lists are arrays of strings. An empty
string or \`null\` means "absent"; unknown fields are ignored. A GET returns exactly the fields that
were set, with the same values and list order. Names are Kubernetes object names.

**Collections** answer \`GET P/C\` → 200 \`{"C": [...]}\`, \`GET P/C/{name}\` → 200 or 404,
\`POST P/C\` → 201 (409 when the name exists), \`PUT P/C/{name}\` → 200 (creates when absent),
\`DELETE P/C/{name}\` → 200 \`{"message": "success"}\` (400 while another object uses it), any other
method → 405, too many or too few path segments → 400 \`{"message": "Bad request URI"}\`.
Writes take \`?dry_run=1\` to see the UCI batch without applying it.`;

export function buildOpenApiDocument(opts: DocumentOptions): OpenApiDocument {
  const schemas: Record<string, Json> = {};
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'sdewan-agent', version: opts.version, description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    tags: [],
    paths: {},
    components: {
      schemas,
      responses: errorResponses(),
      parameters: {
        Name: {
          name: 'name',
          in: 'path',
          required: true,
          description: "The object's name (a Kubernetes object name: lower-case letters, digits, `-`, `.`).",
          schema: { type: 'string' },
        },
        DryRun: {
          name: 'dry_run',
          in: 'query',
          required: false,
          description: 'With `1` or `true`: answer the UCI batch the request would apply, and change nothing.',
          schema: { type: 'string', enum: ['1', 'true'] },
        },
      },
      securitySchemes: {
        sysauth: { type: 'apiKey', in: 'cookie', name: 'sysauth', description: "LuCI's session cookie, from `POST /cgi-bin/luci`." },
      },
    },
    security: [{ sysauth: [] }],
  };

  const fixed: Array<[string, z.ZodType]> = [
    ['Message', messageSchema],
    ['Success', successSchema],
    ['DryRun', dryRunSchema],
    ['LoginForm', loginFormSchema],
    ['ServiceList', serviceListSchema],
    ['ServiceAction', serviceActionSchema],
    ['ModuleStatus', moduleStatusSchema],
    ['ModuleStatusValue', moduleStatusValueSchema],
    ['Mwan3InterfaceStatus', mwan3InterfaceStatusSchema],
    ['Health', healthSchema],
    ['Ready', readySchema],
  ];
  for (const [name, schema] of fixed) schemas[name] = toSchema(schema, name, schemas);

  for (const def of opts.resources) {
    const name = componentName(def);
    if (schemas[name]) throw new Error(`two resources map onto the component name ${name}`);
    schemas[name] = toSchema(def.schema, name, schemas);
    schemas[`${name}Update`] = withoutRequiredName(schemas[name]);
    doc.tags.push({ name: tagOf(def), description: `${domainOf(def.prefix)} ${def.collection} (UCI config \`${def.config}\`, service \`${def.service}\`)` });
    for (const segment of [def.collection, ...(def.aliases ?? [])]) resourcePaths(def, segment, doc);
  }
  doc.tags.push(
    { name: 'services', description: 'Start, stop, restart, reload the managed services' },
    { name: 'status', description: 'Status of mwan3 and IPsec' },
    { name: 'session', description: 'LuCI login and logout' },
    { name: 'health', description: 'Kubernetes probes (no login)' },
    { name: 'documentation', description: 'This document (no login)' },
  );
  fixedPaths(doc);
  return doc;
}
