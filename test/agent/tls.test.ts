// HTTPS with a certificate made in the test: Secure cookies and sysauth_https.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runAgentUntilExit, startAgent, type Agent } from '../helpers/agent.js';

describe('HTTPS', () => {
  let agent: Agent;
  let certDir: string;
  beforeAll(async () => {
    certDir = makeTempDir('sdewan-tls-');
    const cert = path.join(certDir, 'cert.pem');
    const key = path.join(certDir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    agent = await startAgent({ env: { SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: key }, ca: readFileSync(cert, 'utf8') });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('serves https and marks the cookies Secure, with sysauth_https', async () => {
    expect(agent.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await agent.request('POST', '/cgi-bin/luci', undefined, {
      cookie: '',
      raw: new URLSearchParams({ luci_username: 'root', luci_password: agent.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(302);
    const cookies = res.headers.getSetCookie();
    const m = /^sysauth=([0-9a-f]{32}); path=\/cgi-bin\/luci\/; SameSite=Strict; HttpOnly; Secure$/.exec(cookies[0] ?? '');
    expect(m).not.toBeNull();
    expect(cookies[1]).toBe(`sysauth_https=${m![1]}; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly; Secure`);

    const served = await agent.request('GET', '/cgi-bin/luci/admin/status/x', undefined, { cookie: `sysauth_https=${m![1]}` });
    expect(served.status).not.toBe(403);
    const refused = await agent.request('GET', '/cgi-bin/luci/admin/status/x', undefined, { cookie: '' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-luci-login-required')).toBe('yes');
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    await expect(fetch(agent.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
  });
});

describe('a certificate or key that does not load stops the start, naming the setting and the file', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let otherKey: string;
  beforeAll(() => {
    dir = makeTempDir('sdewan-tls-bad-');
    cert = path.join(dir, 'cert.pem');
    key = path.join(dir, 'key.pem');
    otherKey = path.join(dir, 'other-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=x', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'garbage.pem'), 'not a certificate\n');
    mkdirSync(path.join(dir, 'secret'));
    writeFileSync(path.join(dir, 'secret', 'tls.crt'), readFileSync(cert));
    writeFileSync(path.join(dir, 'secret', 'tls.key'), 'half-written\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a certificate that is not PEM', () => ({ SDEWAN_TLS_CERT: path.join(dir, 'garbage.pem'), SDEWAN_TLS_KEY: key }), 'SDEWAN_TLS_CERT', () => path.join(dir, 'garbage.pem'), 'is not a PEM certificate'],
    ['a key that is not PEM', () => ({ SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: path.join(dir, 'garbage.pem') }), 'SDEWAN_TLS_KEY', () => path.join(dir, 'garbage.pem'), 'is not an unencrypted PEM private key'],
    ['a key of another certificate', () => ({ SDEWAN_TLS_CERT: cert, SDEWAN_TLS_KEY: otherKey }), 'SDEWAN_TLS_KEY', () => otherKey, 'is not the key of the certificate'],
    ['a broken key in SDEWAN_TLS_DIR', () => ({ SDEWAN_TLS_DIR: path.join(dir, 'secret') }), 'SDEWAN_TLS_DIR', () => path.join(dir, 'secret', 'tls.key'), 'is not an unencrypted PEM private key'],
  ])('%s', async (_what, env, setting, file, reason) => {
    const { code, logs } = await runAgentUntilExit({ env: env() });
    expect(code).toBe(2);
    expect(logs).toContain(`sdewan-agent: invalid setting ${setting}: ${JSON.stringify(file())} ${reason}`);
    expect(logs).not.toMatch(/^\s+at /m); // no stack trace
    expect(logs).not.toContain('listening');
  });
});
