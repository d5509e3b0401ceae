// The requests of the ICN controller's Go client (crd-ctrlr/src/openwrt), byte for byte as it
// sends them: the login form unencoded with its Content-Type, then JSON bodies with NO
// Content-Type and only `Cookie: sysauth=<token>`; it reads the first Set-Cookie only and
// logs in again on a 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../helpers/agent.js';
import { type RawResponse, rawRequest } from '../helpers/http.js';

/** One request as the Go client makes it: its headers, the body with its length, nothing else. */
function goRequest(agent: Agent, method: string, path: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
  return rawRequest(`${agent.url}${path}`, { method, body, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } });
}

/** The Go client's login(): the token from the first Set-Cookie header's `sysauth` key. */
async function goLogin(agent: Agent): Promise<string> {
  const res = await goRequest(agent, 'POST', '/cgi-bin/luci/', `luci_username=root&luci_password=${agent.password}`, {
    'Content-Type': 'application/x-www-form-urlencoded',
  });
  expect(res.status).toBe(302);
  const first = (res.headers['set-cookie'] ?? [])[0] ?? '';
  const pair = first.split(';').map((c) => c.trim()).find((c) => c.startsWith('sysauth='));
  return pair!.slice('sysauth='.length);
}

describe('the Go client of the ICN controller', () => {
  let agent: Agent;
  let token: string;
  beforeAll(async () => {
    agent = await startAgent();
    token = await goLogin(agent);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  const call = (method: string, path: string, body = '') =>
    goRequest(agent, method, `/cgi-bin/luci/${path}`, body, { Cookie: `sysauth=${token}` });

  it('creates, reads, updates and deletes a rule with JSON bodies sent without a Content-Type', async () => {
    const rule = { name: 'gorule', policy: 'balanced', src_ip: '', src_port: '', dest_ip: '', dest_port: '8080', proto: 'tcp', family: '', sticky: '', timeout: '' };
    const created = await call('POST', 'sdewan/mwan3/v1/rules', JSON.stringify(rule));
    expect(created.status).toBe(201);
    expect(JSON.parse(created.text)).toEqual({ name: 'gorule', policy: 'balanced', dest_port: '8080', proto: 'tcp' });
    const updated = await call('PUT', 'sdewan/mwan3/v1/rules/gorule', JSON.stringify({ ...rule, dest_port: '8081' }));
    expect(updated.status).toBe(200);
    expect(JSON.parse(updated.text).dest_port).toBe('8081');
    const policy = { name: 'gopolicy', members: [{ interface: 'wan', metric: '1', weight: '2' }] };
    expect((await call('POST', 'sdewan/mwan3/v1/policies', JSON.stringify(policy))).status).toBe(201);
    expect(JSON.parse((await call('GET', 'sdewan/mwan3/v1/policies/gopolicy')).text)).toEqual(policy);
    expect((await call('DELETE', 'sdewan/mwan3/v1/rules/gorule')).status).toBe(200);
    expect((await call('DELETE', 'sdewan/mwan3/v1/policies/gopolicy')).status).toBe(200);
  });

  it('gets a 400 naming the field for a bad body without a Content-Type, and a 400 for one that is not JSON', async () => {
    const bad = await call('POST', 'sdewan/mwan3/v1/rules', JSON.stringify({ name: 'bad', proto: 'gre' }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).message).toMatch(/proto/);
    expect((await call('POST', 'sdewan/mwan3/v1/rules', 'not json')).status).toBe(400);
  });

  it('reads interface_status and posts a service action as the controller does', async () => {
    const status = await call('GET', 'admin/status/mwan/interface_status');
    expect(status.status).toBe(200);
    expect(Object.keys(JSON.parse(status.text).interfaces)).toEqual(expect.arrayContaining(['wan', 'wanb']));
    const action = await call('PUT', 'sdewan/v1/service/mwan3', JSON.stringify({ action: 'restart' }));
    expect(action.status).toBe(200);
    expect(JSON.parse(action.text)).toEqual({ message: 'success' });
  });

  it('gets a 403 after logout, which is its cue to log in again', async () => {
    expect((await call('GET', 'admin/logout')).status).toBe(302);
    expect((await call('GET', 'sdewan/mwan3/v1/rules')).status).toBe(403);
    token = await goLogin(agent);
    expect((await call('GET', 'sdewan/mwan3/v1/rules')).status).toBe(200);
  });
});
