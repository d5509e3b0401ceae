// The OpenAPI document: valid for a maintained OpenAPI 3.1 validator, and complete with
// respect to the contract (every collection, field, enum and error status).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../packages/client/src/index.js';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { buildOpenApiDocument, componentName } from '../../src/openapi/document.js';
import { LUCI_BASE as LUCI } from '../../src/paths.js';
import { conntrackStatus } from '../../src/status/conntrack.js';
import { ikeSasFromListSas } from '../../src/status/ike-sas.js';
import { ipsecModuleStatus } from '../../src/status/ipsec-module.js';
import { interfaceStatus } from '../../src/status/links.js';
import { fromUbusStatus } from '../../src/status/mwan3.js';
import { routeStatus, ruleStatus } from '../../src/status/routes.js';
import { SlaHistory, slaPolicyStatus } from '../../src/status/sla.js';
import { pkg } from '../status/uci.js';
import { repoRoot } from '../helpers/agent.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = buildOpenApiDocument({ resources, version: '0.1.0' }) as unknown as Json;

/** Follows a local `$ref`. */
function deref(node: Json): Json {
  let n = node;
  while (typeof n['$ref'] === 'string') {
    n = (n['$ref'] as string)
      .slice(2)
      .split('/')
      .reduce((o: Json, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return n;
}

/** The properties of an object schema, through allOf/anyOf/oneOf. */
function propertiesOf(schema: Json): Record<string, Json> {
  const s = deref(schema);
  const out: Record<string, Json> = { ...(s['properties'] ?? {}) };
  for (const k of ['allOf', 'anyOf', 'oneOf']) for (const sub of (s[k] ?? []) as Json[]) Object.assign(out, propertiesOf(sub));
  return out;
}

/** Every enum (or const) value allowed by a property schema, through items and combinators. */
function enumValues(schema: Json): Set<unknown> {
  const s = deref(schema);
  const out = new Set<unknown>([...((s['enum'] ?? []) as unknown[]), ...('const' in s ? [s['const']] : [])]);
  for (const sub of [s['items'], ...((s['anyOf'] ?? []) as Json[]), ...((s['oneOf'] ?? []) as Json[]), ...((s['allOf'] ?? []) as Json[])]) {
    if (sub && typeof sub === 'object') for (const v of enumValues(sub)) out.add(v);
  }
  return out;
}

interface Kind {
  prefix: string;
  collection: string;
  aliases?: string[];
  fields: string[];
  enums?: Record<string, string[]>;
  /** Fields of the objects of a list field (remote connections, policy members). */
  nested?: Record<string, { fields: string[]; enums?: Record<string, string[]> }>;
}

const ACTIONS = ['ACCEPT', 'REJECT', 'DROP'];

/** ../shared/contract.md §3-§5, field by field. */
const CONTRACT: Kind[] = [
  {
    prefix: '/sdewan/mwan3/v1',
    collection: 'policies',
    fields: ['name', 'members'],
    nested: { members: { fields: ['interface', 'metric', 'weight'] } },
  },
  {
    prefix: '/sdewan/mwan3/v1',
    collection: 'rules',
    fields: ['name', 'policy', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'family', 'sticky', 'timeout'],
    enums: { proto: ['tcp', 'udp', 'icmp', 'all'], family: ['ipv4', 'ipv6', 'all'], sticky: ['0', '1'] },
  },
  {
    prefix: '/sdewan/firewall/v1',
    collection: 'zones',
    fields: ['name', 'network', 'masq', 'masq_src', 'masq_dest', 'masq_allow_invalid', 'mtu_fix', 'input', 'forward', 'output', 'family', 'subnet', 'extra_src', 'etra_dest'],
    enums: { input: ACTIONS, forward: ACTIONS, output: ACTIONS, masq: ['0', '1'], masq_allow_invalid: ['0', '1'], mtu_fix: ['0', '1'], family: ['ipv4', 'ipv6', 'any'] },
  },
  {
    prefix: '/sdewan/firewall/v1',
    collection: 'rules',
    fields: ['name', 'src', 'src_ip', 'src_mac', 'src_port', 'proto', 'icmp_type', 'dest', 'dest_ip', 'dest_port', 'mark', 'target', 'set_mark', 'set_xmark', 'family', 'extra'],
    enums: {
      target: [...ACTIONS, 'MARK', 'NOTRACK'],
      proto: ['tcp', 'udp', 'tcpudp', 'udplite', 'icmp', 'esp', 'ah', 'sctp', 'all'],
      family: ['ipv4', 'ipv6', 'any'],
    },
  },
  { prefix: '/sdewan/firewall/v1', collection: 'forwardings', fields: ['name', 'src', 'dest', 'family'], enums: { family: ['ipv4', 'ipv6', 'any'] } },
  {
    prefix: '/sdewan/firewall/v1',
    collection: 'redirects',
    fields: ['name', 'src', 'src_ip', 'src_dip', 'src_mac', 'src_port', 'src_dport', 'proto', 'dest', 'dest_ip', 'dest_port', 'mark', 'target', 'family'],
    enums: { target: ['DNAT', 'SNAT'], family: ['ipv4', 'ipv6', 'any'] },
  },
  // ICN's routing collections (crd-ctrlr/src/openwrt route.go, routerule.go, app.go; the Lua plugin's route `src`).
  { prefix: '/sdewan/route/v1', collection: 'routes', fields: ['name', 'dst', 'src', 'gw', 'dev', 'table'], enums: { table: ['default', 'cnf'] } },
  { prefix: '/sdewan/rule/v1', collection: 'rules', fields: ['name', 'src', 'dst', 'flag', 'prio', 'fwmark', 'table'] },
  { prefix: '/sdewan/application/v1', collection: 'applications', fields: ['name', 'iplist'] },
  { prefix: '/sdewan/ipsec/v1', collection: 'proposals', fields: ['name', 'encryption_algorithm', 'hash_algorithm', 'dh_group'] },
  {
    prefix: '/sdewan/ipsec/v1',
    collection: 'remotes',
    aliases: ['sites'],
    fields: [
      'name', 'type', 'gateway', 'authentication_method', 'pre_shared_key', 'local_identifier', 'remote_identifier', 'crypto_proposal',
      'force_crypto_proposal', 'local_public_cert', 'local_private_cert', 'shared_ca', 'connections',
    ],
    enums: { authentication_method: ['psk', 'pubkey'] },
    nested: {
      connections: {
        fields: [
          'name', 'conn_type', 'type', 'mode', 'local_subnet', 'local_nat', 'local_sourceip', 'local_updown', 'local_firewall', 'remote_subnet',
          'remote_sourceip', 'remote_updown', 'remote_firewall', 'crypto_proposal', 'mark', 'if_id',
        ],
        enums: { conn_type: ['tunnel', 'transport'], type: ['tunnel', 'transport'], mode: ['start', 'add', 'route'] },
      },
    },
  },
];

const statusesOf = (op: Json) => Object.keys(op['responses'] as Json).sort();

describe('the OpenAPI document', () => {
  it('passes the OpenAPI 3.1 schema validator, and every $ref resolves', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('is plain JSON that survives serialization unchanged', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('has the six operations, with the contract status codes, for every collection and alias the API serves', () => {
    for (const def of resources) {
      for (const segment of [def.collection, ...(def.aliases ?? [])]) {
        const base = `${LUCI}${def.prefix}/${segment}`;
        const collection = doc.paths[base] as Json;
        const item = doc.paths[`${base}/{name}`] as Json;
        expect(collection, base).toBeDefined();
        expect(item, `${base}/{name}`).toBeDefined();
        // 428: a missing IPsec proposal, or a device reference that names no device of the box
        const preconditions = def.preconditions ? ['428'] : [];
        expect(statusesOf(collection['get'])).toEqual(['200', '304', '403']);
        expect(statusesOf(collection['post'])).toEqual(['200', '201', '400', '403', '409', ...preconditions].sort());
        expect(statusesOf(item['get'])).toEqual(['200', '304', '403', '404']);
        expect(statusesOf(item['put'])).toEqual(['200', '400', '403', '409', '412', '415', ...preconditions].sort());
        expect(statusesOf(item['patch'])).toEqual(['200', '400', '403', '404', '409', '412', '415', ...preconditions].sort());
        expect(statusesOf(item['delete'])).toEqual(['200', '400', '403', '404', '412']);
        // Reads answer an ETag and take If-None-Match; writes take If-Match, and answer the new ETag with the object.
        for (const read of [collection['get'], item['get']]) {
          expect(read.parameters.map((p: Json) => deref(p)['name'])).toContain('If-None-Match');
          expect(deref(read.responses['200'].headers.ETag)).toBe(doc.components.headers.ETag);
        }
        for (const write of [item['put'], item['patch'], item['delete']]) expect(write.parameters.map((p: Json) => deref(p)['name'])).toContain('If-Match');
        for (const write of [collection['post'].responses['201'], item['put'].responses['200'], item['patch'].responses['200']]) {
          expect(deref(write.headers.ETag)).toBe(doc.components.headers.ETag);
        }
        // PATCH takes a merge patch only: every field optional, each also null.
        const patch = deref(item['patch'].requestBody.content['application/merge-patch+json'].schema);
        expect(Object.keys(item['patch'].requestBody.content)).toEqual(['application/merge-patch+json']);
        expect(patch['required']).toBeUndefined();
        expect(Object.keys(patch['properties'])).toEqual(Object.keys(doc.components.schemas[componentName(def)].properties));
        for (const p of [collection, item]) expect(p['description']).toMatch(/405/);
        // The list answer is keyed by the path segment (`sites` under the alias).
        const list = collection['get'].responses['200'].content['application/json'].schema;
        expect(list.required).toEqual([segment]);
        for (const key of [segment, ...(def.listKeys ?? [])]) expect(deref(list.properties[key].items)).toBe(doc.components.schemas[componentName(def)]);
        // Writes take dry_run.
        for (const op of [collection['post'], item['put'], item['patch'], item['delete']]) {
          expect(op.parameters.map((p: Json) => deref(p)['name'])).toContain('dry_run');
        }
      }
    }
  });

  it('describes every collection of the contract with all its fields and enum values', () => {
    for (const kind of CONTRACT) {
      const component = componentName({ domain: kind.prefix.split('/')[2]!, collection: kind.collection });
      for (const segment of [kind.collection, ...(kind.aliases ?? [])]) {
        expect(Object.keys(doc.paths), `${kind.prefix}/${segment}`).toContain(`${LUCI}${kind.prefix}/${segment}`);
      }
      const schema = doc.components.schemas[component] as Json;
      expect(schema, component).toBeDefined();
      const props = propertiesOf(schema);
      expect(Object.keys(props)).toEqual(expect.arrayContaining(kind.fields));
      for (const [field, values] of Object.entries(kind.enums ?? {})) {
        expect([...enumValues(props[field]!)], `${component}.${field}`).toEqual(expect.arrayContaining(values));
      }
      for (const [field, sub] of Object.entries(kind.nested ?? {})) {
        const items = deref(props[field]!)['items'] as Json;
        const subProps = propertiesOf(items);
        expect(Object.keys(subProps), `${component}.${field}[]`).toEqual(expect.arrayContaining(sub.fields));
        for (const [f, values] of Object.entries(sub.enums ?? {})) {
          expect([...enumValues(subProps[f]!)], `${component}.${field}[].${f}`).toEqual(expect.arrayContaining(values));
        }
      }
    }
  });

  it('describes login, logout, services, status and the probes', () => {
    const login = doc.paths[LUCI].post;
    expect(doc.paths[`${LUCI}/`].post.requestBody).toEqual(login.requestBody);
    expect(login.security).toEqual([]);
    expect(Object.keys(propertiesOf(login.requestBody.content['application/x-www-form-urlencoded'].schema))).toEqual(['luci_username', 'luci_password']);
    expect(Object.keys(login.responses['302'].headers)).toEqual(['Location', 'Set-Cookie']);
    expect(Object.keys(deref(login.responses['403'])['headers'])).toEqual(['X-LuCI-Login-Required']);
    expect(doc.paths[`${LUCI}/admin/logout`].get.responses['302']).toBeDefined();
    expect(doc.components.securitySchemes).toEqual({
      sysauth: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'sysauth' }),
      metricsToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(doc.security).toEqual([{ sysauth: [] }]);

    // the event stream behind the login; the metrics with the session or the bearer token
    const events = doc.paths[`${LUCI}/sdewan/v1/events`].get;
    expect(Object.keys(events.responses['200'].content)).toEqual(['text/event-stream']);
    expect(events.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`)).toEqual(['header Last-Event-ID']);
    expect(statusesOf(events)).toEqual(['200', '400', '403', '503']);
    for (const type of ['config', 'reload', 'wan', 'ipsec', 'reset']) expect(events.description).toContain(`\`${type}\``);
    const metrics = doc.paths['/metrics'].get;
    expect(metrics.security).toEqual([{ sysauth: [] }, { metricsToken: [] }]);
    expect(statusesOf(metrics)).toEqual(['200', '401', '403']);
    expect(Object.keys(metrics.responses['200'].content)).toEqual(['text/plain; version=0.0.4']);

    const services = doc.paths[`${LUCI}/sdewan/v1/services`].get.responses['200'].content['application/json'].schema;
    expect([...enumValues(propertiesOf(services)['services']!)].sort()).toEqual(['firewall', 'ipsec', 'mwan3', 'network']);
    const action = doc.paths[`${LUCI}/sdewan/v1/service/{name}`].put;
    expect([...enumValues(propertiesOf(action.requestBody.content['application/json'].schema)['action']!)].sort()).toEqual(['reload', 'restart', 'start', 'stop']);
    expect(statusesOf(action)).toEqual(['200', '400', '403', '500', '504']);
    expect(doc.paths[`${LUCI}/sdewan/v1/status`].get).toBeDefined();
    expect(doc.paths[`${LUCI}/sdewan/v1/status/{module}`].get.responses['404']).toBeDefined();

    const ifaces = deref(doc.paths[`${LUCI}/admin/status/mwan/interface_status`].get.responses['200'].content['application/json'].schema);
    expect(Object.keys(propertiesOf(ifaces))).toEqual(['interfaces', 'connected']);
    const iface = propertiesOf(ifaces['properties'].interfaces.additionalProperties);
    expect(Object.keys(iface)).toEqual(['running', 'score', 'lost', 'status', 'age', 'turn', 'track_ip']);
    expect(Object.keys(propertiesOf(iface['track_ip']!['items']))).toEqual(['status', 'latency', 'packetloss', 'ip']);

    for (const probe of ['/healthz', '/readyz']) expect(doc.paths[probe].get.security).toEqual([]);
  });

  it('describes change sets: apply, get, confirm', () => {
    const apply = doc.paths[`${LUCI}/sdewan/v1/changes`].post;
    const request = propertiesOf(apply.requestBody.content['application/json'].schema);
    expect(Object.keys(request)).toEqual(['changes', 'rollback_after']);
    expect([...enumValues(propertiesOf(request['changes']!['items'])['method']!)]).toEqual(['POST', 'PUT', 'PATCH', 'DELETE']);
    expect(request['rollback_after']).toMatchObject({ minimum: 1, maximum: 600 });
    expect(statusesOf(apply)).toEqual(['200', '400', '403', '404', '409', '428']);
    expect(Object.keys(propertiesOf(apply.responses['200'].content['application/json'].schema))).toContain('results');
    const set = propertiesOf(doc.paths[`${LUCI}/sdewan/v1/changes/{id}`].get.responses['200'].content['application/json'].schema);
    expect([...enumValues(set['state']!)]).toEqual(['pending', 'confirmed', 'rolled_back']);
    expect(statusesOf(doc.paths[`${LUCI}/sdewan/v1/changes/{id}/confirm`].post)).toEqual(['200', '403', '404', '409']);
  });

  it('names every error status of the contract with a {"message"} body', () => {
    const responses = doc.components.responses as Record<string, Json>;
    const used = new Set<string>();
    for (const item of Object.values(doc.paths as Record<string, Json>)) {
      for (const op of Object.values(item)) if (op && typeof op === 'object' && 'responses' in op) for (const s of Object.keys(op.responses)) used.add(s);
    }
    expect([...used]).toEqual(expect.arrayContaining(['200', '201', '302', '400', '403', '404', '409', '412', '415', '428', '500']));
    // 405 answers any method a path does not serve: a shared response, named on every collection path.
    expect(responses['MethodNotAllowed']!['description']).toMatch(/Method Not Allowed/);
    for (const r of Object.values(responses)) {
      expect(deref(r['content']['application/json'].schema)).toEqual({
        type: 'object',
        properties: { message: expect.objectContaining({ type: 'string' }) },
        required: ['message'],
        description: expect.any(String),
      });
    }
  });

  it('has schemas that accept what the agent answers and refuse what it refuses', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    const check = (name: string, value: unknown) => ajv.validate(`#/components/schemas/${name}`, value);
    // The interface_status the agent builds from the recorded `ubus call mwan3 status`.
    const ubus = JSON.parse(readFileSync(path.join(repoRoot(), 'test/reference/mwan3/ubus-mwan3-status.json'), 'utf8')) as Json;
    expect(check('Mwan3InterfaceStatus', fromUbusStatus(ubus))).toBe(true);
    expect(check('Mwan3Rule', { name: 'r1', policy: 'p1', proto: 'tcp', family: 'ipv4', dest_port: '80' })).toBe(true);
    expect(check('Mwan3Rule', { name: 'r1', proto: 'gre' })).toBe(false);
    expect(check('Mwan3Policy', { name: 'p1', members: [{ interface: 'wan', metric: '1', weight: '2' }] })).toBe(true);
    expect(check('Mwan3Policy', { members: [] })).toBe(false);
    expect(check('Mwan3PolicyUpdate', { members: [] })).toBe(true);
    expect(check('Mwan3RulePatch', { dest_port: '81', sticky: null })).toBe(true);
    expect(check('Mwan3RulePatch', { proto: 'gre' })).toBe(false);
    expect(check('ServiceAction', { action: 'restart' })).toBe(true);
    expect(check('ServiceAction', { action: 'explode' })).toBe(false);
  });

  it('has status module schemas that accept what the agent answers from recorded output, and not the old ipsec array', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) ajv.addSchema(schema, `#/components/schemas/${name}`);
    const check = (name: string, value: unknown) => ajv.validate(`#/components/schemas/${name}`, value);
    const kernel = (f: string) => readFileSync(path.join(repoRoot(), 'test/reference/kernel', f), 'utf8');
    const rules = ruleStatus(kernel('ip-rule.json'));
    const ipsec = ipsecModuleStatus(
      pkg('ipsec', [['remote', 'siteB', { enabled: '1', remote_addrs: '10.99.0.2', tunnel: ['net'] }], ['tunnel', 'net', { startaction: 'start' }]]),
      { sas: ikeSasFromListSas(readFileSync(path.join(repoRoot(), 'test/reference/strongswan/list-sas.raw.txt'), 'utf8')) },
      new Date(),
    );
    const answers: Array<[string, unknown]> = [
      ['conntrack', conntrackStatus(kernel('nf_conntrack.txt'))],
      ['interface', interfaceStatus(kernel('ip-s-addr.json'))],
      ['ipsec', ipsec],
      ['route', routeStatus(kernel('ip-route-all.json'), rules)],
      ['rule', rules],
    ];
    for (const [name, status] of answers) expect([name, check('ModuleStatus', { name, status }), ajv.errorsText()]).toEqual([name, true, 'No errors']);
    expect(check('IpsecStatus', ipsec)).toBe(true);
    expect(check('ModuleStatus', { name: 'ipsec', status: ipsec.details })).toBe(false);
    expect(check('IpsecStatus', { ...ipsec, InitConnection: true })).toBe(false);
    expect(check('RuleStatus', [{ prio: 0, not: 'false' }])).toBe(false);
  });

  it('documents the sub-resources kinds declare (the status of an SLA policy), GET only, with an answer schema that accepts what the agent answers', () => {
    const subs = resources.flatMap((def) => (def.subResources ?? []).map((sub) => ({ def, sub })));
    expect(subs.map(({ def, sub }) => `${def.prefix}/${def.collection}/{name}/${sub.path}`)).toEqual(['/sdewan/mwan3/v1/slapolicies/{name}/status']);
    const item = doc.paths[`${LUCI}/sdewan/mwan3/v1/slapolicies/{name}`] as Json;
    expect(item['description']).toContain('(but `{name}/status`)');
    const path_ = doc.paths[`${LUCI}/sdewan/mwan3/v1/slapolicies/{name}/status`] as Json;
    expect(Object.keys(path_).filter((k) => ['get', 'put', 'post', 'delete'].includes(k))).toEqual(['get']);
    expect(statusesOf(path_['get'])).toEqual(['200', '403', '404']);
    expect(path_['get'].operationId).toBe('mwan3.slapolicies.get_status');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) ajv.addSchema(schema, `#/components/schemas/${name}`);
    const answer = path_['get'].responses['200'].content['application/json'].schema.$ref as string;
    expect(answer).toBe('#/components/schemas/Mwan3SlapolicyStatus');
    const mwan3 = pkg('mwan3', [
      ['interface', 'wan', { track_ip: ['1.1.1.1'] }],
      ['member', 'gold_wan', { interface: 'wan', metric: '1' }],
      ['policy', 'gold', { use_member: ['gold_wan'], sdewan_kind: 'slapolicy', sla_latency_ms: '50', sla_loss_percent: '1' }],
    ]);
    const live = { interfaces: { wan: { status: 'online', turn: 3, track_ip: [{ ip: '1.1.1.1', status: 'up', latency: 12, packetloss: 0 }] } }, policies: { ipv4: { gold: [{ interface: 'wan', percent: 100 }] } } };
    const history = new SlaHistory();
    history.record(live);
    const policy = { name: 'gold', members: [{ interface: 'wan', metric: '1' }], sla: { latency_ms: '50', loss_percent: '1' } };
    for (const status of [slaPolicyStatus(policy, mwan3, live, history), slaPolicyStatus(policy, mwan3, undefined, new SlaHistory())]) {
      expect([ajv.validate(answer, status), ajv.errorsText()]).toEqual([true, 'No errors']);
    }
    expect(ajv.validate(answer, { name: 'gold', members: [] })).toBe(false);
  });

  it('serves the same collections, paths and list keys as the typed client knows', () => {
    const served = resources.flatMap((def) => [def.collection, ...(def.aliases ?? [])].map((s) => `${def.prefix}/${s} ${s}`)).sort();
    const client = Object.values(CATALOG).flatMap((d) => Object.values(d).map((c: { path: string; key: string }) => `${c.path} ${c.key}`)).sort();
    expect(client).toEqual(served);
  });

  it('names the servers: this origin, and an agent elsewhere by scheme and host', () => {
    expect(doc.servers[0]).toEqual(expect.objectContaining({ url: '/' }));
    const templated = doc.servers[1] as Json;
    const variables = [...(templated['url'] as string).matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    expect(variables).toEqual(['scheme', 'host']);
    for (const v of variables) expect(templated['variables'][v!].default, v).toEqual(expect.any(String));
    expect(templated['variables'].scheme.enum).toEqual(['https', 'http']);
  });

  it('writes summaries with the right article, and describes every tag', () => {
    const summaries = Object.values(doc.paths as Record<string, Json>).flatMap((item) => Object.values(item).map((op) => (op as Json)?.['summary']));
    expect(summaries).toEqual(expect.arrayContaining(['Create an interface', 'Create a policy', 'Delete an application', 'Read a remote']));
    for (const s of summaries.filter((x): x is string => typeof x === 'string')) expect(s, s).not.toMatch(/\ba [aeiou]|\ban [^aeiouA-Z\s]/);
    const used = new Set(Object.values(doc.paths as Record<string, Json>).flatMap((item) => Object.values(item).flatMap((op) => ((op as Json)?.['tags'] ?? []) as string[])));
    for (const tag of doc.tags as Json[]) expect(tag['description'], tag['name']).toMatch(/\w/);
    expect((doc.tags as Json[]).map((t) => t['name']).sort()).toEqual([...used].sort());
  });
});
