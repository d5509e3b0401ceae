// The client's session handling against a real agent: login on first use, login again and
// retry once after the session expired (SDEWAN_SESSION_TTL=3), wrong password, logout, and
// HTTPS with the CA that signed the agent's certificate.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientError, createClient, type SdewanClient } from '../../packages/client/src/index.js';
import { type Agent, makeTempDir, startAgent, waitFor } from '../helpers/agent.js';

/** Logins the agent logged (its log lines reach this process a little after the answers). */
const agentLogins = (agent: Agent) => agent.logRecords().filter((r) => r['msg'] === 'login').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('client sessions', () => {
  let agent: Agent;
  const clients: SdewanClient[] = [];
  const client = (password = agent.password) => {
    const counter = { logins: 0 };
    const c = createClient({ url: agent.url, password, onLogin: () => counter.logins++ });
    clients.push(c);
    return Object.assign(c, { counter });
  };

  beforeAll(async () => {
    // 3 s: the first requests after the login are well within it even on a loaded machine
    agent = await startAgent({ env: { SDEWAN_SESSION_TTL: '3' } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('logs in on first use and again, once, when the session expired', async () => {
    const c = client();
    const before = agentLogins(agent);
    expect((await c.mwan3.policies.list()).map((p) => p.name)).toEqual(['balanced', 'wan_wanb']);
    expect(c.counter.logins).toBe(1);

    // Idle for longer than the session lifetime: the agent answers 403 and the client logs in again.
    await sleep(4100);
    const lists = await Promise.all([c.mwan3.rules.list(), c.mwan3.policies.list(), c.firewall.zones.list()]);
    expect(lists[1].map((p) => p.name)).toEqual(['balanced', 'wan_wanb']);
    // Three requests refused at once share one new login.
    expect(c.counter.logins).toBe(2);
    await waitFor(() => agentLogins(agent) === before + 2, { what: 'two logins in the agent log' });
  });

  it('reports a wrong password as a ClientError 403', async () => {
    const err = await client('wrong-password').services.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect(err).toMatchObject({ status: 403, message: 'Login failed' });
  });

  it('logs out, and logs in again on the next request', async () => {
    const c = client();
    await c.login();
    await c.logout();
    await waitFor(() => agent.logRecords().some((r) => r['msg'] === 'logout'), { what: 'the logout in the agent log' });
    expect(await c.services.list()).toEqual(['mwan3', 'firewall', 'ipsec', 'network']);
    expect(c.counter.logins).toBe(2);
  });
});

describe('client over HTTPS', () => {
  let dir: string;
  let ca: string;
  let agent: Agent | undefined;

  /** A CA and a certificate for 127.0.0.1 signed by it, made with openssl. */
  async function makeCertificates(): Promise<{ ca: string; cert: string; key: string }> {
    const f = (name: string) => path.join(dir, name);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await execa('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=sdewan test CA']);
    await execa('openssl', ['req', ...ec, '-keyout', f('agent.key'), '-out', f('agent.csr'), '-subj', '/CN=127.0.0.1']);
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    await execa('openssl', ['x509', '-req', '-in', f('agent.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('agent.pem'), '-days', '2', '-extfile', f('san.ext')]);
    return { ca: readFileSync(f('ca.pem'), 'utf8'), cert: f('agent.pem'), key: f('agent.key') };
  }

  beforeAll(async () => {
    dir = makeTempDir('sdewan-client-tls-');
    const certs = await makeCertificates();
    ca = certs.ca;
    agent = await startAgent({ env: { SDEWAN_TLS_CERT: certs.cert, SDEWAN_TLS_KEY: certs.key }, ca });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the given CA, and refuses the agent without it', async () => {
    expect(agent!.url).toMatch(/^https:/);
    const trusted = createClient({ url: agent!.url, password: agent!.password, ca });
    try {
      expect(await trusted.services.list()).toEqual(['mwan3', 'firewall', 'ipsec', 'network']);
    } finally {
      await trusted.close();
    }
    const untrusted = createClient({ url: agent!.url, password: agent!.password });
    const err = (await untrusted.services.list().catch((e: unknown) => e)) as Error & { cause?: { code?: string } };
    expect(err).toBeInstanceOf(TypeError);
    expect(err.cause?.code).toMatch(/CERT|SIGNED|VERIFY/);
  });
});
