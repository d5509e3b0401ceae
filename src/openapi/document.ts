import * as z from 'zod';
import type { Resource } from '../resources/types.js';
import { messageContent, ref, toSchema, type Json, type OpenApiDocument } from './common.js';
import { fixedPaths } from './fixed-paths.js';
import { networkInterfaceListSchema, networkInterfaceSchema } from './network-schemas.js';
import { componentName, mergePatchOf, resourcePaths, subResourceComponent, tagOf, withoutRequiredName } from './resource-paths.js';
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
  changeSetAnswerSchema,
  changeSetRequestSchema,
  changeSetSchema,
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
  const message = (description: string, example: string, headers?: Json) => ({
    description,
    ...(headers ? { headers } : {}),
    content: messageContent(example),
  });
  return {
    BadRequest: message(
      'Invalid request: the message names the field, e.g. `Field[metric] checked failed: should be an integer not less than 1`.',
      'Field[members.0.metric] checked failed: should be an integer not less than 1',
    ),
    LoginRequired: message('No session, or the session expired: log in again and retry once. Never 401.', 'Login required', {
      'X-LuCI-Login-Required': { required: true, description: 'Always `yes`: the answer asks for a login.', schema: { type: 'string', const: 'yes' } },
    }),
    NotFound: message('No object of that name.', 'Not found'),
    MethodNotAllowed: message('The method is not served on this path (`{"message": "Method Not Allowed"}`).', 'Method Not Allowed'),
    Conflict: message(
      'An object of that name exists (`{"message": "Conflict"}`), or the name maps onto a UCI section another object holds.',
      'Conflict',
    ),
    PreconditionRequired: message('A referenced IPsec proposal does not exist.', 'Field[crypto_proposal.0] checked failed: proposal "ipsecproposal" is not defined'),
    ServiceFailed: message('The init script failed; the message carries its output.', 'mwan3 restart failed: exit code 1'),
    PreconditionFailed: message(
      '`If-Match` does not hold: the object changed since that ETag was read (or, with `If-Match: *`, there is no object). Nothing was written.',
      'Precondition Failed: the object changed since that ETag was read',
    ),
    UnsupportedMediaType: message(
      'A PATCH body is a JSON merge patch (`application/merge-patch+json`); POST and PUT take `application/json`.',
      'Unsupported Media Type: PATCH takes application/merge-patch+json',
    ),
  };
}

const DESCRIPTION = `REST API of the SDEWAN CNF agent: mwan3, firewall and IPsec over LuCI's paths, stored in UCI.

**Login**: \`POST /cgi-bin/luci\` with the form fields \`luci_username\` and \`luci_password\`; send the
\`sysauth\` cookie of its first \`Set-Cookie\` header with every other request. A missing or expired
session answers **403** with \`X-LuCI-Login-Required: yes\`: log in again and retry once.

**On this page**: open *session* → \`POST /cgi-bin/luci\`, *Try it out*, enter the account and *Execute*.
The browser keeps the session cookie and sends it with every later *Try it out* here (same origin);
the *Authorize* button cannot set a cookie, so it is not needed.

**Objects**: every field value is a string (\`"metric": "1"\`), lists are arrays of strings. An empty
string or \`null\` means "absent"; unknown fields are ignored. A GET returns exactly the fields that
were set, with the same values and list order. Names are Kubernetes object names.

**Collections** answer \`GET P/C\` → 200 \`{"C": [...]}\`, \`GET P/C/{name}\` → 200 or 404,
\`POST P/C\` → 201 (409 when the name exists), \`PUT P/C/{name}\` → 200 (creates when absent),
\`DELETE P/C/{name}\` → 200 \`{"message": "success"}\` (400 while another object uses it), any other
method → 405, too many or too few path segments → 400 \`{"message": "Bad request URI"}\`.
Writes take \`?dry_run=1\` to see the UCI batch without applying it.

**Conditional requests**: every \`GET\` of an object or a list answers a strong \`ETag\`, a hash of the
JSON it answers (the same while the object reads the same, whoever changed its file). \`If-None-Match\`
answers 304 without a body; \`PUT\`, \`PATCH\` and \`DELETE\` with \`If-Match\` answer 412 and write nothing
when the object changed since (the comparison is made under the config's write lock). A write that
answers the object carries its new ETag. \`PATCH P/C/{name}\` takes a JSON merge patch (RFC 7396,
\`application/merge-patch+json\`): only the fields named change, \`null\` removes one, lists are replaced;
the result is validated as a whole.`;

