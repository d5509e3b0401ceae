// A config directory on a full or read-only file system (a small tmpfs, remounted read-only):
// a write is answered 507 or 503 with a message naming the cause, every file stays as it was,
// /readyz says the directory cannot be written, and writes work again once it can.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, cpSync, mkdirSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecordingInitd, makeTempDir, repoRoot } from '../helpers/agent.js';
import { hasProgram, isRoot, runsWith } from '../helpers/requirements.js';
import { type AgentProcess, FIREWALL, IPSEC, MWAN3, call, changedFiles, firewallRule, ipsecProposal, login, mwan3Rule, pubkeyRemote, snapshotTree, spawnAgent } from './lib.js';

const FILLER = 'filler';

/** Fills the file system of `dir` with one file until it is full. */
function fill(dir: string): void {
  const fd = openSync(path.join(dir, FILLER), 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  // the last pages too
  const fd2 = openSync(path.join(dir, `${FILLER}2`), 'w');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(512, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd2);
  }
}

describe.runIf(runsWith('storage failures', { 'root (mount -t tmpfs)': isRoot }))('a config directory that cannot be written', () => {
  const dir = makeTempDir('sdewan-storage-');
  const mnt = path.join(dir, 'mnt');
  let agent: AgentProcess;
  let cookie: string;
  /** Every file on the small file system but the filler. */
  const files = () => new Map([...snapshotTree(mnt)].filter(([f]) => !f.startsWith(FILLER)));

  beforeAll(async () => {
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    cpSync(path.join(repoRoot(), 'uci-fixtures'), path.join(mnt, 'config'), { recursive: true });
    makeRecordingInitd(path.join(dir, 'init.d'));
    agent = await spawnAgent({
      SDEWAN_CONFDIR: path.join(mnt, 'config'),
      SDEWAN_SAVEDIR: path.join(dir, 'save'),
      SDEWAN_SWANCTL_DIR: path.join(mnt, 'swanctl'),
      SDEWAN_INITD: path.join(dir, 'init.d'),
      SDEWAN_AUTH: 'static',
      SDEWAN_USER: 'root',
      SDEWAN_PASSWORD: 'storage-test-password',
      SDEWAN_PLATFORM: 'openwrt',
    });
    cookie = await login(agent.url, 'root', 'storage-test-password');
    expect((await call(agent.url, cookie, 'POST', `${IPSEC}/proposals`, ipsecProposal('base-prop'))).status).toBe(201);
  });
  afterAll(async () => {
    if (agent) {
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
    try {
      execFileSync('umount', [mnt]);
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes of every kind of storage use: a UCI commit, an anonymous section, owned files. */
  const writes = (i: number) => [
    { method: 'POST', path: `${MWAN3}/rules`, body: mwan3Rule(`st${i}`, i) },
    { method: 'PUT', path: `${FIREWALL}/rules/st-${i}`, body: firewallRule(`st-${i}`, i) },
    { method: 'POST', path: `${IPSEC}/remotes`, body: pubkeyRemote(`st-remote-${i}`) },
  ];

  async function refusedAll(i: number, status: number, code: string) {
    for (const w of writes(i)) {
      const before = files();
      const res = await call(agent.url, cookie, w.method, w.path, w.body);
      const label = `${w.method} ${w.path} -> ${res.status} ${res.text}`;
      expect(res.status, label).toBe(status);
      expect(res.json.message, label).toContain(code);
      expect(res.json.message, label).not.toBe('Internal server error');
      expect(changedFiles(before, files()), label).toEqual([]);
    }
    const ready = await call(agent.url, '', 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.message).toContain(code);
  }

  async function acceptedAll(i: number) {
    expect((await call(agent.url, '', 'GET', '/readyz')).status).toBe(200);
    for (const w of writes(i)) {
      const res = await call(agent.url, cookie, w.method, w.path, w.body);
      expect([200, 201], `${w.method} ${w.path} -> ${res.status} ${res.text}`).toContain(res.status);
    }
  }

  it('answers 507 naming ENOSPC on a full file system, and writes again once there is room', async () => {
    fill(mnt);
    await refusedAll(1, 507, 'ENOSPC');
    unlinkSync(path.join(mnt, FILLER));
    unlinkSync(path.join(mnt, `${FILLER}2`));
    await acceptedAll(1);
  });

  it('answers 503 naming EROFS on a read-only file system, and writes again once it is writable', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      await refusedAll(2, 503, 'EROFS');
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
    await acceptedAll(2);
  });

  it('logged the failures without "I/O error" and without the keys it was sent', async () => {
    // stopped first: then every line it wrote has come through the pipe
    agent.child.kill('SIGTERM');
    await agent.exited;
    const log = agent.output();
    expect(log).toContain('"status":507');
    expect(log).not.toContain('I/O error');
    const key = pubkeyRemote('x').local_private_cert;
    expect(log).not.toContain(key.slice(0, 64));
  });
});

describe.runIf(runsWith('a config directory the agent may not write', { 'root (to run the agent as nobody)': isRoot, 'setpriv (util-linux)': hasProgram('setpriv') }))(
  'a config directory the agent may not write',
  () => {
    const dir = makeTempDir('sdewan-eacces-');
    let agent: AgentProcess | undefined;
    afterAll(async () => {
      if (agent) {
        agent.child.kill('SIGKILL');
        await agent.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers 503 naming EACCES, and /readyz says so', async () => {
      // the agent runs as nobody: the config directory is root's (readable, not writable), the
      // save directory and the swanctl tree are its own
      const confdir = path.join(dir, 'config');
      cpSync(path.join(repoRoot(), 'uci-fixtures'), confdir, { recursive: true });
      for (const d of ['save', 'swanctl']) {
        mkdirSync(path.join(dir, d));
        chownSync(path.join(dir, d), 65534, 65534);
      }
      chmodSync(dir, 0o755);
      makeRecordingInitd(path.join(dir, 'init.d'));
      agent = await spawnAgent(
        {
          SDEWAN_CONFDIR: confdir, SDEWAN_SAVEDIR: path.join(dir, 'save'), SDEWAN_SWANCTL_DIR: path.join(dir, 'swanctl'), SDEWAN_INITD: path.join(dir, 'init.d'),
          SDEWAN_AUTH: 'static', SDEWAN_USER: 'root', SDEWAN_PASSWORD: 'eacces-password', SDEWAN_PLATFORM: 'openwrt',
        },
        { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'], readyStatus: 503 },
      );
      const ready = await call(agent.url, '', 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json.message).toContain('EACCES');
      const cookie = await login(agent.url, 'root', 'eacces-password');
      const before = snapshotTree(confdir);
      const res = await call(agent.url, cookie, 'POST', `${MWAN3}/rules`, mwan3Rule('denied'));
      expect(res.status, res.text).toBe(503);
      expect(res.json.message).toContain('EACCES');
      expect(changedFiles(before, snapshotTree(confdir))).toEqual([]);
    });
  },
);
