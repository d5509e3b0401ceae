// At start the agent removes the owned files an interrupted write left (src/changes/orphan-files.ts):
// in the directories remotes own, temporary files and files no remote references. Everything
// else stays, and when the ipsec config cannot be read nothing is removed.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Agent, makeTempDir, startAgent } from '../helpers/agent.js';
import { snapshotTree } from './lib.js';

const IPSEC = `
config remote 'hand'
\toption gateway '10.0.0.1'
\toption authentication_method 'pubkey'
\toption local_cert 'shared.pem'
\toption local_key 'hand.pem'
\toption ca_cert 'ca.pem'
`;

/** A swanctl tree: referenced files, orphans, temporary files, and files of directories no kind owns. */
function tree(): string {
  const root = makeTempDir('sdewan-orphans-');
  const files: Record<string, string> = {
    'x509/shared.pem': 'cert',
    'private/hand.pem': 'KEY OF HAND',
    'x509ca/ca.pem': 'ca',
    'private/gone.pem': 'ORPHAN PRIVATE KEY',
    'x509/gone.pem': 'orphan cert',
    'x509ca/other.crt': 'orphan ca',
    'private/.gone.pem.0123456789ab.tmp': 'HALF A KEY', // as an older agent named its temporary files
    'x509/.shared.pem.uci-Ab12Cd': 'half a cert',
    'swanctl.conf': 'connections {}',
    'conf.d/site.conf': 'x',
    'pubkey/peer.pem': 'not owned',
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

describe('owned files left by an interrupted write', () => {
  let agent: Agent | undefined;
  let root: string | undefined;
  afterEach(async () => {
    await agent?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('are removed at start, logged by path; referenced files and other directories stay', async () => {
    root = tree();
    agent = await startAgent({ config: { ipsec: IPSEC }, env: { SDEWAN_SWANCTL_DIR: root } });
    expect([...snapshotTree(root).keys()].sort()).toEqual(['conf.d/site.conf', 'private/hand.pem', 'pubkey/peer.pem', 'swanctl.conf', 'x509/shared.pem', 'x509ca/ca.pem']);
    const removed = agent.logRecords().filter((r) => String(r.msg).startsWith('removed a file no object references')).map((r) => r.file);
    expect(removed.sort()).toEqual(['private/.gone.pem.0123456789ab.tmp', 'private/gone.pem', 'x509/.shared.pem.uci-Ab12Cd', 'x509/gone.pem', 'x509ca/other.crt']);
    for (const secret of ['ORPHAN PRIVATE KEY', 'HALF A KEY', 'KEY OF HAND']) expect(agent.logs()).not.toContain(secret);
  });

  it('are all kept when the ipsec config cannot be read', async () => {
    root = tree();
    const before = snapshotTree(root);
    agent = await startAgent({ config: { ipsec: "config remote 'broken\n" }, env: { SDEWAN_SWANCTL_DIR: root } });
    expect(snapshotTree(root)).toEqual(before);
    expect(agent.logRecords().some((r) => r.msg === 'owned files not checked: the config cannot be read')).toBe(true);
  });
});
