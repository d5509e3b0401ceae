// Failed logins are throttled per client address; sessions and other addresses are served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';
import { rawRequest } from '../helpers/http.js';

const PROTECTED = '/cgi-bin/luci/admin/status/some-page';

describe('login throttling', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => agent?.stop());

  const login = (password: string, localAddress = '127.0.0.1') =>
    rawRequest(`${agent.url}/cgi-bin/luci`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ luci_username: 'root', luci_password: password }).toString(),
      localAddress,
    });

  it('answers 429 after 5 failures a minute, while sessions and other addresses are served', async () => {
    const cookie = await agent.login();
    for (let i = 0; i < 5; i++) {
      const res = await login('wrong');
      expect(res.status).toBe(403);
      expect(res.headers['x-luci-login-required']).toBe('yes');
    }
    const throttled = await login('wrong');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(throttled.text)).toHaveProperty('message');
    // the right password from the throttled address waits too
    expect((await login(agent.password)).status).toBe(429);

    // the logged-in client keeps being served
    const served = await agent.request('GET', PROTECTED, undefined, { cookie });
    expect(served.status).not.toBe(403);
    expect(served.status).not.toBe(429);

    // another client address logs in normally
    const other = await login(agent.password, '127.0.0.2');
    expect(other.status).toBe(302);
    expect(String(other.headers['set-cookie']?.[0])).toMatch(/^sysauth=[0-9a-f]{32};/);
  });
});
