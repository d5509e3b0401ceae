/**
 * How often a stream of writes reloads a service, on a fake clock (deterministic): the writes
 * are schedule() calls spaced by their latency, the service is a runner that records when it
 * ran. No processes, no real time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReloader, type ReloaderLog } from '../../src/services/reloader.js';

const quietLog: ReloaderLog = { info: () => undefined, warn: () => undefined };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** `writes` sequential writes, each taking `latencyMs`, then the last window; reload start times from the first. */
async function stream(delayMs: number, writes: number, latencyMs: number, opts: { minIntervalMs?: number } = {}): Promise<number[]> {
  const starts: number[] = [];
  const t0 = Date.now();
  const reloader = createReloader({
    initd: '/nonexistent',
    delayMs,
    log: quietLog,
    ...opts,
    runners: {
      mwan3: async () => {
        starts.push(Date.now() - t0);
        return { ok: true, timedOut: false };
      },
    },
  });
  const answers: Promise<unknown>[] = [];
  for (let i = 0; i < writes; i++) {
    await vi.advanceTimersByTimeAsync(latencyMs);
    answers.push(reloader.schedule('mwan3'));
  }
  await vi.advanceTimersByTimeAsync(60_000);
  await Promise.all(answers);
  await reloader.close();
  return starts;
}

const gaps = (t: number[]) => t.slice(1).map((v, i) => v - t[i]!);

describe('reload rate under a stream of writes', () => {
  it.each([200, 50])('500 sequential writes of 2 ms and of 15 ms, delay %i ms: at most 3 reloads', async (delayMs) => {
    for (const latency of [2, 15]) {
      const starts = await stream(delayMs, 500, latency);
      expect(starts.length).toBeGreaterThanOrEqual(1);
      expect(starts.length).toBeLessThanOrEqual(3);
    }
  });

  it('whatever the latency of each write, one reload per 5 s at most, and the last write is covered', async () => {
    for (const [delayMs, latency] of [[50, 51], [50, 75], [200, 250], [50, 1000], [200, 4999], [50, 7000]] as const) {
      const writes = Math.ceil(60_000 / latency);
      const starts = await stream(delayMs, writes, latency);
      for (const g of gaps(starts)) expect(g).toBeGreaterThanOrEqual(5000);
      // the last write's reload comes at most 5 s after it
      expect(starts.at(-1)!).toBeGreaterThanOrEqual(writes * latency);
      expect(starts.at(-1)!).toBeLessThanOrEqual(writes * latency + 5000);
    }
  });

  it('2,000 writes slower than a 50 ms window cause 25 reloads, not one per write', async () => {
    const starts = await stream(50, 2000, 60);
    // 120 s of writes, at most one reload per 5 s
    expect(starts.length).toBeLessThanOrEqual(25);
    expect(starts.length).toBeGreaterThanOrEqual(20);
  });

  it('an isolated write after a quiet spell is reloaded after the delay', async () => {
    const starts: number[] = [];
    const reloader = createReloader({
      initd: '/nonexistent',
      delayMs: 200,
      log: quietLog,
      runners: { firewall: async () => (starts.push(Date.now()), { ok: true, timedOut: false }) },
    });
    const first = reloader.schedule('firewall');
    await vi.advanceTimersByTimeAsync(199);
    expect(starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await first;
    expect(starts).toEqual([200]);
    // 1 s later: waits until 5 s after the previous reload
    await vi.advanceTimersByTimeAsync(1000);
    const second = reloader.schedule('firewall');
    await vi.advanceTimersByTimeAsync(3999);
    expect(starts).toEqual([200]);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(starts).toEqual([200, 5200]);
    // after a quiet spell longer than the interval: the delay again
    await vi.advanceTimersByTimeAsync(10_000);
    const third = reloader.schedule('firewall');
    await vi.advanceTimersByTimeAsync(200);
    await third;
    expect(starts).toEqual([200, 5200, 15_400]);
    await reloader.close();
  });

  it('minIntervalMs can be shortened', async () => {
    const starts = await stream(10, 100, 20, { minIntervalMs: 100 });
    for (const g of gaps(starts)) expect(g).toBeGreaterThanOrEqual(100);
    expect(starts.length).toBeGreaterThan(10);
  });
});
