// Bad input, table-driven over every endpoint: the collections of every prefix (from the API's
// own list of resource definitions, aliases included), login, services and status. A refused
// request is a 4xx with a JSON message and leaves every config file byte-identical; hostile
// names and UCI batch injections are either refused that way or stored verbatim and read back
// identical, never executed. Unpaired surrogates, deep nesting, unaddressable or long names
// and body-less methods with a JSON type are covered too, and at the end the agent's whole log
// (at trace) is searched for every secret the suite sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { type Agent, startAgent, waitFor } from '../helpers/agent.js';
import { type Raw, type ZodLike, asField, leaves, raw, seg } from './requests.js';
import { LUCI, NETWORK, SERVICES, VALID, changedFiles, ipsecProposal, parseConfigDir, readBack, snapshotTree } from './lib.js';

type Obj = Record<string, unknown>;

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

/**
 * Every secret the suite sends (pre-shared keys, passwords, markers put into every field):
 * after the whole suite, none may be found in the agent's log.
 */
const WG = VALID['/sdewan/wireguard/v1/tunnels']!;
const SECRETS = new Set<string>([
  VALID['/sdewan/ipsec/v1/remotes']!.pre_shared_key as string,
  WG.private_key as string,
  (WG.peers as Array<{ preshared_key: string }>)[0]!.preshared_key,
]);
const secret = (s: string) => (SECRETS.add(s), s);
let secretCount = 0;
/** A fresh secret marker: the part of a value the log must never show. */
const marker = () => secret(`sekrit${++secretCount}x${Math.random().toString(36).slice(2, 8)}`);

/** Unpaired UTF-16 surrogates, alone and beside text (JSON.stringify writes them as \uXXXX escapes). */
const LONE_SURROGATES = ['\\uD800', '\\uDFFF', 'a\\uDBFFb', '\\uDC00\\uD800'];

