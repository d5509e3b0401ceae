// Bad input, table-driven over every endpoint: the collections of every prefix (from the API's
// own list of resource definitions, aliases included), login, services and status. A refused
// request is a 4xx with a JSON message and leaves every config file byte-identical; hostile
// names and UCI batch injections are either refused that way or stored verbatim and read back
// identical, never executed.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { type Agent, startAgent } from '../helpers/agent.js';
import { LUCI, SERVICES, changedFiles, ipsecProposal, parseConfigDir, snapshotTree } from './lib.js';

type Obj = Record<string, unknown>;

/**
 * A network config with an interface for the probe mwan3 interface, and the loopback device
 * for the probe route, as uci writes it (the API writes routes and rules there too).
 */
const NETWORK = ['loopback', 'lan', 'wan', 'wanb', 'probe']
  .map((name, i) => `\nconfig interface '${name}'\n${name === 'loopback' ? "\toption device 'lo'\n" : ''}\toption proto 'static'\n\toption ipaddr '10.0.${i}.1'\n\toption netmask '255.255.255.0'\n`)
  .join('')
  .concat('\n');

/** A valid object of every kind, each field set (the probes below start from these). */
const VALID: Record<string, Obj> = {
  '/sdewan/mwan3/v1/policies': { name: 'probe', members: [{ interface: 'wan', metric: '1', weight: '2' }] },
  '/sdewan/mwan3/v1/rules': {
    name: 'probe', policy: 'balanced', src_ip: '10.0.0.0/8', src_port: '22', dest_ip: '10.1.0.1', dest_port: '443',
    proto: 'tcp', family: 'ipv4', sticky: '1', timeout: '60', ipset: 'set1', logging: '1',
  },
  '/sdewan/mwan3/v1/interfaces': { name: 'probe', enabled: '1', family: 'ipv4', track_ip: ['8.8.8.8', '1.1.1.1'], reliability: '1', count: '1', up: '3', down: '5' },
  '/sdewan/mwan3/v1/members': { name: 'probe', interface: 'wan', metric: '1', weight: '1' },
  '/sdewan/firewall/v1/zones': {
    name: 'probe', network: ['lan'], input: 'ACCEPT', output: 'ACCEPT', forward: 'REJECT', masq: '1', masq_src: ['10.0.0.0/8'],
    masq_dest: ['!10.1.0.0/16'], family: 'ipv4', subnet: ['192.168.5.0/24'], extra_src: '-m comment --comment probe', etra_dest: '-m comment --comment probe',
  },
  '/sdewan/firewall/v1/rules': {
    name: 'probe', src: 'wan', src_ip: '10.0.0.1', src_port: '1024', proto: 'tcp', dest: 'lan', dest_ip: '192.168.1.2', dest_port: '22',
    target: 'MARK', set_mark: '0x10', family: 'ipv4', extra: '-m comment --comment probe',
  },
  '/sdewan/firewall/v1/forwardings': { name: 'probe', src: 'lan', dest: 'wan', family: 'ipv4' },
  '/sdewan/firewall/v1/redirects': {
    name: 'probe', src: 'wan', src_ip: '10.0.0.1', src_dport: '8080', proto: 'tcp', dest: 'lan', dest_ip: '192.168.1.10', dest_port: '80',
    target: 'DNAT', family: 'ipv4',
  },
  // lo: the one device every machine that runs this test has
  '/sdewan/nat/v1/nats': { name: 'probe', target: 'MASQUERADE', dest: 'lo', src_ip: '10.0.0.0/8', proto: 'tcp', index: '1' },
  '/sdewan/networkfirewall/v1/rules': { name: 'probe', src: 'lo', src_ip: '10.0.0.1', proto: 'tcp', dest_port: '22', target: 'DROP', family: 'ipv4' },
  '/sdewan/route/v1/routes': { name: 'probe', dst: '10.99.0.0/16', src: '127.0.0.1', gw: '127.0.0.2', dev: 'lo', table: 'cnf' },
  '/sdewan/rule/v1/rules': { name: 'probe', src: '10.0.0.0/8', dst: '10.1.0.0/16', flag: true, prio: '100', fwmark: '0x10', table: '40' },
  '/sdewan/application/v1/applications': { name: 'probe', iplist: '10.0.0.5,10.0.0.6' },
  '/sdewan/ipsec/v1/proposals': ipsecProposal('probe'),
  '/sdewan/ipsec/v1/remotes': {
    name: 'probe', type: 'VTI-based', gateway: '10.0.0.2', authentication_method: 'psk', pre_shared_key: 'probe-key',
    local_identifier: 'local', remote_identifier: 'remote', crypto_proposal: ['base-prop'], force_crypto_proposal: '0',
    connections: [
      {
        name: 'probe-conn', conn_type: 'tunnel', mode: 'start', local_subnet: '192.168.1.0/24', remote_subnet: '10.10.0.0/24',
        local_sourceip: '%config', remote_sourceip: '10.10.0.5', local_updown: '/etc/updown', remote_updown: '/etc/updown',
        local_firewall: 'yes', remote_firewall: 'yes', crypto_proposal: ['base-prop'], mark: '42', if_id: '7',
      },
    ],
  },
};

