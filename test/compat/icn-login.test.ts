// ICN's e2e verifier (platform/test/e2e-test/*/sdwan_verifier.sh) against the real agent: its
// login is `wget -S --spider --post-data "luci_username=root&luci_password="`, a HEAD request
// that carries the form, with the empty password of a fresh OpenWRT; its chart probes `GET /`.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startAgent, type Agent } from '../helpers/agent.js';
import { rawRequest } from '../helpers/http.js';

const run = promisify(execFile);

/**
 * The e2e script's login, as it runs it: wget's server response piped through grep and sed,
 * the token of the first `sysauth=` cookie (or nothing) on stdout.
 */
const LOGIN_SCRIPT = String.raw`url="$1"; form="$2"
echo $(wget -S --spider -t 1 -T 20 --post-data "$form" "$url" 2>&1 | grep sysauth= | sed -r 's/.*sysauth=([^;]+);.*/\1/')`;

async function e2eLogin(agent: Agent, form: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', LOGIN_SCRIPT, 'login', `${agent.url}/cgi-bin/luci/`, form]);
  return stdout.trim();
}

/** What wget itself sends and gets for that login: its -S output (request method, status lines). */
async function wgetTrace(agent: Agent, form: string): Promise<string> {
  const res = await run('wget', ['-d', '-S', '--spider', '-t', '1', '-T', '20', '--post-data', form, `${agent.url}/cgi-bin/luci/`]).catch(
    (err: { stdout: string; stderr: string }) => err,
  );
  return `${res.stdout}${res.stderr}`;
}

async function servicesWith(agent: Agent, token: string) {
  return agent.request('GET', '/cgi-bin/luci/sdewan/v1/services', undefined, { cookie: `sysauth=${token}` });
}

describe('the e2e login against the shadow check of a fresh OpenWRT (root without a password)', () => {
  let agent: Agent;
  let dir: string;
  let shadow: string;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-icn-login-');
    shadow = path.join(dir, 'shadow');
    writeFileSync(shadow, 'root:::0:99999:7:::\ndaemon:*:0:0:99999:7:::\n');
    agent = await startAgent({ env: { SDEWAN_AUTH: 'shadow', SDEWAN_SHADOW: shadow, SDEWAN_PASSWORD: '' } });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wget --spider sends HEAD with the form and gets 302 with the sysauth cookie', async () => {
    const trace = await wgetTrace(agent, 'luci_username=root&luci_password=');
    expect(trace).toMatch(/^HEAD \/cgi-bin\/luci\/ HTTP\/1\.1/m);
    expect(trace).toMatch(/^Content-Length: 33$/m);
    expect(trace).toContain('[BODY data: luci_username=root&luci_password=]');
    expect(trace).toMatch(/HTTP\/1\.1 302/);
    expect(trace).toMatch(/Set-Cookie: sysauth=[0-9a-f]{32}; path=\/cgi-bin\/luci\//i);
  });

  it('the script gets a token that opens the API', async () => {
    const token = await e2eLogin(agent, 'luci_username=root&luci_password=');
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const res = await servicesWith(agent, token);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ services: ['mwan3', 'firewall', 'ipsec', 'network'] });
  });

  it('a password for the account without one, or another user, gets no token', async () => {
    expect(await e2eLogin(agent, 'luci_username=root&luci_password=x')).toBe('');
    expect(await e2eLogin(agent, 'luci_username=daemon&luci_password=')).toBe('');
  });

  it('warns at start that the login user has no password', () => {
    const warning = agent.logRecords().find((r) => typeof r.msg === 'string' && r.msg.includes('no password'));
    expect(warning?.level).toBe(40);
    expect(String(warning?.msg)).toContain(`user root has no password in ${shadow}`);
  });

  it('once the account has a password, the empty one is refused and the warning is gone at the next start', async () => {
    const { stdout: hash } = await run('openssl', ['passwd', '-6', 'secret']);
    writeFileSync(shadow, `root:${hash.trim()}:19000:0:99999:7:::\n`);
    expect(await e2eLogin(agent, 'luci_username=root&luci_password=')).toBe('');
    expect(await e2eLogin(agent, 'luci_username=root&luci_password=secret')).toMatch(/^[0-9a-f]{32}$/);
    const again = await startAgent({ env: { SDEWAN_AUTH: 'shadow', SDEWAN_SHADOW: shadow, SDEWAN_PASSWORD: '' } });
    try {
      expect(again.logRecords().some((r) => typeof r.msg === 'string' && r.msg.includes('no password'))).toBe(false);
    } finally {
      await again.stop();
    }
  });
});

describe('the e2e login against the static check', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => agent?.stop());

  it('an empty password never logs in', async () => {
    expect(await e2eLogin(agent, 'luci_username=root&luci_password=')).toBe('');
    const res = await agent.request('POST', '/cgi-bin/luci', undefined, {
      cookie: '',
      raw: 'luci_username=root&luci_password=',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(403);
  });

  it('the right password in a HEAD form logs in', async () => {
    const token = await e2eLogin(agent, new URLSearchParams({ luci_username: 'root', luci_password: agent.password }).toString());
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect((await servicesWith(agent, token)).status).toBe(200);
  });

  it('HEAD without a form answers as GET does (the login page), with or without a session, and counts no failure', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await agent.request('HEAD', '/cgi-bin/luci/', undefined, { cookie: '' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    expect((await agent.request('HEAD', '/cgi-bin/luci', undefined, {})).status).toBe(200);
    // eight form-less HEADs later, a login is not throttled
    expect(await agent.login()).toMatch(/^sysauth=/);
  });

  it('a HEAD form over the body limit is a 413', async () => {
    // over a plain socket, the headers alone: the agent answers from the Content-Length, before
    // any body, and closes the connection (the body it did not read is no next request)
    const answer = await new Promise<string>((resolve, reject) => {
      const u = new URL(agent.url);
      let text = '';
      const socket = net.connect(Number(u.port), u.hostname, () => {
        socket.write(`HEAD /cgi-bin/luci HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`);
      });
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/^connection: close\r$/im);
    expect(answer).not.toMatch(/set-cookie/i);
    // and a HEAD form of the right size, sent by node:http, logs in
    const form = new URLSearchParams({ luci_username: 'root', luci_password: agent.password }).toString();
    const ok = await rawRequest(`${agent.url}/cgi-bin/luci`, {
      method: 'HEAD',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(form)) },
    });
    expect(ok.status).toBe(302);
    expect(String(ok.headers['set-cookie']?.[0])).toMatch(/^sysauth=[0-9a-f]{32};/);
  });

  it.each(['GET', 'HEAD'])('%s / answers 200 without a login (the chart\'s probe)', async (method) => {
    const res = await agent.request(method, '/', undefined, { cookie: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    if (method === 'GET') expect(res.text).toContain('cgi-bin/luci/');
  });

  it('GET / answers the same with a session, and other paths still need one', async () => {
    expect((await agent.request('GET', '/')).status).toBe(200);
    expect((await agent.request('GET', '/index.html', undefined, { cookie: '' })).status).toBe(403);
  });
});
