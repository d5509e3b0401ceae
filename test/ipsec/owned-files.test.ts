import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillFileFields, removeOwnedFiles, resolveUnder, stageOwnedFiles } from '../../src/changes/owned-files.js';
import { proposals } from '../../src/resources/ipsec/proposals.js';
import { remotes } from '../../src/resources/ipsec/remotes.js';
import { parseBody } from '../../src/validate.js';
import { ipsecAfter } from './packages.js';
import { proposalBody } from './samples.js';

const b64 = (file: string) => readFileSync(`test/ipsec/fixtures/${file}`).toString('base64');
const mode = (file: string) => statSync(file).mode & 0o777;

describe('owned files (certificates beside the UCI config)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sdewan-owned-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const body = {
    name: 'site-1',
    gateway: '10.0.0.1',
    authentication_method: 'pubkey',
    local_public_cert: b64('host.pem'),
    local_private_cert: b64('host.key'),
    shared_ca: b64('ca.pem'),
  };

  it('writes the files with their modes whatever the umask, and the object reads back as sent', async () => {
    const old = process.umask(0o000);
    try {
      const files = remotes.ownedFiles!.files(parseBody(remotes.schema, body));
      const stage = await stageOwnedFiles(root, files, []);
      await stage.commit();
    } finally {
      process.umask(old);
    }
    expect(readFileSync(path.join(root, 'x509/site_1.pem'), 'utf8')).toBe(readFileSync('test/ipsec/fixtures/host.pem', 'utf8'));
    expect(mode(path.join(root, 'x509/site_1.pem'))).toBe(0o644);
    expect(mode(path.join(root, 'private/site_1.pem'))).toBe(0o600);
    expect(mode(path.join(root, 'x509ca/site_1.pem'))).toBe(0o644);
    for (const dir of ['x509', 'private', 'x509ca']) expect(readdirSync(path.join(root, dir))).toEqual(['site_1.pem']);

    const snap = { ipsec: await ipsecAfter([[proposals, proposalBody], [remotes, body]]) };
    const filled = await fillFileFields(remotes.ownedFiles, snap, remotes.list(snap), root);
    expect(filled).toEqual([{ ...body, connections: [] }]);
  });

  it('rollback puts back what each path held; commit removes what the object no longer owns', async () => {
    mkdirSync(path.join(root, 'x509'), { recursive: true });
    writeFileSync(path.join(root, 'x509/a.pem'), 'old a', { mode: 0o640 });
    const stage = await stageOwnedFiles(root, [{ path: 'x509/a.pem', content: 'new a', mode: 0o644 }, { path: 'private/b.pem', content: 'b', mode: 0o600 }], []);
    expect(readFileSync(path.join(root, 'x509/a.pem'), 'utf8')).toBe('new a');
    await stage.rollback();
    expect(readFileSync(path.join(root, 'x509/a.pem'), 'utf8')).toBe('old a');
    expect(mode(path.join(root, 'x509/a.pem'))).toBe(0o640);
    expect(existsSync(path.join(root, 'private/b.pem'))).toBe(false);

    const again = await stageOwnedFiles(root, [{ path: 'private/b.pem', content: 'b', mode: 0o600 }], ['x509/a.pem', 'private/b.pem']);
    await again.commit();
    expect(existsSync(path.join(root, 'x509/a.pem'))).toBe(false);
    expect(readFileSync(path.join(root, 'private/b.pem'), 'utf8')).toBe('b');
    await removeOwnedFiles(root, ['private/b.pem', 'private/never.pem']);
    expect(existsSync(path.join(root, 'private/b.pem'))).toBe(false);
    // no temporary files left behind
    expect(readdirSync(path.join(root, 'private'))).toEqual([]);
  });

  it('refuses paths that leave the root', async () => {
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', '', 'a//b']) expect(() => resolveUnder(root, bad)).toThrow(/not a plain relative path/);
    await expect(stageOwnedFiles(root, [{ path: '../escape.pem', content: 'x', mode: 0o600 }], [])).rejects.toThrow();
    expect(existsSync(path.join(root, '..', 'escape.pem'))).toBe(false);
  });
});
