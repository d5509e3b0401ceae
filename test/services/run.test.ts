import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInitScript } from '../../src/services/run.js';
import { makeFakeInitd, type FakeInitd } from './scripts.js';

/** Whether a process exists and is not a zombie (a container's pid 1 may never reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('runInitScript', () => {
  let initd: FakeInitd;
  const leftovers: number[] = [];
  beforeEach(async () => {
    initd = await makeFakeInitd();
  });
  afterEach(async () => {
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await initd.cleanup();
  });

  it('runs <initd>/<script> <argument> and reports success', async () => {
    await initd.write('firewall', 'echo "reloading firewall"; exit 0');
    const r = await runInitScript(initd.dir, 'firewall', 'reload', { timeoutMs: 10_000 });
    expect(r).toEqual({ ok: true, exitCode: 0, timedOut: false, message: 'reloading firewall' });
    expect(await initd.calls()).toEqual(['firewall reload']);
  });

  it('passes the argument as one argv element, never through a shell', async () => {
    await initd.write('mwan3', 'printf "%s|" "$#" "$1"; exit 0');
    const r = await runInitScript(initd.dir, 'mwan3', 'a b; touch pwned', { timeoutMs: 10_000 });
    expect(r.message).toBe('1|a b; touch pwned|');
  });

  it('a non-zero exit is a failure carrying the script message (stderr first)', async () => {
    await initd.write('swanctl', 'echo "some progress"; echo "swanctl: config error in remote site1" >&2; exit 3');
    const r = await runInitScript(initd.dir, 'swanctl', 'restart', { timeoutMs: 10_000 });
    expect(r).toEqual({ ok: false, exitCode: 3, timedOut: false, message: 'swanctl: config error in remote site1' });
  });

  it('falls back to stdout, then to the exit status, when stderr is empty', async () => {
    await initd.write('mwan3', 'echo "mwan3 is disabled"; exit 1');
    expect((await runInitScript(initd.dir, 'mwan3', 'start', { timeoutMs: 10_000 })).message).toBe('mwan3 is disabled');
    await initd.write('mwan3', 'exit 2');
    expect((await runInitScript(initd.dir, 'mwan3', 'start', { timeoutMs: 10_000 })).message).toBe('exit status 2');
  });

  it('keeps only the tail of a long message', async () => {
    await initd.write('firewall', 'i=0; while [ $i -lt 500 ]; do echo "line $i of noise" >&2; i=$((i+1)); done; echo "final error" >&2; exit 1');
    const r = await runInitScript(initd.dir, 'firewall', 'reload', { timeoutMs: 10_000 });
    expect(r.ok).toBe(false);
    expect(r.message!.length).toBeLessThanOrEqual(2000);
    expect(r.message!.endsWith('final error')).toBe(true);
  });

  it('a hanging script times out, and its children die with it', async () => {
    const pidFile = path.join(initd.dir, 'child.pid');
    await initd.write('mwan3', `echo "starting"; sleep 60 & echo $! > '${pidFile}'; wait`);
    // 2 s: the script has echoed and forked long before, even on a loaded machine
    const r = await runInitScript(initd.dir, 'mwan3', 'restart', { timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.timedOut).toBe(true);
    expect(r.message).toBe('timed out after 2000 ms: starting');
    const child = Number(await readFile(pidFile, 'utf8'));
    leftovers.push(child);
    // Signal delivery is asynchronous: poll (bounded) rather than sleep a fixed time.
    for (let i = 0; i < 100 && alive(child); i++) await new Promise((res) => setTimeout(res, 20));
    expect(alive(child)).toBe(false);
  });

  it('a script that ignores SIGTERM is killed after the grace period', async () => {
    await initd.write('firewall', "trap '' TERM; sleep 60");
    // the SIGTERM must come after the trap is set: 2 s leaves the shell all the time it needs
    const r = await runInitScript(initd.dir, 'firewall', 'stop', { timeoutMs: 2000, killGraceMs: 200 });
    expect(r).toMatchObject({ ok: false, timedOut: true, signal: 'SIGKILL' });
  });

  it('a daemon left behind by the script does not hold the result back and is not killed', async () => {
    const pidFile = path.join(initd.dir, 'daemon.pid');
    await initd.write('swanctl', `sleep 60 & echo $! > '${pidFile}'; echo started; exit 0`);
    const r = await runInitScript(initd.dir, 'swanctl', 'start', { timeoutMs: 20_000 });
    expect(r).toEqual({ ok: true, exitCode: 0, timedOut: false, message: 'started' });
    const daemon = Number(await readFile(pidFile, 'utf8'));
    leftovers.push(daemon);
    expect(alive(daemon)).toBe(true);
  });

  it('a missing script is a failure naming it', async () => {
    const r = await runInitScript(initd.dir, 'nonexistent', 'start', { timeoutMs: 10_000 });
    expect(r.ok).toBe(false);
    expect(r.timedOut).toBe(false);
    expect(r.message).toContain(path.join(initd.dir, 'nonexistent'));
    expect(r.message).toMatch(/ENOENT/);
  });
});
