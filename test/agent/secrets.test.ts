// Password and TLS from mounted secrets, with the file layout kubelet uses for secret volumes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { passwordFileProblem, passwordFromFileContent } from '../../src/auth/password-file.js';
import { passwordFileVerifier } from '../../src/auth/verifiers.js';
import { tlsFilesIn, watchTlsFiles, type TlsWatch } from '../../src/tls-files.js';
import { waitFor } from '../helpers/agent.js';
import { makeCert, servedCommonName, writeSecretVolume } from '../bootstrap/k8s-volume.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-secrets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('password file', () => {
  it.each([
    ['s3cret\n', 's3cret'],
    ['s3cret\r\n', 's3cret'],
    ['s3cret', 's3cret'],
    ['two words \n\n', 'two words \n'],
    [' spaced ', ' spaced '],
    ['\n', ''],
  ])('%j holds the password %j', (text, password) => {
    expect(passwordFromFileContent(text)).toBe(password);
  });

  it('checks logins against the mounted secret and follows its updates', async () => {
    const volume = path.join(dir, 'account');
    writeSecretVolume(volume, { password: 'first-Pa55\n' });
    const file = path.join(volume, 'password');
    const verify = passwordFileVerifier(file, 'root');
    expect(await verify('root', 'first-Pa55')).toBe(true);
    expect(await verify('root', 'first-Pa55\n')).toBe(false);
    expect(await verify('admin', 'first-Pa55')).toBe(false);
    expect(await verify('root', 'wrong')).toBe(false);

    writeSecretVolume(volume, { password: 'second "quoted" \\ pw' });
    expect(await verify('root', 'first-Pa55')).toBe(false);
    expect(await verify('root', 'second "quoted" \\ pw')).toBe(true);
  });

  it('never accepts an empty password, and throws when the file is gone', async () => {
    const file = path.join(dir, 'empty-password');
    writeFileSync(file, '\n');
    const verify = passwordFileVerifier(file, 'root');
    expect(await verify('root', '')).toBe(false);
    rmSync(file);
    await expect(verify('root', 'x')).rejects.toThrow(/ENOENT/);
  });

  it('says what is wrong with a password file at start', () => {
    const good = path.join(dir, 'good-password');
    writeFileSync(good, 'pw\n');
    expect(passwordFileProblem(good)).toBeUndefined();
    const empty = path.join(dir, 'empty2');
    writeFileSync(empty, '');
    expect(passwordFileProblem(empty)).toBe(`${JSON.stringify(empty)} is empty`);
    expect(passwordFileProblem(path.join(dir, 'nope'))).toMatch(/cannot read .*nope": ENOENT/);
    expect(passwordFileProblem(dir)).toBe(`${JSON.stringify(dir)} is not a file`);
  });
});

describe('TLS directory', () => {
  let server: https.Server | undefined;
  let watch: TlsWatch | undefined;
  afterEach(async () => {
    watch?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function serve(volume: string, intervalMs: number) {
    const files = tlsFilesIn(volume);
    server = https.createServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const logged: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
    const log = {
      info: (fields: Record<string, unknown>, msg: string) => void logged.push({ level: 'info', fields, msg }),
      warn: (fields: Record<string, unknown>, msg: string) => void logged.push({ level: 'warn', fields, msg }),
    } as unknown as Parameters<typeof watchTlsFiles>[0]['log'];
    watch = watchTlsFiles({ server, ...files, log, intervalMs });
    return { port: (server.address() as AddressInfo).port, logged };
  }

  it('names tls.crt and tls.key of the secret', () => {
    expect(tlsFilesIn('/tmp/sdewan/serving-certs')).toEqual({ cert: '/tmp/sdewan/serving-certs/tls.crt', key: '/tmp/sdewan/serving-certs/tls.key' });
  });

  it('serves the renewed certificate after the secret changes, and keeps it on a broken pair', async () => {
    const volume = path.join(dir, 'serving-certs-1');
    const a = makeCert(dir, 'cnf-a');
    const b = makeCert(dir, 'cnf-b');
    writeSecretVolume(volume, { 'tls.crt': a.cert, 'tls.key': a.key });
    const { port, logged } = await serve(volume, 0);
    expect(await servedCommonName(port)).toBe('cnf-a');
    expect(await watch!.check()).toBe(false);

    writeSecretVolume(volume, { 'tls.crt': b.cert, 'tls.key': b.key });
    expect(await watch!.check()).toBe(true);
    expect(await servedCommonName(port)).toBe('cnf-b');
    expect(logged).toEqual([{ level: 'info', fields: { cert: path.join(volume, 'tls.crt') }, msg: 'TLS certificate reloaded' }]);

    // Certificate of one pair, key of the other: refused once, the current one stays.
    writeSecretVolume(volume, { 'tls.crt': a.cert, 'tls.key': b.key });
    expect(await watch!.check()).toBe(false);
    expect(await watch!.check()).toBe(false);
    expect(await servedCommonName(port)).toBe('cnf-b');
    expect(logged.slice(1).map((l) => [l.level, l.msg])).toEqual([['warn', 'TLS certificate or key changed but does not load; keeping the current one']]);
    expect(JSON.stringify(logged)).not.toContain('PRIVATE KEY');
  });

  it('notices the change by itself when polling', async () => {
    const volume = path.join(dir, 'serving-certs-2');
    const a = makeCert(dir, 'poll-a');
    const b = makeCert(dir, 'poll-b');
    writeSecretVolume(volume, { 'tls.crt': a.cert, 'tls.key': a.key });
    const { port } = await serve(volume, 20);
    writeSecretVolume(volume, { 'tls.crt': b.cert, 'tls.key': b.key });
    await waitFor(async () => (await servedCommonName(port)) === 'poll-b', { what: 'the new certificate', timeoutMs: 10_000 });
  });
});
