/** The lock file between agents: waits for a live holder, breaks the lock of one that is gone. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLockFile } from '../../src/uci/lockfile.js';
import { pathToFileURL } from 'node:url';
import { repoRoot, sandbox, type Sandbox } from './helpers.js';

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

/** A process that is alive until it is killed, and its pid. */
function holder(): { pid: number; kill: () => Promise<void> } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { pid: child.pid!, kill: async () => (child.kill('SIGKILL'), await exited) };
}

describe('withLockFile', () => {
  it('waits while a live process of this host holds the lock, then takes it once released', async () => {
    box = sandbox();
    const lock = path.join(box.root, '.pkg.sdewan-lock');
    const h = holder();
    try {
      fs.writeFileSync(lock, `${h.pid} ${os.hostname()} other`);
      let ran = false;
      const waiting = withLockFile(lock, async () => {
        ran = true;
        // a symbolic link naming this process
        expect(fs.readlinkSync(lock)).toMatch(new RegExp(`^${process.pid} ${os.hostname()} [0-9a-f]{12}$`));
      });
      // the holder is alive: nothing runs until the lock goes (the test releases it itself)
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 50));
      expect(ran).toBe(false);
      fs.unlinkSync(lock);
      await waiting;
      expect(ran).toBe(true);
      expect(fs.readdirSync(box.root)).toEqual(['config']);
    } finally {
      await h.kill();
    }
  });

  it('breaks the lock of a process that is gone, and of an earlier process with our pid', async () => {
    box = sandbox();
    const lock = path.join(box.root, '.pkg.sdewan-lock');
    const h = holder();
    await h.kill();
    for (const owner of [`${h.pid} ${os.hostname()} x`, `${process.pid} ${os.hostname()} earlier`]) {
      fs.writeFileSync(lock, owner);
      let ran = false;
      await withLockFile(lock, async () => {
        ran = true;
      });
      expect(ran).toBe(true);
      expect(fs.readdirSync(box.root).filter((n) => n.includes('lock'))).toEqual([]);
    }
  });

  it('breaks a lock older than staleMs whoever holds it', async () => {
    box = sandbox();
    const lock = path.join(box.root, '.pkg.sdewan-lock');
    fs.writeFileSync(lock, `1 another-host x`);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old);
    await withLockFile(lock, async () => undefined, { staleMs: 60_000 });
    expect(fs.readdirSync(box.root)).toEqual(['config']);
  });

  it('gives one holder at a time among concurrent callers', async () => {
    box = sandbox();
    const lock = path.join(box.root, '.pkg.sdewan-lock');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withLockFile(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 1));
          inside--;
        }).catch(() => undefined),
      ),
    );
    expect(most).toBe(1);
  });

  it('is never left empty by a holder killed at any moment: the next one takes it at once', async () => {
    box = sandbox();
    const lock = path.join(box.root, '.pkg.sdewan-lock');
    const module = pathToFileURL(path.join(repoRoot(), 'dist', 'src', 'uci', 'lockfile.js')).href;
    // takes and releases the lock in a loop, as a stream of writes does
    const script = `import { withLockFile } from ${JSON.stringify(module)};
let n = 0;
for (;;) await withLockFile(process.argv[1], async () => { if (n++ === 0) process.stdout.write('ready\\n'); });`;
    const killed: number[] = [];
    for (let i = 0; i < 40; i++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, lock], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, i % 8));
      child.kill('SIGKILL');
      await exited;
      killed.push(child.pid!);
      // no lock, or one naming the killed holder (broken at once), never an empty one
      if (fs.readdirSync(box.root).includes(path.basename(lock))) expect(fs.readlinkSync(lock)).toMatch(new RegExp(`^${child.pid} ${os.hostname()} [0-9a-f]{12}$`));
      let ran = false;
      await withLockFile(lock, async () => {
        ran = true;
      });
      expect(ran).toBe(true);
    }
    // nothing else is left beside the lock path by the killed holders
    const next = spawn(process.execPath, ['--input-type=module', '-e', `import { withLockFile } from ${JSON.stringify(module)}; await withLockFile(process.argv[1], async () => undefined);`, lock], { stdio: 'inherit' });
    await new Promise<void>((r) => next.once('exit', () => r()));
    expect(fs.readdirSync(box.root).filter((n) => n.startsWith('.pkg.sdewan-lock'))).toEqual([]);
    expect(killed).toHaveLength(40);
  });
});