/** Values that would run as uci commands (or shell) if they ever reached a batch unquoted. */
const INJECTIONS = [
  "x'\ncommit\nset network.pwned=interface\n",
  "x'; set network.pwned=interface; '",
  'x"\nadd firewall rule\nset firewall.@rule[-1].name=pwned\ncommit firewall',
  "x\\'\ndelete mwan3\ncommit mwan3\n",
  '$(touch pwned)`id`;|&',
];

/** Names that have hurt programs before. */
const HOSTILE_NAMES = ['../../etc/passwd', "quo'te", 'dq"uote', 'new\nline', 'cr\rline', 'nul\u0000byte', 'n'.repeat(300), ' ', 'sp ace', 'tab\tname', '\u202eevil', 'émoji-✓'];

const MALFORMED_JSON = ['{"name": "x",', "{name: 'x'}", '[', '"unterminated', '{"name": "x"}}', '{"name": NaN}'];
const WRONG_TYPES = ['text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json-patch+json'];
const UNKNOWN_METHODS = ['PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK'];
const OVERSIZED = JSON.stringify({ name: 'big', pad: 'x'.repeat(1024 * 1024 + 16) });

// --- the endpoints ----------------------------------------------------------------------------

interface Collection {
  /** Key of VALID: prefix and canonical collection. */
  kind: string;
  /** Full path of the collection (canonical or alias). */
  url: string;
  schema: z.ZodType;
}

const collections: Collection[] = resources.flatMap((def) =>
  [def.collection, ...(def.aliases ?? [])].map((segment) => ({ kind: `${def.prefix}/${def.collection}`, url: `${LUCI}${def.prefix}/${segment}`, schema: def.schema as z.ZodType })),
);
const canonical = collections.filter((c) => c.url.endsWith(c.kind));

/** Endpoints that take a JSON body, with the method that writes. */
const bodyEndpoints: { method: string; url: string }[] = [
  ...collections.flatMap((c) => [
    { method: 'POST', url: c.url },
    { method: 'PUT', url: `${c.url}/probe` },
  ]),
  { method: 'PUT', url: `${SERVICES}/service/mwan3` },
];
const loginEndpoints = [LUCI, `${LUCI}/`];
const readOnlyEndpoints = [`${SERVICES}/services`, `${SERVICES}/status`, `${SERVICES}/status/wan`, `${SERVICES}/status/ipsec`];
const allEndpoints = [...collections.flatMap((c) => [c.url, `${c.url}/probe`]), `${SERVICES}/service/mwan3`, ...readOnlyEndpoints];

// --- zod shape walking ------------------------------------------------------------------------

