// The agent as a process: bad settings, probes, body limits and errors, logs, shutdown.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runAgentUntilExit, startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { rawRequest } from '../helpers/http.js';

describe('bad settings stop the start', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ SDEWAN_AUTH: 'kerberos' }, 'SDEWAN_AUTH'],
    [{ SDEWAN_SESSION_TTL: '-5' }, 'SDEWAN_SESSION_TTL'],
    [{ LOG_LEVEL: 'chatty' }, 'LOG_LEVEL'],
    [{ SDEWAN_TLS_CERT: '/no/such/cert.pem' }, 'SDEWAN_TLS_KEY'],
    [{ SDEWAN_AUTH: 'shadow', SDEWAN_SHADOW: '/no/such/shadow' }, 'SDEWAN_SHADOW'],
    [{ SDEWAN_CONFDIR: '/no/such/config' }, 'SDEWAN_CONFDIR'],
  ])('%o names %s and exits non-zero', async (env, name) => {
    const { code, logs } = await runAgentUntilExit({ env });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(logs).toContain(`invalid setting ${name}`);
  });
});

describe('a running agent', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent({ env: { LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => agent?.stop());

  it('answers /healthz and /readyz without login; /readyz follows the config directory', async () => {
    const health = await agent.request('GET', '/healthz', undefined, { cookie: '' });
    expect(health.status).toBe(200);
    expect((await agent.request('GET', '/readyz', undefined, { cookie: '' })).status).toBe(200);
    renameSync(agent.confdir, `${agent.confdir}.away`);
    try {
      const notReady = await agent.request('GET', '/readyz', undefined, { cookie: '' });
      expect(notReady.status).toBe(503);
      expect(notReady.json).toHaveProperty('message');
      expect((await agent.request('GET', '/healthz', undefined, { cookie: '' })).status).toBe(200);
    } finally {
      renameSync(`${agent.confdir}.away`, agent.confdir);
    }
    expect((await agent.request('GET', '/readyz', undefined, { cookie: '' })).status).toBe(200);
  });

  it('answers body errors with {"message"}: 400 bad JSON, 415 unknown type, 413 beyond 1 MiB', async () => {
    const post = (raw: string, type: string) =>
      agent.request('POST', '/cgi-bin/luci', undefined, { cookie: '', raw, headers: { 'content-type': type } });
    const bad = await post('{"luci_username":', 'application/json');
    expect(bad.status).toBe(400);
    expect(typeof bad.json.message).toBe('string');
    const unsupported = await post('luci_username=root', 'text/plain');
    expect(unsupported.status).toBe(415);
    expect(typeof unsupported.json.message).toBe('string');
    const tooLarge = await post(`luci_username=${'a'.repeat(1024 * 1024 + 10)}`, 'application/x-www-form-urlencoded');
    expect(tooLarge.status).toBe(413);
    expect(typeof tooLarge.json.message).toBe('string');
  });

  it('logs one line per request, and never the password or the session token', async () => {
    const cookie = await agent.login();
    const token = cookie.slice('sysauth='.length);
    await agent.request('GET', '/cgi-bin/luci/admin/status/x?stok=secretquery', undefined, { cookie });
    await agent.request('POST', '/cgi-bin/luci', undefined, {
      cookie,
      raw: new URLSearchParams({ luci_username: 'root', luci_password: 'not-the-password' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await waitFor(() => agent.logRecords().some((r) => r.path === '/cgi-bin/luci/admin/status/x'), { what: 'request log line' });
    const line = agent.logRecords().find((r) => r.path === '/cgi-bin/luci/admin/status/x')!;
    expect(line).toMatchObject({ method: 'GET', status: expect.any(Number) });
    expect(typeof line.ms).toBe('number');
    const logs = agent.logs();
    expect(logs).not.toContain(agent.password);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('not-the-password');
    expect(logs).not.toContain('secretquery');
  });

  it('sleeps when nobody calls it: its event loop wakes a few times a second at most (no 10 ms metrics sampler)', async () => {
    const pid = agent.process.pid!;
    // the main thread's voluntary switches: one each time its event loop waits again
    const waits = () => Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    await new Promise((r) => setTimeout(r, 500)); // past the work of the requests before
    const before = waits();
    await new Promise((r) => setTimeout(r, 3000));
    // a 10 ms sampler alone would make ~300 here
    expect(waits() - before).toBeLessThan(60);
  });
});

describe('request lines at LOG_LEVEL=info', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent({ env: { LOG_LEVEL: 'info' } });
  });
  afterAll(async () => agent?.stop());

  it('logs writes, logins and failures, and leaves out the reads that succeed', async () => {
    const cookie = await agent.login();
    const policies = '/cgi-bin/luci/sdewan/mwan3/v1/policies';
    expect((await agent.request('GET', policies, undefined, { cookie })).status).toBe(200);
    expect((await agent.request('GET', '/healthz', undefined, { cookie: '' })).status).toBe(200);
    expect((await agent.request('GET', `${policies}/nosuch`, undefined, { cookie })).status).toBe(404);
    expect((await agent.request('POST', policies, { name: 'p1', members: 'not-a-list' }, { cookie })).status).toBe(400);
    await waitFor(() => agent.logRecords().some((r) => r.method === 'POST' && r.path === policies), { what: 'the POST line' });
    const lines = agent.logRecords().filter((r) => r.msg === 'request');
    expect(lines.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/cgi-bin/luci', 302],
      ['GET', `${policies}/nosuch`, 404],
      ['POST', policies, 400],
    ]);
  });
});

describe('without SDEWAN_PASSWORD', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent({ env: { SDEWAN_PASSWORD: '' } });
  });
  afterAll(async () => agent?.stop());

  it('makes up a password, prints it once, and it works', async () => {
    expect(agent.password).toMatch(/^\S{12,}$/);
    const cookie = await agent.login('root', agent.password);
    await agent.request('GET', '/cgi-bin/luci/admin/status/x', undefined, { cookie });
    await agent.request('GET', '/healthz', undefined, { cookie: '' });
    expect(agent.logs().split(agent.password).length - 1).toBe(1);
  });
});

