// GET /cgi-bin/luci/: the page a browser or a probe finds where LuCI's start page was, against
// the agent as a process. Its form is read from the page and posted as a browser would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startAgent, type Agent } from '../helpers/agent.js';

const version = (JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;

describe('the page of GET /cgi-bin/luci/', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => agent?.stop());

  it.each(['/cgi-bin/luci/', '/cgi-bin/luci'])('GET %s without a session: 200, HTML with name, version, docs link and the login form', async (url) => {
    const r = await agent.request('GET', url, undefined, { cookie: '' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('x-luci-login-required')).toBeNull();
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.text).toContain(`<title>sdewan-agent ${version}</title>`);
    expect(r.text).toContain('<a href="/cgi-bin/luci/sdewan/docs">');
    expect(r.text).toMatch(/<form method="post" action="\/cgi-bin\/luci\/">/);
    expect([...r.text.matchAll(/<input name="([^"]+)"/g)].map((m) => m[1])).toEqual(['luci_username', 'luci_password']);
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it('the same page with a session; HEAD answers too', async () => {
    const withSession = await agent.request('GET', '/cgi-bin/luci/');
    expect(withSession.status).toBe(200);
    expect(withSession.text).toContain(`sdewan-agent ${version}`);
    const head = await agent.request('HEAD', '/cgi-bin/luci/', undefined, { cookie: '' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('its form, posted as a browser does, logs in (302 with sysauth first)', async () => {
    const page = (await agent.request('GET', '/cgi-bin/luci/', undefined, { cookie: '' })).text;
    const action = /<form method="post" action="([^"]+)">/.exec(page)![1]!;
    const [user, pass] = [...page.matchAll(/<input name="([^"]+)"/g)].map((m) => m[1]!);
    const r = await agent.request('POST', action, undefined, {
      cookie: '',
      raw: new URLSearchParams({ [user!]: 'root', [pass!]: agent.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(302);
    expect(r.headers.getSetCookie()[0]).toMatch(/^sysauth=[0-9a-f]{32};/);
  });

  it('other methods: 403 without a session, 405 with one', async () => {
    const none = await agent.request('DELETE', '/cgi-bin/luci/', undefined, { cookie: '' });
    expect(none.status).toBe(403);
    const r = await agent.request('DELETE', '/cgi-bin/luci/');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('only those two paths: below them the API gate still asks for a login', async () => {
    const r = await agent.request('GET', '/cgi-bin/luci/admin', undefined, { cookie: '' });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-luci-login-required')).toBe('yes');
  });
});