interface ZodDefLike {
  type: string;
  innerType?: ZodLike;
  in?: ZodLike;
  element?: ZodLike;
  shape?: Record<string, ZodLike>;
}
interface ZodLike {
  _zod: { def: ZodDefLike };
}

/** The schema under optional/nullable/default/pipe wrappers. */
function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  for (;;) {
    const def = cur._zod.def;
    if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional'].includes(def.type)) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else return cur;
  }
}

/** Where a value can be replaced in an object, and the kind of field it is. */
interface Leaf {
  path: string;
  kind: 'string' | 'array' | 'object' | 'other';
  /** A copy of `base` with this leaf set to `value`. */
  with(value: unknown): Obj;
}

/**
 * Every field of `base` and of its schema (nested objects in lists included): those set in
 * `base` at their own position (each list element too), the others added.
 */
function leaves(base: Obj, schema: ZodLike): Leaf[] {
  const out: Leaf[] = [];
  const walk = (value: unknown, s: ZodLike | undefined, at: (string | number)[]) => {
    const shapeOf = s ? unwrap(s)._zod.def : undefined;
    const set = (v: unknown): Obj => {
      const copy = structuredClone(base);
      let cur: any = copy;
      for (const k of at.slice(0, -1)) cur = cur[k];
      cur[at[at.length - 1]!] = v;
      return copy;
    };
    const kind: Leaf['kind'] = typeof value === 'string' ? 'string' : Array.isArray(value) ? 'array' : value && typeof value === 'object' ? 'object' : 'other';
    if (at.length > 0) out.push({ path: at.join('.'), kind, with: set });
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, shapeOf?.element, [...at, i]));
    else if (value && typeof value === 'object') {
      const shape = shapeOf?.shape ?? {};
      for (const [k, v] of Object.entries(value as Obj)) walk(v, shape[k], [...at, k]);
      for (const [k, fieldSchema] of Object.entries(shape)) {
        if (k in (value as Obj)) continue;
        const t = unwrap(fieldSchema)._zod.def.type;
        const absentKind: Leaf['kind'] = t === 'array' ? 'array' : t === 'object' ? 'object' : 'string';
        out.push({ path: [...at, k].join('.'), kind: absentKind, with: (v) => {
          const copy = structuredClone(base);
          let cur: any = copy;
          for (const key of at) cur = cur[key];
          cur[k] = v;
          return copy;
        } });
      }
    }
  };
  walk(base, schema, []);
  return out;
}

/** `value` put where a string goes, or as the element of a list. */
const asField = (leaf: Leaf, value: string): unknown => (leaf.kind === 'array' ? [value] : value);

// --- HTTP --------------------------------------------------------------------------------------

interface Raw {
  status: number;
  text: string;
  json: any;
}

