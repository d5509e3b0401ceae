// LuCI login contract against the real agent process: cookies, gate, logout, idle expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';

const PROTECTED = '/cgi-bin/luci/admin/status/some-page';
const COOKIE_ATTRS = '; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly';

async function postLogin(agent: Agent, path: string, form: Record<string, string>) {
  return agent.request('POST', path, undefined, {
    cookie: '',
    raw: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

function expectLoginRequired(res: { status: number; headers: Headers }) {
  expect(res.status).toBe(403);
  expect(res.headers.get('x-luci-login-required')).toBe('yes');
}

describe('login', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => agent?.stop());

  it.each(['/cgi-bin/luci', '/cgi-bin/luci/'])('POST %s answers 302 with sysauth as the first cookie', async (path) => {
    const res = await postLogin(agent, path, { luci_username: 'root', luci_password: agent.password });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/cgi-bin/luci/');
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    const m = /^sysauth=([0-9a-f]{32}); path=\/cgi-bin\/luci\/; SameSite=Strict; HttpOnly$/.exec(cookies[0]!);
    expect(m).not.toBeNull();
    const token = m![1]!;
    expect(cookies[1]).toBe(`sysauth_http=${token}${COOKIE_ATTRS}`);
  });

  it('gives every login a new random token', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) tokens.add(await agent.login());
    expect(tokens.size).toBe(5);
  });

  it('accepts the session under sysauth, sysauth_http and sysauth_https', async () => {
    const token = (await agent.login()).slice('sysauth='.length);
    for (const name of ['sysauth', 'sysauth_http', 'sysauth_https']) {
      const res = await agent.request('GET', PROTECTED, undefined, { cookie: `other=1; ${name}=${token}` });
      expect(res.status, name).not.toBe(403);
      expect(res.headers.get('x-luci-login-required')).toBeNull();
    }
  });

  it.each([
    ['no cookie', ''],
    ['an unknown token', `sysauth=${'0'.repeat(32)}`],
    ['a malformed token', 'sysauth=../../etc/passwd'],
    ['an empty token', 'sysauth='],
    ['a look-alike cookie name', 'xsysauth=0123456789abcdef0123456789abcdef'],
  ])('answers 403 with X-LuCI-Login-Required to %s', async (_what, cookie) => {
    for (const [method, path] of [
      ['GET', PROTECTED],
      ['PUT', '/cgi-bin/luci/'],
      ['GET', '/cgi-bin/luci/sdewan/mwan3/v1/policies'],
      ['DELETE', '/cgi-bin/luci/sdewan/mwan3/v1/policies/balanced'],
      ['GET', '/cgi-bin/luci/admin/logout'],
      ['GET', '/cgi-bin/%6cuci/sdewan/v1/services'],
    ] as const) {
      const res = await agent.request(method, path, undefined, { cookie });
      expectLoginRequired(res);
    }
    // the gate comes before body parsing: a broken body still gets the 403
    const res = await agent.request('POST', '/cgi-bin/luci/sdewan/mwan3/v1/policies', undefined, {
      cookie,
      raw: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expectLoginRequired(res);
  });

  it('refuses a wrong password, a wrong user and a missing field with 403', async () => {
    const forms: Record<string, string>[] = [
      { luci_username: 'root', luci_password: `${agent.password}x` },
      { luci_username: 'admin', luci_password: agent.password },
      { luci_username: 'root' },
    ];
    for (const form of forms) {
      const res = await postLogin(agent, '/cgi-bin/luci', form);
      expectLoginRequired(res);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('logs out: 302 to /cgi-bin/luci/, and the session is gone', async () => {
    const cookie = await agent.login();
    const other = await agent.login();
    expect((await agent.request('GET', PROTECTED, undefined, { cookie })).status).not.toBe(403);
    const res = await agent.request('GET', '/cgi-bin/luci/admin/logout', undefined, { cookie });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/cgi-bin/luci/');
    expect(res.headers.getSetCookie()[0]).toMatch(/^sysauth=; path=\/cgi-bin\/luci\/; expires=Thu, 01 Jan 1970/);
    expectLoginRequired(await agent.request('GET', PROTECTED, undefined, { cookie }));
    // other sessions live on
    expect((await agent.request('GET', PROTECTED, undefined, { cookie: other })).status).not.toBe(403);
  });
});

describe('idle expiry', () => {
  const TTL_MS = 2000;
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent({ env: { SDEWAN_SESSION_TTL: String(TTL_MS / 1000) } });
  });
  afterAll(async () => agent?.stop());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('keeps a used session alive, ends an idle one, and a new login works', async () => {
    let prevStart = Date.now();
    let cookie = await agent.login();
    // Used every 0.25 s for longer than the TTL. A use proves the session alive only when the
    // time from the start of the previous request to the end of this one stays under the TTL
    // (a stalled machine may exceed it: then that use proves nothing and the run starts over).
    let since = prevStart;
    while (Date.now() - since <= TTL_MS * 1.5) {
      await sleep(250);
      const start = Date.now();
      const res = await agent.request('GET', PROTECTED, undefined, { cookie });
      const idleAtMost = Date.now() - prevStart;
      if (idleAtMost < TTL_MS) expect(res.status, `idle at most ${idleAtMost} ms`).not.toBe(403);
      prevStart = start;
      if (idleAtMost >= TTL_MS && res.status === 403) {
        prevStart = since = Date.now();
        cookie = await agent.login();
      }
    }
    // idle for longer than the TTL (sleeping longer only makes it more so)
    await sleep(TTL_MS + 1000);
    expectLoginRequired(await agent.request('GET', PROTECTED, undefined, { cookie }));
    const again = await agent.login();
    expect(again).not.toBe(cookie);
    expect((await agent.request('GET', PROTECTED, undefined, { cookie: again })).status).not.toBe(403);
  });
});