describe('SIGTERM', () => {
  // The request in flight is a write that, with SDEWAN_ROLLBACK, waits for its reload, and the
  // init script holds that reload until the test opens a gate: the agent is known to be serving
  // it when the signal comes (a request merely sent may not have reached the agent yet, and
  // would then be refused with 503 as the agent closes).
  it('stops accepting, lets the request in flight finish, then exits 0', async () => {
    const initd = makeTempDir('sdewan-sigterm-initd-');
    const calls = path.join(initd, 'calls.log');
    const gate = path.join(initd, 'gate');
    for (const name of ['mwan3', 'firewall', 'swanctl']) {
      writeFileSync(path.join(initd, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\nexit 0\n`, { mode: 0o755 });
    }
    const agent = await startAgent({ initd, env: { SDEWAN_ROLLBACK: '1', SDEWAN_RELOAD_DELAY_MS: '0' } });
    try {
      const cookie = await agent.login();
      const inFlight = agent.request('POST', '/cgi-bin/luci/sdewan/mwan3/v1/rules', { name: 'inflight', policy: 'balanced', proto: 'tcp', dest_port: '80' }, { cookie });
      await waitFor(() => existsSync(calls) && readFileSync(calls, 'utf8').startsWith('mwan3 '), { what: 'the reload of the write to start' });
      agent.process.kill('SIGTERM');
      await waitFor(() => agent.logRecords().some((r) => r.msg === 'shutting down'), { what: 'shutdown to begin' });
      // no new connections
      await waitFor(
        async () => {
          try {
            await rawRequest(`${agent.url}/healthz`);
            return false;
          } catch (err) {
            return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
          }
        },
        { what: 'the listening socket to close' },
      );
      writeFileSync(gate, '');
      const res = await inFlight;
      expect(res.status, res.text).toBe(201);
      const end = await agent.exited;
      expect(end, agent.logs()).toEqual({ code: 0, signal: null });
      expect(agent.readFile('mwan3')).toContain("config rule 'inflight'");
    } finally {
      writeFileSync(gate, '');
      await agent.stop();
      rmSync(initd, { recursive: true, force: true });
    }
  });
});
