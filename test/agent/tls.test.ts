// HTTPS with a certificate made in the test: Secure cookies and sysauth_https.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startAgent, type Agent } from '../helpers/agent.js';

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
