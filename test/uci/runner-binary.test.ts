/**
 * The binary runner's waiting process (src/uci/runner-binary.ts): started after a write for
 * the next one, it reads the file only when that write gives it its batch, so a hand edit in
 * between is seen; one that died is replaced; the timeout counts from the batch; close() lets it
 * end having done nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/agent.js';
import { BinaryRunner } from '../../src/uci/index.js';
import { CLI, sandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
let runner: BinaryRunner | undefined;
afterEach(() => {
  runner?.close();
  runner = undefined;
  box?.cleanup();
});

/** A uci that notes each process (its pid) in <root>/pids, then runs `body`. */
function fakeUci(body: string): string {
  const file = path.join(box.root, 'uci');
  fs.writeFileSync(file, `#!/bin/sh\necho $$ >> '${box.root}/pids'\n${body}\n`, { mode: 0o755 });
  return file;
}
const pids = () => (fs.existsSync(path.join(box.root, 'pids')) ? fs.readFileSync(path.join(box.root, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number) : []);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the binary runner', () => {
  it("starts the next write's process ahead, which still sees a hand edit made after it started", async () => {
    box = sandbox({ mwan3: "config rule 'first'\n" });
    runner = new BinaryRunner(fakeUci(`exec '${CLI()}' "$@"`));
    const dirs = { confdir: box.confdir, savedir: box.savedir };
    expect(await runner.run("set mwan3.first.proto='tcp'\ncommit mwan3\n", dirs)).toMatchObject({ exit: 0, stderr: '' });
    const [, next] = await waitFor(() => (pids().length === 2 ? pids() : undefined), { what: 'the waiting process' });
    expect(alive(next!)).toBe(true);
    fs.writeFileSync(path.join(box.confdir, 'mwan3'), "config rule 'byhand'\n");
    expect(await runner.run("set mwan3.byhand.proto='udp'\ncommit mwan3\n", dirs)).toMatchObject({ exit: 0, stderr: '' });
    expect(fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8')).toBe("\nconfig rule 'byhand'\n\toption proto 'udp'\n\n");
    // the two writes' processes, and the one now waiting
    await waitFor(() => pids().length === 3 || undefined, { what: 'the next waiting process' });
  });

  it('replaces a waiting process that died, and lets the last one end with nothing done on close()', async () => {
    box = sandbox({ mwan3: "config rule 'first'\n" });
    runner = new BinaryRunner(fakeUci(`exec '${CLI()}' "$@"`));
    const dirs = { confdir: box.confdir, savedir: box.savedir };
    expect((await runner.run("set mwan3.a=rule\ncommit mwan3\n", dirs)).exit).toBe(0);
    const [, waiting] = await waitFor(() => (pids().length === 2 ? pids() : undefined), { what: 'the waiting process' });
    process.kill(waiting!, 'SIGKILL');
    await waitFor(() => !alive(waiting!) || undefined, { what: 'the kill' });
    expect(await runner.run("set mwan3.b=rule\ncommit mwan3\n", dirs)).toMatchObject({ exit: 0, stderr: '' });
    expect(pids()).toHaveLength(3);
    const [, , , last] = await waitFor(() => (pids().length === 4 ? pids() : undefined), { what: 'the next waiting process' });
    const before = fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8');
    runner.close();
    await waitFor(() => !alive(last!) || undefined, { what: 'the waiting process to end' });
    expect(fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8')).toBe(before);
    expect(before).toContain("config rule 'b'");
  });

  it('counts its timeout from the batch, not from the start of a process that waited', async () => {
    box = sandbox({ mwan3: '' });
    // reads its input, then hangs when the batch asks for it
    runner = new BinaryRunner(fakeUci(`read line\n[ "$line" = hang ] && exec sleep 30\nexit 0`), 400);
    const dirs = { confdir: box.confdir, savedir: box.savedir };
    expect((await runner.run('ok\n', dirs)).exit).toBe(0);
    await waitFor(() => pids().length === 2 || undefined, { what: 'the waiting process' });
    await new Promise((r) => setTimeout(r, 600)); // waits longer than the timeout
    expect((await runner.run('ok\n', dirs)).exit).toBe(0);
    const t0 = Date.now();
    const hung = await runner.run('hang\n', dirs);
    expect(hung.exit).not.toBe(0);
    expect(hung.stderr).toMatch(/timed out after 400 ms/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
