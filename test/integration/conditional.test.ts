// Conditional requests and merge patches against the agent as a process, over a real socket:
// ETags derived from the JSON answered (stable across identical reads and invisible hand
// edits), 304 on If-None-Match, 412 on a stale If-Match with every file untouched, a race of
// two conditional writes that only one wins, PATCH with application/merge-patch+json.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError, createClient, etagOf, isClientError, type SdewanClient } from '../../packages/client/src/index.js';
import { type Agent, startAgent } from '../helpers/agent.js';

const MWAN3 = '/cgi-bin/luci/sdewan/mwan3/v1';
const RULES = `${MWAN3}/rules`;
const MERGE = { 'content-type': 'application/merge-patch+json' };

let agent: Agent;
let client: SdewanClient;

beforeAll(async () => {
  agent = await startAgent();
  client = createClient({ url: agent.url, password: agent.password });
});
afterAll(async () => {
  await client?.close();
  await agent?.stop();
});

/** Every file of the config directory, by name. */
function configFiles(): Record<string, string> {
  return Object.fromEntries(readdirSync(agent.confdir).map((f) => [f, readFileSync(path.join(agent.confdir, f), 'utf8')]));
}

const tagOf = (res: { headers: Headers }) => res.headers.get('etag') ?? '';

/** Edits the mwan3 file by hand, as an operator with vi would. */
function handEdit(edit: (text: string) => string) {
  const file = path.join(agent.confdir, 'mwan3');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

const create = async (obj: Record<string, string>) => {
  const res = await agent.request('POST', RULES, obj);
  expect(res.status, res.text).toBe(201);
  return res;
};

describe('ETag', () => {
  it('is a strong hash of the JSON answered, the same across identical GETs of an object and of a list', async () => {
    const one = await agent.request('GET', `${RULES}/https`);
    const again = await agent.request('GET', `${RULES}/https`);
    expect(one.status).toBe(200);
    expect(tagOf(one)).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(tagOf(again)).toBe(tagOf(one));
    expect(tagOf(one)).toBe(`"${createHash('sha256').update(one.text).digest('base64url')}"`);
    const list = await agent.request('GET', RULES);
    expect(tagOf(list)).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(tagOf(list)).not.toBe(tagOf(one));
    expect(tagOf(await agent.request('GET', RULES))).toBe(tagOf(list));
  });

  it('stays through a hand edit that changes nothing a GET shows, and changes with one that does', async () => {
    const item = tagOf(await agent.request('GET', `${RULES}/https`));
    const list = tagOf(await agent.request('GET', RULES));
    handEdit((t) => `# edited by hand\n${t.replace("config rule 'https'\n", "config rule 'https'\n\n")}`);
    const same = await agent.request('GET', `${RULES}/https`);
    expect(tagOf(same)).toBe(item);
    expect(tagOf(await agent.request('GET', RULES))).toBe(list);

    handEdit((t) => t.replace("option dest_port '443'", "option dest_port '8443'"));
    const changed = await agent.request('GET', `${RULES}/https`);
    expect(changed.json.dest_port).toBe('8443');
    expect(tagOf(changed)).not.toBe(item);
    expect(tagOf(await agent.request('GET', RULES))).not.toBe(list);
    // the old tag no longer answers 304
    expect((await agent.request('GET', `${RULES}/https`, undefined, { headers: { 'if-none-match': item } })).status).toBe(200);
  });

  it('answers 304 with the ETag and no body when If-None-Match names it (weakly, in a list, or *)', async () => {
    const item = await agent.request('GET', `${RULES}/https`);
    const list = await agent.request('GET', RULES);
    for (const [url, tag] of [
      [`${RULES}/https`, tagOf(item)],
      [RULES, tagOf(list)],
    ] as const) {
      for (const header of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
        const res = await agent.request('GET', url, undefined, { headers: { 'if-none-match': header } });
        expect([url, header, res.status, res.text]).toEqual([url, header, 304, '']);
        expect(tagOf(res)).toBe(tag);
      }
      const miss = await agent.request('GET', url, undefined, { headers: { 'if-none-match': '"other"' } });
      expect(miss.status).toBe(200);
      expect(miss.text).toBe(url === RULES ? list.text : item.text);
    }
  });
});

describe('If-Match', () => {
  it('lets a write through while it matches, and answers the new ETag', async () => {
    const created = await create({ name: 'cond-a', policy: 'balanced', proto: 'tcp', dest_port: '80' });
    expect(tagOf(created)).toBe(tagOf(await agent.request('GET', `${RULES}/cond-a`)));
    const put = await agent.request('PUT', `${RULES}/cond-a`, { policy: 'balanced', proto: 'tcp', dest_port: '81' }, { headers: { 'if-match': tagOf(created) } });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({ name: 'cond-a', policy: 'balanced', proto: 'tcp', dest_port: '81' });
    expect(tagOf(put)).not.toBe(tagOf(created));
    expect(tagOf(put)).toBe(tagOf(await agent.request('GET', `${RULES}/cond-a`)));
    const del = await agent.request('DELETE', `${RULES}/cond-a`, undefined, { headers: { 'if-match': `"other", ${tagOf(put)}` } });
    expect(del.status, del.text).toBe(200);
    expect((await agent.request('GET', `${RULES}/cond-a`)).status).toBe(404);
  });

  it('answers 412 to PUT, PATCH and DELETE when the object changed since, writing nothing', async () => {
    const created = await create({ name: 'cond-b', policy: 'balanced', proto: 'tcp', dest_port: '80' });
    const stale = tagOf(created);
    handEdit((t) => t.replace("option dest_port '80'", "option dest_port '88'"));
    const files = configFiles();
    const calls = agent.callsLog().length;
    const attempts = [
      () => agent.request('PUT', `${RULES}/cond-b`, { policy: 'balanced', proto: 'udp' }, { headers: { 'if-match': stale } }),
      () => agent.request('PATCH', `${RULES}/cond-b`, { proto: 'udp' }, { headers: { ...MERGE, 'if-match': stale } }),
      () => agent.request('DELETE', `${RULES}/cond-b`, undefined, { headers: { 'if-match': stale } }),
      // a weak tag never matches If-Match, even the current one
      async () => agent.request('DELETE', `${RULES}/cond-b`, undefined, { headers: { 'if-match': `W/${tagOf(await agent.request('GET', `${RULES}/cond-b`))}` } }),
      () => agent.request('PUT', `${RULES}/cond-b?dry_run=1`, { policy: 'balanced' }, { headers: { 'if-match': stale } }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.status, res.text).toBe(412);
      expect(typeof res.json.message).toBe('string');
    }
    expect(configFiles()).toEqual(files);
    expect(agent.callsLog().length).toBe(calls);
    expect((await agent.request('GET', `${RULES}/cond-b`)).json.dest_port).toBe('88');
  });

  it('answers 412 to If-Match: * when there is no object, and lets it through when there is one', async () => {
    const files = configFiles();
    for (const [method, body, headers] of [
      ['PUT', { policy: 'balanced' }, {}],
      ['PATCH', { policy: 'balanced' }, MERGE],
      ['DELETE', undefined, {}],
    ] as const) {
      const res = await agent.request(method, `${RULES}/cond-missing`, body, { headers: { ...headers, 'if-match': '*' } });
      expect([method, res.status]).toEqual([method, 412]);
      expect(typeof res.json.message).toBe('string');
    }
    expect(configFiles()).toEqual(files);
    const put = await agent.request('PUT', `${RULES}/https`, { policy: 'balanced', proto: 'tcp', dest_port: '443', sticky: '1' }, { headers: { 'if-match': '*' } });
    expect(put.status, put.text).toBe(200);
  });

  it('lets exactly one of two racing PUTs with the same If-Match win; the other gets 412', async () => {
    const created = await create({ name: 'cond-race', policy: 'balanced', proto: 'tcp', dest_port: '80' });
    const bodies = ['1001', '1002'].map((port) => ({ policy: 'balanced', proto: 'tcp', dest_port: port }));
    const results = await Promise.all(bodies.map((b) => agent.request('PUT', `${RULES}/cond-race`, b, { headers: { 'if-match': tagOf(created) } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    const winner = results.findIndex((r) => r.status === 200);
    const now = await agent.request('GET', `${RULES}/cond-race`);
    expect(now.json).toEqual({ name: 'cond-race', ...bodies[winner] });
    expect(tagOf(now)).toBe(tagOf(results[winner]!));
  });
});

describe('PATCH (JSON merge patch)', () => {
  it('changes only the fields named, removes those set to null, and answers the object with its ETag', async () => {
    await create({ name: 'cond-p', policy: 'balanced', proto: 'tcp', dest_port: '80', sticky: '1', timeout: '60' });
    const res = await agent.request('PATCH', `${RULES}/cond-p`, { dest_port: '8080', sticky: null, timeout: null }, { headers: MERGE });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ name: 'cond-p', policy: 'balanced', proto: 'tcp', dest_port: '8080' });
    const read = await agent.request('GET', `${RULES}/cond-p`);
    expect(read.json).toEqual(res.json);
    expect(tagOf(res)).toBe(tagOf(read));
    expect(agent.readFile('mwan3')).not.toMatch(/option timeout '60'/);
  });

  it('replaces lists whole (a policy\'s members)', async () => {
    const res = await agent.request('PATCH', `${MWAN3}/policies/balanced`, { members: [{ interface: 'wanb', metric: '1', weight: '5' }] }, { headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' } });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ name: 'balanced', members: [{ interface: 'wanb', metric: '1', weight: '5' }] });
  });

  it('validates the merged object as a whole, naming the field, writing nothing', async () => {
    await create({ name: 'cond-v', policy: 'balanced', proto: 'tcp', dest_port: '80' });
    const files = configFiles();
    // valid alone, invalid with the stored dest_port: ports need tcp or udp
    const icmp = await agent.request('PATCH', `${RULES}/cond-v`, { proto: 'icmp' }, { headers: MERGE });
    expect(icmp.status).toBe(400);
    expect(icmp.json.message).toContain('Field[dest_port]');
    const bad = await agent.request('PATCH', `${RULES}/cond-v`, { timeout: '-5' }, { headers: MERGE });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('Field[timeout]');
    const rename = await agent.request('PATCH', `${RULES}/cond-v`, { name: 'other' }, { headers: MERGE });
    expect(rename.status).toBe(400);
    expect(rename.json.message).toContain('Field[name]');
    const notObject = await agent.request('PATCH', `${RULES}/cond-v`, undefined, { headers: MERGE, raw: '["x"]' });
    expect(notObject.status).toBe(400);
    expect(configFiles()).toEqual(files);
  });

  it('answers 415 to any other content type, 404 for a missing object, and a batch for a dry run', async () => {
    await create({ name: 'cond-d', policy: 'balanced', proto: 'tcp', dest_port: '80' });
    const files = configFiles();
    for (const type of ['application/json', 'application/json-patch+json', 'text/plain']) {
      const res = await agent.request('PATCH', `${RULES}/cond-d`, undefined, { headers: { 'content-type': type }, raw: '{"dest_port":"81"}' });
      expect([type, res.status]).toEqual([type, 415]);
      expect(typeof res.json.message).toBe('string');
    }
    // the Go client's way, a body without a content type, is JSON: not a merge patch either
    expect((await agent.request('PATCH', `${RULES}/cond-d`, undefined, { raw: '{"dest_port":"81"}' })).status).toBe(415);
    expect((await agent.request('PUT', `${RULES}/cond-d`, undefined, { headers: MERGE, raw: '{"policy":"balanced"}' })).status).toBe(415);
    const missing = await agent.request('PATCH', `${RULES}/cond-none`, { dest_port: '81' }, { headers: MERGE });
    expect(missing.status).toBe(404);
    const dry = await agent.request('PATCH', `${RULES}/cond-d?dry_run=1`, { dest_port: '81', proto: null }, { headers: MERGE });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.json.dry_run).toBe(true);
    expect(dry.json.batch).toContain("set mwan3.cond_d.dest_port='81'");
    expect(dry.json.batch).toContain('delete mwan3.cond_d.proto');
    expect(configFiles()).toEqual(files);
  });
});

describe('PUT and the name', () => {
  it('answers 400 naming name when the body names another object; the same name or none is fine', async () => {
    await create({ name: 'cond-n', policy: 'balanced', proto: 'tcp', dest_port: '80' });
    const files = configFiles();
    const other = await agent.request('PUT', `${RULES}/cond-n`, { name: 'cond-other', policy: 'balanced' });
    expect(other.status).toBe(400);
    expect(other.json.message).toMatch(/^Field\[name\] checked failed: /);
    expect(configFiles()).toEqual(files);
    for (const body of [{ name: 'cond-n', policy: 'balanced', dest_port: '' }, { policy: 'balanced' }, { name: '', policy: 'balanced' }]) {
      const res = await agent.request('PUT', `${RULES}/cond-n`, body);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({ name: 'cond-n', policy: 'balanced' });
    }
  });
});

describe('the typed client', () => {
  const statusOf = async (p: Promise<unknown>) => {
    try {
      await p;
      return 200;
    } catch (err) {
      if (!isClientError(err)) throw err;
      return (err as ClientError).status;
    }
  };

  it('keeps the ETag of what it read, sends it as If-Match, and patches', async () => {
    const rules = client.mwan3.rules;
    const created = await rules.create({ name: 'cond-client', policy: 'balanced', proto: 'tcp', dest_port: '80', sticky: '1' });
    const read = await rules.get('cond-client');
    expect(read).toEqual(created);
    expect(etagOf(read)).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(etagOf(created)).toBe(etagOf(read));
    expect(await rules.getIfChanged('cond-client', etagOf(read)!)).toBeUndefined();

    const patched = await rules.patch('cond-client', { dest_port: '8080', sticky: null }, { ifMatch: etagOf(read)! });
    expect(patched).toEqual({ name: 'cond-client', policy: 'balanced', proto: 'tcp', dest_port: '8080' });
    expect(await rules.getIfChanged('cond-client', etagOf(read)!)).toEqual(patched);
    // the old ETag no longer holds: 412 for update, patch and delete, and the object stays
    expect(await statusOf(rules.update('cond-client', { policy: 'wan_wanb' }, { ifMatch: etagOf(read)! }))).toBe(412);
    expect(await statusOf(rules.patch('cond-client', { proto: 'udp' }, { ifMatch: etagOf(read)! }))).toBe(412);
    expect(await statusOf(rules.delete('cond-client', { ifMatch: etagOf(read)! }))).toBe(412);
    expect(await rules.get('cond-client')).toEqual(patched);
    expect((await rules.dryRun.patch('cond-client', { dest_port: '81' })).batch).toContain("dest_port='81'");

    const updated = await rules.update('cond-client', { policy: 'wan_wanb' }, { ifMatch: etagOf(patched)! });
    expect(updated).toEqual({ name: 'cond-client', policy: 'wan_wanb' });
    expect(await statusOf(rules.patch('cond-none', { proto: 'udp' }))).toBe(404);
    await rules.delete('cond-client', { ifMatch: etagOf(updated)! });
    expect(await rules.find('cond-client')).toBeUndefined();
  });

  it('reads a list only when it changed', async () => {
    const policies = client.mwan3.policies;
    const list = await policies.list();
    const tag = etagOf(list)!;
    expect(tag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(await policies.listIfChanged(tag)).toBeUndefined();
    await policies.create({ name: 'cond-list', members: [{ interface: 'wan', metric: '1', weight: '1' }] });
    const changed = await policies.listIfChanged(tag);
    expect(changed?.map((p) => p.name)).toContain('cond-list');
    expect(etagOf(changed!)).not.toBe(tag);
  });
});
