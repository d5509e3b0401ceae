// Change sets with files beside the config (IPsec certificates and keys): written with the set,
// put back byte for byte (content and mode) by its rollback; and with SDEWAN_ROLLBACK, a set
// whose reload fails is put back whole and answered 500.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScriptedInitd, snapshotDir, snapshotTree } from '../hardening/lib.js';
import { makeTempDir, startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { proposalBody } from '../ipsec/samples.js';

const CHANGES = '/cgi-bin/luci/sdewan/v1/changes';
const b64 = (file: string) => readFileSync(`test/ipsec/fixtures/${file}`).toString('base64');
const mode = (file: string) => statSync(file).mode & 0o7777;

describe('change sets with owned files, and a failing reload', () => {
  let agent: Agent;
  const initdDir = makeTempDir('sdewan-sets-initd-');
  const initd = makeScriptedInitd(initdDir);
  const swanctlDir = makeTempDir('sdewan-sets-swanctl-');
  const swanctl = path.join(swanctlDir, 'swanctl');
  beforeAll(async () => {
    agent = await startAgent({ initd: initdDir, env: { SDEWAN_ROLLBACK: '1', SDEWAN_SWANCTL_DIR: swanctl } });
  });
  afterAll(async () => {
    await agent?.stop();
    for (const d of [initdDir, swanctlDir]) rmSync(d, { recursive: true, force: true });
  });

  it('writes certificates with the set and puts them back with its rollback', async () => {
    const remote = (cert: string) => ({
      name: 'site-1',
      gateway: '10.0.0.1',
      authentication_method: 'pubkey',
      local_public_cert: b64(cert),
      local_private_cert: b64('host.key'),
      shared_ca: b64('ca.pem'),
    });
    const first = await agent.request('POST', CHANGES, {
      changes: [
        { method: 'POST', path: 'ipsec/v1/proposals', body: proposalBody },
        { method: 'POST', path: 'ipsec/v1/sites', body: remote('host.pem') },
      ],
    });
    expect(first.status, first.text).toBe(200);
    expect(first.json.results[1]).toEqual({ ...remote('host.pem'), connections: [] });
    expect(mode(path.join(swanctl, 'private/site_1.pem'))).toBe(0o600);
    const files = snapshotTree(swanctl);
    const config = snapshotDir(agent.confdir);

    // replaced, then deleted, within one pending set: the files go, and come back with the rollback
    const second = await agent.request('POST', CHANGES, {
      rollback_after: 2,
      changes: [
        { method: 'PUT', path: 'ipsec/v1/remotes/site-1', body: remote('ca.pem') },
        { method: 'DELETE', path: 'ipsec/v1/remotes/site-1' },
      ],
    });
    expect(second.status, second.text).toBe(200);
    expect(second.json.results).toEqual([{ message: 'success' }, { message: 'success' }]);
    const gone = !existsSync(path.join(swanctl, 'private/site_1.pem'));
    // (looked at before the deadline, unless the machine is that slow)
    if (Date.now() < Date.parse(second.json.deadline)) expect(gone).toBe(true);
    await waitFor(async () => (await agent.request('GET', `${CHANGES}/${second.json.id}`)).json.state === 'rolled_back', { timeoutMs: 30_000, what: 'the rollback' });
    const back = snapshotTree(swanctl);
    expect([...back.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [name, bytes] of files) expect(back.get(name)?.equals(bytes), name).toBe(true);
    expect(mode(path.join(swanctl, 'private/site_1.pem'))).toBe(0o600);
    expect(snapshotDir(agent.confdir).get('ipsec')?.equals(config.get('ipsec')!)).toBe(true);
  });

  it('with SDEWAN_ROLLBACK, puts the whole set back when a reload fails', async () => {
    const before = snapshotDir(agent.confdir);
    initd.fail('mwan3 refused the config');
    try {
      const res = await agent.request('POST', CHANGES, {
        changes: [
          { method: 'POST', path: 'mwan3/v1/rules', body: { name: 'r1', policy: 'balanced', proto: 'tcp', dest_port: '1' } },
          { method: 'POST', path: 'firewall/v1/rules', body: { name: 'f1', src: 'wan', proto: 'tcp', dest_port: '1', target: 'ACCEPT' } },
        ],
      });
      expect(res.status).toBe(500);
      expect(res.json.message).toMatch(/reload failed: .*refused the config; the change set was rolled back$/);
    } finally {
      initd.fail(undefined);
    }
    const now = snapshotDir(agent.confdir);
    for (const pkg of ['mwan3', 'firewall']) expect(now.get(pkg)?.equals(before.get(pkg)!), pkg).toBe(true);
  });
});
