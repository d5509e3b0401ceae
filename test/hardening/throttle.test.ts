// A flood of wrong logins (autocannon) is throttled, while a client that logged in before keeps
// being served.
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../helpers/agent.js';
import { FIREWALL, LUCI, MWAN3 } from './lib.js';

const FLOOD_REQUESTS = 3000;
const FLOOD_CONNECTIONS = 10;
/** The agent's default: failed logins allowed per address and minute. */
const MAX_FAILURES = 5;

describe('login flood', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('answers wrong logins with 429 past the limit, and keeps serving a logged-in client', async () => {
    const cookie = await agent.login();
    const flood = autocannon({
      url: `${agent.url}${LUCI}`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ luci_username: 'root', luci_password: 'not-the-password' }).toString(),
      connections: FLOOD_CONNECTIONS,
      amount: FLOOD_REQUESTS,
      timeout: 10,
    });
    let flooding = true;
    const result = flood.then((r) => {
      flooding = false;
      return r;
    });

    // the logged-in client, one request after the other, for as long as the flood lasts
    const served: number[] = [];
    while (flooding) {
      const path = served.length % 2 ? `${MWAN3}/rules` : `${FIREWALL}/zones`;
      served.push((await agent.request('GET', path, undefined, { cookie })).status);
    }
    const r = await result;

    const count = (status: number) => r.statusCodeStats?.[`${status}`]?.count ?? 0;
    expect(r.errors).toBe(0);
    expect(count(429) + count(403)).toBe(FLOOD_REQUESTS);
    // a few attempts racing the first failures may get a password check; the rest are held off
    expect(count(403)).toBeGreaterThanOrEqual(MAX_FAILURES);
    expect(count(403)).toBeLessThan(MAX_FAILURES + FLOOD_CONNECTIONS);
    expect(count(429)).toBeGreaterThan(FLOOD_REQUESTS - MAX_FAILURES - FLOOD_CONNECTIONS);

    expect(served.length).toBeGreaterThan(0);
    expect(served.every((s) => s === 200)).toBe(true);

    // the refusal says why and when to come back; the session still works afterwards
    const refused = await agent.request('POST', LUCI, undefined, {
      cookie: '',
      raw: 'luci_username=root&luci_password=wrong',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refused.status).toBe(429);
    expect(refused.json.message).toMatch(/login/i);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await agent.request('GET', `${MWAN3}/policies`, undefined, { cookie })).status).toBe(200);
  });
});
