// The real agent with its certificate in a Kubernetes-style secret volume: a renewed
// certificate is served without a restart. (Run `npx tsc -p .` first.)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { makeCert, servedCommonName, writeSecretVolume } from './k8s-volume.js';

let dir: string;
let agent: Agent | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-agent-secrets-'));
});
afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent with a TLS secret volume', () => {
  it('serves the renewed certificate once the secret changes', async () => {
    const volume = path.join(dir, 'serving-certs');
    const first = makeCert(dir, 'cnf-first');
    writeSecretVolume(volume, { 'tls.crt': first.cert, 'tls.key': first.key });
    agent = await startAgent({
      env: { SDEWAN_TLS_CERT: path.join(volume, 'tls.crt'), SDEWAN_TLS_KEY: path.join(volume, 'tls.key') },
      ca: first.cert.toString('utf8'),
    });
    const port = Number(new URL(agent.url).port);
    expect(await servedCommonName(port)).toBe('cnf-first');

    const renewed = makeCert(dir, 'cnf-renewed');
    writeSecretVolume(volume, { 'tls.crt': renewed.cert, 'tls.key': renewed.key });
    await waitFor(async () => (await servedCommonName(port)) === 'cnf-renewed', { what: 'the renewed certificate', timeoutMs: 20_000, intervalMs: 200 });
    expect(agent.logRecords().some((r) => r.msg === 'TLS certificate reloaded')).toBe(true);
    // A client that trusts only the renewed certificate gets in.
    const health = await httpClient(renewed.cert.toString('utf8'))(`${agent.url}/healthz`, { method: 'GET' });
    expect(health.status).toBe(200);
  });
});

describe('agent with a password secret volume', () => {
  it('logs in with the mounted password and follows its rotation without a restart', async () => {
    const volume = path.join(dir, 'account');
    writeSecretVolume(volume, { password: 'first-secret\n' });
    const withPassword = await startAgent({ env: { SDEWAN_AUTH: 'static', SDEWAN_PASSWORD: '', SDEWAN_PASSWORD_FILE: path.join(volume, 'password') } });
    try {
      expect(withPassword.logs()).not.toContain('generated password');
      const cookie = await withPassword.login('root', 'first-secret');
      expect((await withPassword.request('GET', '/cgi-bin/luci/sdewan/v1/services', undefined, { cookie })).status).toBe(200);
      await expect(withPassword.login('root', 'second-secret')).rejects.toThrow(/status 403/);

      writeSecretVolume(volume, { password: 'second-secret\n' });
      await expect(withPassword.login('root', 'first-secret')).rejects.toThrow(/status 403/);
      await withPassword.login('root', 'second-secret');
      // Sessions opened before the rotation stay valid.
      expect((await withPassword.request('GET', '/cgi-bin/luci/sdewan/v1/services', undefined, { cookie })).status).toBe(200);
      expect(withPassword.logs()).not.toContain('second-secret');
    } finally {
      await withPassword.stop();
    }
  });
});