export function buildOpenApiDocument(opts: DocumentOptions): OpenApiDocument {
  const schemas: Record<string, Json> = {};
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'sdewan-agent', version: opts.version, description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    servers: [
      { url: '/', description: 'The agent serving this document' },
      {
        url: '{scheme}://{host}',
        description: 'An agent at another address (a CNF pod, port 443 with TLS)',
        variables: {
          scheme: { enum: ['https', 'http'], default: 'https' },
          host: { default: '10.10.10.35', description: 'Host name or address, with `:port` when not the default one.' },
        },
      },
    ],
    // the session first: a visitor of the page logs in before anything else
    tags: [{ name: 'session', description: 'Log in (the `sysauth` cookie every other operation needs) and out' }],
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
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'The ETag the object must still have (a list of them, or `*`: any object). Otherwise 412, and nothing is written.',
          schema: { type: 'string' },
        },
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'ETags the client holds (or `*`): when one is the current one, the answer is 304 without a body.',
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
      headers: {
        ETag: {
          description: 'A strong entity tag: a hash of the JSON answered (the object, or the list), for `If-None-Match` and `If-Match`.',
          schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]+"$' },
        },
      },
      securitySchemes: {
        sysauth: {
          type: 'apiKey',
          in: 'cookie',
          name: 'sysauth',
          description:
            "LuCI's session cookie (32 lower-case hex characters), set by `POST /cgi-bin/luci` with `path=/cgi-bin/luci/; " +
            'HttpOnly; SameSite=Strict`. A browser stores it at the login and sends it with every request under ' +
            "`/cgi-bin/luci/` from the same origin: here, log in with *Try it out* on the login operation (the *Authorize* dialog " +
            'cannot set a cookie). Other clients send `Cookie: sysauth=<token>`.',
        },
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
    ['ChangeSetRequest', changeSetRequestSchema],
    ['ChangeSet', changeSetSchema],
    ['ChangeSetAnswer', changeSetAnswerSchema],
    ['ServiceList', serviceListSchema],
    ['ServiceAction', serviceActionSchema],
    ['ModuleStatus', moduleStatusSchema],
    ['ConntrackStatus', conntrackStatusSchema],
    ['InterfaceStatus', linkStatusSchema],
    ['IpsecStatus', ipsecStatusSchema],
    ['RouteStatus', routeStatusSchema],
    ['RuleStatus', ruleStatusSchema],
    ['Mwan3InterfaceStatus', mwan3InterfaceStatusSchema],
    ['NetworkInterface', networkInterfaceSchema],
    ['NetworkInterfaceList', networkInterfaceListSchema],
    ['Health', healthSchema],
    ['Ready', readySchema],
  ];
  for (const [name, schema] of fixed) schemas[name] = toSchema(schema, name, schemas);

  for (const def of opts.resources) {
    const name = componentName(def);
    if (schemas[name]) throw new Error(`two resources map onto the component name ${name}`);
    schemas[name] = toSchema(def.schema, name, schemas);
    schemas[`${name}Update`] = withoutRequiredName(schemas[name]);
    schemas[`${name}Patch`] = mergePatchOf(schemas[name]);
    for (const sub of def.subResources ?? []) schemas[subResourceComponent(def, sub.path)] = toSchema(sub.answer, subResourceComponent(def, sub.path), schemas);
    const about = typeof schemas[name]['description'] === 'string' ? `${schemas[name]['description'] as string} ` : '';
    doc.tags.push({ name: tagOf(def), description: `${about}Stored in the UCI config \`${def.config}\`; each change reloads \`${def.service}\`.` });
    for (const segment of [def.collection, ...(def.aliases ?? [])]) resourcePaths(def, segment, doc);
  }
  doc.tags.push(
    { name: 'changes', description: 'Change sets: several writes as one, with an optional rollback unless confirmed' },
    { name: 'services', description: 'Start, stop, restart, reload the managed services' },
    { name: 'networks', description: "The pod's logical interfaces, read-only: devices, addresses, OVN networks and what uses them" },
    { name: 'status', description: 'Status of mwan3, IPsec, interfaces, routes, rules and connection tracking' },
    { name: 'events', description: 'Changes of config objects, service reloads, WAN and IPsec state, as they happen' },
    { name: 'metrics', description: 'Prometheus metrics' },
    { name: 'health', description: 'Kubernetes probes (no login)' },
    { name: 'documentation', description: 'This document (no login)' },
  );
  fixedPaths(doc);
  return doc;
}