/** A request with the path sent byte for byte (no URL normalisation) and any method. */
function raw(agentUrl: string, method: string, rawPath: string, opts: { cookie?: string; body?: string; type?: string } = {}): Promise<Raw> {
  const u = new URL(agentUrl);
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.type) headers['content-type'] = opts.type;
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: rawPath, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A path segment carrying `name` (every byte outside unreserved characters escaped). */
const seg = (name: string) => encodeURIComponent(name).replace(/[!'()*.]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe('bad input', () => {
  let agent: Agent;
  let cookie: string;
  /** Every file the agent could write: its whole temporary directory (configs, swanctl tree, save dir), but the fake init scripts' log. */
  const files = () => new Map([...snapshotTree(agent.dir)].filter(([f]) => !f.startsWith('init.d/')));

  beforeAll(async () => {
    agent = await startAgent({ config: { network: NETWORK }, env: { LOG_LEVEL: 'info' } });
    cookie = await agent.login();
    expect((await agent.request('POST', `${LUCI}/sdewan/ipsec/v1/proposals`, ipsecProposal('base-prop'), { cookie })).status).toBe(201);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  /** Sends a request that must be refused: a 4xx (in `statuses` when given) with a JSON message, nothing changed. */
  async function refused(what: string, send: () => Promise<Raw>, statuses?: number[]) {
    const before = files();
    const res = await send();
    const label = `${what} -> ${res.status} ${res.text.slice(0, 300)}`;
    if (statuses) expect(statuses, label).toContain(res.status);
    else expect(res.status >= 400 && res.status < 500, label).toBe(true);
    expect(typeof res.json?.message, label).toBe('string');
    expect(res.json.message.length, label).toBeGreaterThan(0);
    expect(changedFiles(before, files()), label).toEqual([]);
    return res;
  }

  /**
   * Sends a write that may be refused (as above) or accepted: then the object reads back as
   * sent, deleting it puts every file back byte for byte, and nothing else changed meanwhile.
   */
  async function refusedOrVerbatim(what: string, collection: string, obj: Obj, send: () => Promise<Raw>) {
    const before = files();
    const res = await send();
    const label = `${what} -> ${res.status} ${res.text.slice(0, 300)}`;
    if (res.status >= 400 && res.status < 500) {
      expect(typeof res.json?.message, label).toBe('string');
      expect(changedFiles(before, files()), label).toEqual([]);
      return 'refused';
    }
    expect([200, 201], label).toContain(res.status);
    const name = obj.name as string;
    const item = `${collection}/${seg(name)}`;
    expect(res.json, label).toEqual(obj);
    expect((await raw(agent.url, 'GET', item, { cookie })).json, label).toEqual(obj);
    parseConfigDir(agent.confdir);
    const del = await raw(agent.url, 'DELETE', item, { cookie });
    expect(del.status, `${label}; DELETE -> ${del.text}`).toBe(200);
    expect(changedFiles(before, files()), `${label}; after DELETE`).toEqual([]);
    return 'stored';
  }

  it('has a valid object for every collection, accepted and read back as is', async () => {
    expect(Object.keys(VALID).sort()).toEqual([...new Set(collections.map((c) => c.kind))].sort());
    for (const c of collections) {
      const res = await refusedOrVerbatim(`POST ${c.url}`, c.url, VALID[c.kind]!, () => raw(agent.url, 'POST', c.url, { cookie, body: JSON.stringify(VALID[c.kind]), type: 'application/json' }));
      expect(res, c.url).toBe('stored');
    }
  });

  it('refuses malformed JSON with 400', async () => {
    for (const { method, url } of bodyEndpoints) {
      for (const body of [...MALFORMED_JSON, '']) {
        await refused(`${method} ${url} ${JSON.stringify(body)}`, () => raw(agent.url, method, url, { cookie, body, type: 'application/json' }), [400]);
      }
    }
    for (const url of loginEndpoints) {
      for (const body of MALFORMED_JSON) await refused(`POST ${url} ${body}`, () => raw(agent.url, 'POST', url, { body, type: 'application/json' }));
    }
  });

  it('refuses bodies that are not JSON (415 or 400)', async () => {
    for (const { method, url } of bodyEndpoints) {
      for (const type of WRONG_TYPES) {
        await refused(`${method} ${url} as ${type}`, () => raw(agent.url, method, url, { cookie, body: JSON.stringify(VALID['/sdewan/mwan3/v1/rules']), type }), [400, 415]);
      }
      // The controller's Go client sends JSON without a Content-Type: such a body is read as
      // JSON (test/controller/go-client.test.ts), so one that is not JSON is a 400.
      await refused(`${method} ${url} without a content type, not JSON`, () => raw(agent.url, method, url, { cookie, body: 'name=probe' }), [400]);
      // HTML forms are for the login alone.
      await refused(`${method} ${url} as a form`, () => raw(agent.url, method, url, { cookie, body: 'name=probe&policy=balanced&proto=tcp', type: 'application/x-www-form-urlencoded' }), [415]);
    }
    for (const url of loginEndpoints) {
      for (const type of WRONG_TYPES) await refused(`POST ${url} as ${type}`, () => raw(agent.url, 'POST', url, { body: 'luci_username=root', type }), [400, 415]);
    }
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    for (const { method, url } of bodyEndpoints) {
      await refused(`${method} ${url} oversized`, () => raw(agent.url, method, url, { cookie, body: OVERSIZED, type: 'application/json' }), [413]);
    }
    for (const url of loginEndpoints) {
      const form = `luci_username=root&luci_password=${'x'.repeat(1024 * 1024 + 16)}`;
      await refused(`POST ${url} oversized form`, () => raw(agent.url, 'POST', url, { body: form, type: 'application/x-www-form-urlencoded' }), [413]);
    }
  });

  it('refuses bodies and fields of the wrong type with 400 naming the field', async () => {
    for (const { method, url } of bodyEndpoints) {
      for (const body of ['[]', '"probe"', '5', 'null', 'true', '[{"name":"probe"}]']) {
        await refused(`${method} ${url} ${body}`, () => raw(agent.url, method, url, { cookie, body, type: 'application/json' }), [400]);
      }
    }
    for (const c of canonical) {
      for (const leaf of leaves(VALID[c.kind]!, c.schema as unknown as ZodLike)) {
        const wrong = leaf.kind === 'string' ? [5, true, {}, ['x']] : leaf.kind === 'array' ? ['x', [5], { a: 'x' }] : leaf.kind === 'object' ? ['x', 5, ['x']] : [];
        for (const value of wrong) {
          const obj = leaf.with(value);
          const res = await refused(`POST ${c.url} ${leaf.path}=${JSON.stringify(value)}`, () => raw(agent.url, 'POST', c.url, { cookie, body: JSON.stringify(obj), type: 'application/json' }), [400]);
          expect(res.json.message, `${c.url} ${leaf.path}=${JSON.stringify(value)}`).toContain(`Field[${leaf.path}`);
        }
      }
    }
    await refused('PUT service action 5', () => raw(agent.url, 'PUT', `${SERVICES}/service/mwan3`, { cookie, body: '{"action":5}', type: 'application/json' }), [400]);
    await refused('PUT service action list', () => raw(agent.url, 'PUT', `${SERVICES}/service/mwan3`, { cookie, body: '{"action":["reload"]}', type: 'application/json' }), [400]);
  });

  it('answers unknown methods with 405 everywhere (PATCH of an object: 415 but for a merge patch)', async () => {
    const objects = new Set(collections.map((c) => `${c.url}/probe`));
    for (const url of [...allEndpoints, ...loginEndpoints]) {
      for (const method of UNKNOWN_METHODS) {
        const status = method === 'PATCH' && objects.has(url) ? 415 : 405;
        await refused(`${method} ${url}`, () => raw(agent.url, method, url, { cookie }), [status]);
      }
    }
    for (const url of objects) {
      for (const body of MALFORMED_JSON) {
        await refused(`PATCH ${url} ${body}`, () => raw(agent.url, 'PATCH', url, { cookie, body, type: 'application/merge-patch+json' }), [400]);
      }
      await refused(`PATCH ${url} missing`, () => raw(agent.url, 'PATCH', url, { cookie, body: '{"x":"1"}', type: 'application/merge-patch+json' }), [404]);
    }
    for (const url of loginEndpoints) {
      for (const method of ['PUT', 'DELETE']) await refused(`${method} ${url}`, () => raw(agent.url, method, url, { cookie }), [405]);
    }
  });

  it('refuses path traversal in the URL', async () => {
    const traversals = ['../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', '%2e%2e'];
    for (const c of collections) {
      for (const t of traversals) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const body = method === 'PUT' ? JSON.stringify(VALID[c.kind]) : undefined;
          await refusedOrTraversalSafe(`${method} ${c.url}/${t}`, method, `${c.url}/${t}`, body);
        }
      }
    }
    for (const url of [`${SERVICES}/service/`, `${SERVICES}/status/`]) {
      for (const t of traversals) {
        const method = url.includes('service/') ? 'PUT' : 'GET';
        await refused(`${method} ${url}${t}`, () => raw(agent.url, method, `${url}${t}`, { cookie, body: method === 'PUT' ? '{"action":"reload"}' : undefined, type: 'application/json' }));
      }
    }
  });

  /** A traversal is refused, or names an object literally (then it reads back under that very name). */
  async function refusedOrTraversalSafe(what: string, method: string, rawPath: string, body: string | undefined) {
    const before = files();
    const res = await raw(agent.url, method, rawPath, { cookie, body, type: body ? 'application/json' : undefined });
    const label = `${what} -> ${res.status} ${res.text.slice(0, 200)}`;
    if (res.status >= 400 && res.status < 500) {
      expect(typeof res.json?.message, label).toBe('string');
      expect(changedFiles(before, files()), label).toEqual([]);
      return;
    }
    // accepted: the name is the decoded segment, stored as a name and nothing else
    expect(method, label).toBe('PUT');
    expect(res.status, label).toBe(200);
    const name = decodeURIComponent(rawPath.slice(rawPath.lastIndexOf('/') + 1));
    expect(res.json.name, label).toBe(name);
    const del = await raw(agent.url, 'DELETE', rawPath, { cookie });
    expect(del.status, label).toBe(200);
    expect(changedFiles(before, files()), `${label}; after DELETE`).toEqual([]);
  }

  it('refuses hostile names, or stores them verbatim', async () => {
    const outcomes: string[] = [];
    for (const c of canonical) {
      for (const name of HOSTILE_NAMES) {
        const obj = { ...VALID[c.kind]!, name };
        outcomes.push(await refusedOrVerbatim(`POST ${c.url} name=${JSON.stringify(name)}`, c.url, obj, () => raw(agent.url, 'POST', c.url, { cookie, body: JSON.stringify(obj), type: 'application/json' })));
        outcomes.push(await refusedOrVerbatim(`PUT ${c.url}/${JSON.stringify(name)}`, c.url, obj, () => raw(agent.url, 'PUT', `${c.url}/${seg(name)}`, { cookie, body: JSON.stringify(obj), type: 'application/json' })));
      }
    }
    expect(outcomes).toContain('refused');
  });

  it('never executes UCI batch text sent in a string field: refused, or stored verbatim', async () => {
    const outcomes: string[] = [];
    for (const c of canonical) {
      for (const leaf of leaves(VALID[c.kind]!, c.schema as unknown as ZodLike)) {
        if (leaf.kind !== 'string' && leaf.kind !== 'array') continue;
        for (const payload of INJECTIONS) {
          const obj = leaf.with(asField(leaf, payload));
          outcomes.push(await refusedOrVerbatim(`POST ${c.url} ${leaf.path}=${JSON.stringify(payload)}`, c.url, obj, () => raw(agent.url, 'POST', c.url, { cookie, body: JSON.stringify(obj), type: 'application/json' })));
        }
      }
    }
    // free-text fields (firewall `extra`, zone `extra_src`) take such text as a value
    expect(outcomes).toContain('stored');
    expect(outcomes).toContain('refused');
    for (const pkg of parseConfigDir(agent.confdir).values()) expect(pkg.sections.map((s) => s.name)).not.toContain('pwned');
  });

  it('is alive and unchanged in what it serves afterwards', async () => {
    expect((await raw(agent.url, 'GET', '/readyz')).status).toBe(200);
    for (const c of canonical) expect((await raw(agent.url, 'GET', c.url, { cookie })).status).toBe(200);
    expect((await raw(agent.url, 'GET', `${SERVICES}/services`, { cookie })).json).toEqual({ services: ['mwan3', 'firewall', 'ipsec', 'network'] });
  });
});
