// One agent process on several sockets (SDEWAN_HTTP_PORTS, SDEWAN_HTTPS_PORTS): one session
// table and one writer of each config behind both, and the settings that choose the sockets.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, SETTING_OPTIONS } from '../../src/config.js';
import { httpClient, makeTempDir, repoRoot, startAgent, type Agent } from '../helpers/agent.js';
import { settingsError } from '../helpers/settings.js';

describe('one process, an HTTPS and an HTTP listener', () => {
  let agent: Agent;
  let certDir: string;
  let ca: string;
  let urls: { https: string; http: string };
  beforeAll(async () => {
    certDir = makeTempDir('sdewan-listeners-');
    const cert = path.join(certDir, 'cert.pem');
    const key = path.join(certDir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    ca = readFileSync(cert, 'utf8');
    agent = await startAgent({
      env: { PORT: '', SDEWAN_HTTPS_PORTS: '0', SDEWAN_HTTP_PORTS: '0', SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: key },
      ca,
    });
    const listening = agent.logRecords().find((r) => r.msg === 'listening')!;
    const all = listening.urls as string[];
    expect(all).toHaveLength(2);
    urls = { https: all.find((u) => u.startsWith('https:'))!, http: all.find((u) => u.startsWith('http:'))! };
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  const client = () => httpClient(ca);
  const login = async (base: string) => {
    const res = await client()(`${base}/cgi-bin/luci/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ luci_username: 'root', luci_password: agent.password }).toString(),
    });
    expect(res.status).toBe(302);
    return res.headers.getSetCookie();
  };

  it('lists both sockets, HTTPS first, on two different ports', () => {
    const listening = agent.logRecords().find((r) => r.msg === 'listening')!;
    expect(listening.url).toBe(urls.https);
    expect(new URL(urls.https).port).not.toBe(new URL(urls.http).port);
  });

  it('marks cookies Secure on the HTTPS socket only', async () => {
    expect((await login(urls.https))[0]).toMatch(/; Secure$/);
    const plain = await login(urls.http);
    expect(plain[0]).not.toContain('Secure');
    expect(plain[1]).toMatch(/^sysauth_http=/);
  });

  it('shares one session table: a login over HTTPS is valid over HTTP, a logout over HTTP ends it', async () => {
    const token = /^sysauth=([^;]+)/.exec((await login(urls.https))[0]!)![1];
    const cookie = `sysauth=${token}`;
    const path_ = '/cgi-bin/luci/sdewan/mwan3/v1/policies';
    expect((await client()(`${urls.http}${path_}`, { method: 'GET', headers: { cookie } })).status).toBe(200);
    expect((await client()(`${urls.http}/cgi-bin/luci/admin/logout`, { method: 'GET', headers: { cookie } })).status).toBe(302);
    const after = await client()(`${urls.https}${path_}`, { method: 'GET', headers: { cookie } });
    expect(after.status).toBe(403);
  });

  it('writes each config through one writer: concurrent creates on both sockets all land', async () => {
    const cookie = `sysauth=${/^sysauth=([^;]+)/.exec((await login(urls.http))[0]!)![1]}`;
    const create = (base: string, name: string) =>
      client()(`${base}/cgi-bin/luci/sdewan/mwan3/v1/rules`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ name, policy: 'balanced', proto: 'tcp', dest_port: '80' }),
      });
    const names = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const answers = await Promise.all(names.map((n, i) => create(i % 2 ? urls.http : urls.https, n)));
    expect(answers.map((a) => a.status)).toEqual(names.map(() => 201));
    const mwan3 = agent.readFile('mwan3');
    for (const n of names) expect(mwan3).toContain(`config rule '${n}'`);
    // The second create of a name fails on the other socket: the writer saw the first.
    expect((await create(urls.http, 'r0')).status).toBe(409);
  });

  it('SIGTERM closes both sockets and the process exits 0', async () => {
    // A keep-alive connection open on the second socket must not hold the exit back.
    expect((await fetch(`${urls.http}/healthz`)).status).toBe(200);
    agent.process.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${urls.http}/healthz`)).rejects.toThrow();
  });
});

describe('listener settings', () => {
  const dir = makeTempDir('sdewan-listener-settings-');
  const conf = path.join(dir, 'config');
  mkdirSync(conf);
  // a real pair: the settings check that the certificate and key load together
  const cert = path.join(dir, 'c.pem');
  const key = path.join(dir, 'k.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const base = { SDEWAN_CONFDIR: conf, SDEWAN_UCI_BIN: 'embedded' };
  const load = (env: Record<string, string>) => loadSettings({ ...base, ...env }, { cwd: dir, openwrt: false });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PORT alone is one listener, TLS when a certificate is set', () => {
    expect(load({ PORT: '8081' }).listeners).toEqual([{ port: 8081, tls: false }]);
    expect(load({ PORT: '8443', SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: key }).listeners).toEqual([{ port: 8443, tls: true }]);
    expect(load({}).listeners).toEqual([{ port: 8080, tls: false }]);
  });

  it('the lists give HTTPS and HTTP ports, separated by spaces or commas', () => {
    const s = load({ SDEWAN_HTTPS_PORTS: '443,8443', SDEWAN_HTTP_PORTS: ' 80 8080 ', SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: key });
    expect(s.listeners).toEqual([
      { port: 443, tls: true },
      { port: 8443, tls: true },
      { port: 80, tls: false },
      { port: 8080, tls: false },
    ]);
    expect(s.port).toBe(443);
    expect(load({ SDEWAN_HTTP_PORTS: '80', PORT: '' }).listeners).toEqual([{ port: 80, tls: false }]);
  });

  it("README's settings table has a row for every setting, with its UCI option", () => {
    const readme = readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
    for (const [env, option] of Object.entries(SETTING_OPTIONS)) {
      expect(readme, env).toMatch(new RegExp(`^\\| \`${env}\` \\| \`${option}\` \\|`, 'm'));
    }
  });

  it('refuses unclear or impossible listeners, naming the setting', () => {
    expect(settingsError(() => load({ PORT: '80', SDEWAN_HTTP_PORTS: '81' })).setting).toBe('PORT');
    expect(settingsError(() => load({ SDEWAN_HTTPS_PORTS: '443' })).message).toMatch(/SDEWAN_HTTPS_PORTS: needs a certificate/);
    expect(settingsError(() => load({ SDEWAN_HTTP_PORTS: '80 80' })).message).toMatch(/SDEWAN_HTTP_PORTS: port 80 is given twice/);
    const both = { SDEWAN_HTTPS_PORTS: '443', SDEWAN_HTTP_PORTS: '443', SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: key };
    expect(settingsError(() => load(both)).message).toMatch(/port 443 is given twice/);
    expect(settingsError(() => load({ SDEWAN_HTTP_PORTS: '80 x' })).setting).toBe('SDEWAN_HTTP_PORTS');
    expect(settingsError(() => load({ SDEWAN_HTTP_PORTS: '70000' })).setting).toBe('SDEWAN_HTTP_PORTS');
  });
});