/** A body nested `depth` levels deep (arrays, or objects under `key`). */
const nested = (depth: number, open: string, close: string) => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('bad input', () => {
  let agent: Agent;
  let cookie: string;
  /** Every file the agent could write: its whole temporary directory (configs, swanctl tree, save dir), but the fake init scripts' log. */
  const files = () => new Map([...snapshotTree(agent.dir)].filter(([f]) => !f.startsWith('init.d/')));

  beforeAll(async () => {
    // at trace: every line the agent can write is in the log the last test searches
    agent = await startAgent({ config: { network: NETWORK }, env: { LOG_LEVEL: 'trace' } });
    secret(agent.password);
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
    // exactly as sent, but the write-only fields (keys), which are never answered
    const answered = readBack(collections.find((c) => c.url === collection)!.schema, obj);
    expect(res.json, label).toEqual(answered);
    expect((await raw(agent.url, 'GET', item, { cookie })).json, label).toEqual(answered);
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
      await refused(`${method} ${url} oversized`, () => raw(agent.url, method, url, { cookie, body: OVERSIZED, type: 'application/json', declareOnly: true }), [413]);
    }
    for (const url of loginEndpoints) {
      const form = `luci_username=root&luci_password=${'x'.repeat(1024 * 1024 + 16)}`;
      await refused(`POST ${url} oversized form`, () => raw(agent.url, 'POST', url, { body: form, type: 'application/x-www-form-urlencoded', declareOnly: true }), [413]);
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

  it('refuses unpaired surrogates in any string, field name or object name with 400 naming the field', async () => {
    for (const c of canonical) {
      for (const leaf of leaves(VALID[c.kind]!, c.schema as unknown as ZodLike)) {
        if (leaf.kind !== 'string' && leaf.kind !== 'array') continue;
        for (const lone of LONE_SURROGATES) {
          // the JSON text carries the surrogate as an escape, as JSON.stringify writes it
          const text = JSON.stringify(leaf.with(asField(leaf, `${marker()}${JSON.parse(`"${lone}"`)}`)));
          const res = await refused(`POST ${c.url} ${leaf.path} with ${lone}`, () => raw(agent.url, 'POST', c.url, { cookie, body: text, type: 'application/json' }), [400]);
          expect(res.json.message, `${c.url} ${leaf.path}`).toContain(`Field[${leaf.path}`);
          expect(res.json.message).toContain('surrogate');
        }
      }
      // a field name, and the name in the URL of a PUT (no UTF-8 encodes a lone surrogate)
      const keyed = `{"name":"probe","${marker()}\\uD800":"x"}`;
      const res = await refused(`POST ${c.url} with a bad field name`, () => raw(agent.url, 'POST', c.url, { cookie, body: keyed, type: 'application/json' }), [400]);
      expect(res.json.message).toContain('Field[');
      for (const method of ['PUT', 'GET', 'DELETE']) {
        const body = method === 'PUT' ? JSON.stringify(VALID[c.kind]) : undefined;
        await refused(`${method} ${c.url} with a lone surrogate in the URL`, () => raw(agent.url, method, `${c.url}/${marker()}%ED%A0%80`, { cookie, body, type: body ? 'application/json' : undefined }), [400, 404]);
      }
    }
  });

  it('refuses bodies nested 10,000 levels deep (and any beyond the bound) with 400', async () => {
    for (const { method, url } of bodyEndpoints) {
      for (const body of [nested(10_000, '[', ']'), `{"name":"probe","x":${nested(10_000, '[', ']')}}`, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, `{"name":"probe","x":${nested(40, '[', ']')}}`]) {
        await refused(`${method} ${url} nested ${body.slice(0, 30)}`, () => raw(agent.url, method, url, { cookie, body, type: 'application/json' }), [400]);
      }
    }
  });

  it("refuses '.', '..' and names over 253 characters for every kind with 400 naming the field", async () => {
    for (const c of canonical) {
      for (const name of ['.', '..', 'n'.repeat(254), `${'a'.repeat(150)}.${'b'.repeat(150)}`]) {
        const obj = { ...VALID[c.kind]!, name };
        const res = await refused(`POST ${c.url} name=${name.slice(0, 20)} (${name.length})`, () => raw(agent.url, 'POST', c.url, { cookie, body: JSON.stringify(obj), type: 'application/json' }), [400]);
        expect(res.json.message).toContain('Field[name]');
        if (name.length > 2) {
          const put = await refused(`PUT ${c.url}/${name.slice(0, 20)} (${name.length})`, () => raw(agent.url, 'PUT', `${c.url}/${seg(name)}`, { cookie, body: JSON.stringify(obj), type: 'application/json' }), [400]);
          expect(put.json.message).toContain('Field[name]');
        }
      }
    }
  });

  it('serves methods without a body that send Content-Type: application/json and no body', async () => {
    for (const c of canonical) {
      const obj = VALID[c.kind]!;
      expect((await raw(agent.url, 'POST', c.url, { cookie, body: JSON.stringify(obj), type: 'application/json' })).status, c.url).toBe(201);
      const item = `${c.url}/${seg(obj.name as string)}`;
      for (const body of [undefined, '', ' \r\n']) {
        const get = await raw(agent.url, 'GET', item, { cookie, body, type: 'application/json' });
        expect(get.status, `GET ${item} ${JSON.stringify(body)}: ${get.text}`).toBe(200);
      }
      const del = await raw(agent.url, 'DELETE', item, { cookie, body: '', type: 'application/json' });
      expect(del.status, `DELETE ${item}: ${del.text}`).toBe(200);
      const again = await raw(agent.url, 'DELETE', item, { cookie, type: 'application/json' });
      expect(again.status, `DELETE ${item} again: ${again.text}`).toBe(404);
    }
    // a method that carries a body still needs one
    await refused('POST with an empty JSON body', () => raw(agent.url, 'POST', `${LUCI}/sdewan/mwan3/v1/rules`, { cookie, body: '', type: 'application/json' }), [400]);
  });

  it('logs a failed login without the user name sent, and bounded', async () => {
    const names = [marker(), `${marker()}${'u'.repeat(900 * 1024)}`, `root${marker()}`];
    for (const name of names) {
      const form = new URLSearchParams({ luci_username: name, luci_password: marker() }).toString();
      await refused(`login as ${name.slice(0, 20)}`, () => raw(agent.url, 'POST', LUCI, { body: form, type: 'application/x-www-form-urlencoded' }), [403]);
    }
    // the configured user with a wrong password: that much is said
    const wrong = new URLSearchParams({ luci_username: 'root', luci_password: marker() }).toString();
    await refused('login as root, wrong password', () => raw(agent.url, 'POST', LUCI, { body: wrong, type: 'application/x-www-form-urlencoded' }), [403]);
    // the log comes through a pipe: it may trail the answers
    const failures = await waitFor(() => {
      const lines = agent.logRecords().filter((r) => r.msg === 'login failed');
      return lines.length >= 4 ? lines : undefined;
    }, { what: 'four failed logins in the log' });
    expect(failures.map((r) => r.configuredUser)).toEqual([false, false, false, true]);
    for (const r of failures) expect(Object.keys(r).sort()).toEqual(['address', 'configuredUser', 'level', 'msg', 'name', 'reqId', 'time']);
  });

  it('is alive and unchanged in what it serves afterwards', async () => {
    expect((await raw(agent.url, 'GET', '/readyz')).status).toBe(200);
    for (const c of canonical) expect((await raw(agent.url, 'GET', c.url, { cookie })).status).toBe(200);
    expect((await raw(agent.url, 'GET', `${SERVICES}/services`, { cookie })).json).toEqual({ services: ['mwan3', 'firewall', 'ipsec', 'network'] });
  });

  it('never wrote a secret or a long line to its log, through the whole suite', async () => {
    // stopped first: then every line it wrote has come through the pipe
    await agent.stop();
    const log = agent.logs();
    expect(SECRETS.size).toBeGreaterThan(100);
    for (const s of SECRETS) expect(log.includes(s), `the log holds the secret ${s.slice(0, 40)}`).toBe(false);
    const longest = Math.max(...log.split('\n').map((l) => l.length));
    expect(longest).toBeLessThan(8192);
    // and it did log: the requests, and the failures
    expect(agent.logRecords().filter((r) => r.msg === 'request').length).toBeGreaterThan(1000);
  });
});
