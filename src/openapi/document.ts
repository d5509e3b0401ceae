import * as z from 'zod';
import type { Resource } from '../resources/types.js';
import { json, ref, toSchema, type Json, type OpenApiDocument } from './common.js';
import { fixedPaths } from './fixed-paths.js';
import { componentName, resourcePaths, tagOf, withoutRequiredName } from './resource-paths.js';
import {
  dryRunSchema,
  healthSchema,
  loginFormSchema,
  messageSchema,
  conntrackStatusSchema,
  ipsecStatusSchema,
  linkStatusSchema,
  moduleStatusSchema,
  routeStatusSchema,
  ruleStatusSchema,
  mwan3InterfaceStatusSchema,
  readySchema,
  serviceActionSchema,
  serviceListSchema,
  successSchema,
} from './schemas.js';

/**
 * The OpenAPI 3.1 document of the agent, generated from the zod schemas that validate the
 * requests (the registry, src/resources/index.ts) and from the contract's fixed routes. Pure:
 * the same inputs give the same document.
 */

export type { OpenApiDocument };
export { componentName, tagOf };

export interface DocumentOptions {
  resources: readonly Resource[];
  version: string;
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

**Login**: \`POST /cgi-bin/luci\` with the form fields \`luci_username\` and \`luci_password\`; send the
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
        metricsToken: { type: 'http', scheme: 'bearer', description: '`SDEWAN_METRICS_TOKEN`: reads `GET /metrics` only.' },
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
    ['ConntrackStatus', conntrackStatusSchema],
    ['InterfaceStatus', linkStatusSchema],
    ['IpsecStatus', ipsecStatusSchema],
    ['RouteStatus', routeStatusSchema],
    ['RuleStatus', ruleStatusSchema],
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
    doc.tags.push({ name: tagOf(def), description: `${def.domain} ${def.collection} (UCI config \`${def.config}\`, service \`${def.service}\`)` });
    for (const segment of [def.collection, ...(def.aliases ?? [])]) resourcePaths(def, segment, doc);
  }
  doc.tags.push(
    { name: 'services', description: 'Start, stop, restart, reload the managed services' },
    { name: 'status', description: 'Status of mwan3, IPsec, interfaces, routes, rules and connection tracking' },
    { name: 'events', description: 'Changes of config objects, service reloads, WAN and IPsec state, as they happen' },
    { name: 'metrics', description: 'Prometheus metrics' },
    { name: 'session', description: 'LuCI login and logout' },
    { name: 'health', description: 'Kubernetes probes (no login)' },
    { name: 'documentation', description: 'This document (no login)' },
  );
  fixedPaths(doc);
  return doc;
}
