import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReloader, type ReloaderLog, type ServiceReloader } from '../../src/services/reloader.js';
import { makeFakeInitd, type FakeInitd } from './scripts.js';

const quietLog: ReloaderLog = { info: () => undefined, warn: () => undefined };

describe('createReloader', () => {
  let initd: FakeInitd;
  let reloader: ServiceReloader | undefined;
  beforeEach(async () => {
    initd = await makeFakeInitd();
  });
  afterEach(async () => {
    await reloader?.close();
    reloader = undefined;
    await initd.cleanup();
  });

  it('20 schedules in a burst cause one reload, and every caller gets its result', async () => {
    reloader = createReloader({ initd: initd.dir, delayMs: 50, log: quietLog });
    const results = await Promise.all(Array.from({ length: 20 }, () => reloader!.schedule('firewall')));
    expect(await initd.calls()).toEqual(['firewall reload']);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toMatchObject({ service: 'firewall', action: 'reload', trigger: 'auto', ok: true });
  });

  it('schedules spread over a burst, each within the delay of the previous, still cause one reload', async () => {
    reloader = createReloader({ initd: initd.dir, delayMs: 1000, log: quietLog });
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      all.push(reloader.schedule('ipsec'));
      await new Promise((res) => setTimeout(res, 10));
    }
    await Promise.all(all);
    expect(await initd.calls()).toEqual(['swanctl reload']);
  });

  it('mwan3 reload runs the script with restart', async () => {
    reloader = createReloader({ initd: initd.dir, delayMs: 0, log: quietLog });
    await reloader.schedule('mwan3');
    expect(await initd.calls()).toEqual(['mwan3 restart']);
  });

  it('services are independent', async () => {
    reloader = createReloader({ initd: initd.dir, delayMs: 20, log: quietLog });
    await Promise.all([reloader.schedule('mwan3'), reloader.schedule('firewall'), reloader.schedule('mwan3')]);
    expect((await initd.calls()).sort()).toEqual(['firewall reload', 'mwan3 restart']);
  });

  it('schedules arriving while a reload runs cause exactly one more reload after it', async () => {
    // The first reload blocks until the test creates the release file.
    const release = `${initd.dir}/release`;
    await initd.write('firewall', `while [ ! -e '${release}' ]; do sleep 0.02; done; exit 0`);
    reloader = createReloader({ initd: initd.dir, delayMs: 0, minIntervalMs: 100, log: quietLog });
    const first = reloader.schedule('firewall');
    while ((await initd.calls()).length === 0) await new Promise((res) => setTimeout(res, 10));
    const later: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      later.push(reloader.schedule('firewall'));
      await new Promise((res) => setTimeout(res, 5));
    }
    // A schedule's reload is due at most minIntervalMs after it: past that (a timer due later
    // fires later, however slow the machine), every schedule has joined the one queued reload
    // behind the running one, also when the loop above took longer than minIntervalMs.
    await new Promise((res) => setTimeout(res, 150));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(release, '');
    await Promise.all([first, ...later]);
    expect(await initd.calls()).toEqual(['firewall reload', 'firewall reload']);
  });

  it('an explicit action replaces a pending automatic reload', async () => {
    reloader = createReloader({ initd: initd.dir, delayMs: 10_000, log: quietLog });
    const auto = reloader.schedule('mwan3');
    const explicit = await reloader.runAction('mwan3', 'stop');
    expect(explicit).toMatchObject({ service: 'mwan3', action: 'stop', trigger: 'explicit', ok: true });
    // The automatic caller is answered by the action that replaced its reload.
    expect(await auto).toBe(explicit);
    expect(await initd.calls()).toEqual(['mwan3 stop']);
  });

  it('explicit actions run one after another, never concurrently, in request order', async () => {
    await initd.write('swanctl', 'sleep 0.1; exit 0');
    reloader = createReloader({ initd: initd.dir, delayMs: 0, log: quietLog });
    await Promise.all([reloader.runAction('ipsec', 'stop'), reloader.runAction('ipsec', 'start'), reloader.runAction('ipsec', 'restart')]);
    expect(await initd.calls()).toEqual(['swanctl stop', 'swanctl start', 'swanctl restart']);
  });

  it('keeps the last result per service, failures with the script message', async () => {
    await initd.write('firewall', 'echo "Error: zone lan unknown" >&2; exit 1');
    reloader = createReloader({ initd: initd.dir, delayMs: 0, log: quietLog });
    expect(reloader.lastResults()).toEqual({ mwan3: undefined, firewall: undefined, ipsec: undefined, network: undefined });
    const r = await reloader.schedule('firewall');
    expect(r).toMatchObject({ ok: false, message: 'Error: zone lan unknown' });
    await reloader.runAction('ipsec', 'restart');
    const last = reloader.lastResults();
    expect(last.firewall).toMatchObject({ service: 'firewall', action: 'reload', trigger: 'auto', ok: false, message: 'Error: zone lan unknown' });
    expect(Number.isNaN(Date.parse(last.firewall!.at))).toBe(false);
    expect(last.ipsec).toMatchObject({ service: 'ipsec', action: 'restart', trigger: 'explicit', ok: true });
    expect(last.mwan3).toBeUndefined();
  });

  it('a hanging script gives a timeout result and the service keeps working', async () => {
    await initd.write('mwan3', 'sleep 60');
    reloader = createReloader({ initd: initd.dir, delayMs: 0, timeoutMs: 300, log: quietLog });
    const r = await reloader.runAction('mwan3', 'start');
    expect(r).toMatchObject({ ok: false, timedOut: true, message: 'timed out after 300 ms' });
    expect(reloader.lastResults().mwan3).toEqual(r);
    await initd.write('mwan3', 'exit 0');
    expect(await reloader.runAction('mwan3', 'start')).toMatchObject({ ok: true });
  });

  it('close() runs the pending reload, waits for it, then refuses new work', async () => {
    reloader = createReloader({ initd: initd.dir, delayMs: 60_000, log: quietLog });
    const pending = reloader.schedule('ipsec');
    await reloader.close();
    expect(await initd.calls()).toEqual(['swanctl reload']);
    expect(await pending).toMatchObject({ ok: true });
    expect(await reloader.schedule('ipsec')).toMatchObject({ ok: false, message: 'the agent is shutting down' });
    expect(await initd.calls()).toEqual(['swanctl reload']);
  });
});
