// SIGKILL at random moments during a stream of writes, restarting on the same config directory
// each time: every config file still parses, and no write that was answered 2xx is lost.
// (SIGKILL during certificate writes: kill-certs.test.ts, a file of its own so that the two run
// side by side.) The agent runs as the image runs it, from the single-file bundle.
import { rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartableAgentDir } from '../helpers/agent.js';
import { type Bundle, buildBundle } from '../helpers/bundle.js';
import { type AgentProcess, FIREWALL, IPSEC, MWAN3, call, firewallRule, ipsecProposal, login, mwan3Rule, parseConfigDir, prng, spawnAgent } from './lib.js';

const TOTAL_WRITES = 1000;
const MIN_KILLS = 50;
/** Requests in flight at once within a round. */
const IN_FLIGHT = 4;

interface Write {
  method: 'POST' | 'PUT';
  path: string;
  /** The collection it is listed in, and the list's key. */
  list: string;
  key: string;
  body: { name: string } & Record<string, unknown>;
}

/**
 * Write number i: a distinct object, in turn an mwan3 rule, a firewall rule (PUT), an IPsec
 * proposal, an mwan3 policy (its member sections generated in the same batch).
 */
function writeNumber(i: number): Write {
  switch (i % 4) {
    case 3:
      return {
        method: 'POST', path: `${MWAN3}/policies`, list: `${MWAN3}/policies`, key: 'policies',
        body: { name: `kpol${i}`, members: [{ interface: 'wan', metric: '1', weight: String(1 + (i % 9)) }, { interface: 'wanb', metric: '2', weight: '1' }] },
      };
    case 0:
      return { method: 'POST', path: `${MWAN3}/rules`, list: `${MWAN3}/rules`, key: 'rules', body: mwan3Rule(`k${i}`, i) };
    case 1:
      return { method: 'PUT', path: `${FIREWALL}/rules/kf-${i}`, list: `${FIREWALL}/rules`, key: 'rules', body: firewallRule(`kf-${i}`, i) };
    default:
      return { method: 'POST', path: `${IPSEC}/proposals`, list: `${IPSEC}/proposals`, key: 'proposals', body: ipsecProposal(`kp-${i}`) };
  }
}

describe('SIGKILL during writes', () => {
  const { dir, confdir, password, env } = restartableAgentDir('sdewan-kill-');
  let agent: AgentProcess | undefined;
  let bundle: Bundle | undefined;
  const start = () => spawnAgent(env, { args: [bundle!.agent] });

  beforeAll(async () => {
    bundle = await buildBundle();
  }, 60_000);

  afterAll(async () => {
    if (agent) {
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
    rmSync(dir, { recursive: true, force: true });
    bundle?.cleanup();
  });

  it(`keeps every acknowledged write of ${TOTAL_WRITES} through at least ${MIN_KILLS} kills`, { timeout: 180_000 }, async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const acked: Write[] = [];
    let sent = 0;
    let kills = 0;

    while (sent < TOTAL_WRITES || kills < MIN_KILLS) {
      agent = await start();
      const cookie = await login(agent.url, 'root', password);
      // the kill comes after this many writes of the round were sent: 20 on average, so that
      // 1,000 writes take about 50 rounds
      const killAfter = 12 + Math.floor(random() * 17);
      const killDelayMs = Math.floor(random() * 8);
      const victim = agent;
      let killed = false;
      let roundSent = 0;
      const lane = async () => {
        while (!killed) {
          const w = writeNumber(sent++);
          roundSent++;
          if (roundSent === killAfter) {
            setTimeout(() => {
              killed = true;
              victim.child.kill('SIGKILL');
            }, killDelayMs);
          }
          try {
            const res = await call(victim.url, cookie, w.method, w.path, w.body);
            if (res.status >= 200 && res.status < 300) acked.push(w);
            else if (!killed) throw new Error(`${w.method} ${w.path} answered ${res.status}: ${res.text}`);
          } catch (err) {
            if (!killed) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      await victim.exited;
      agent = undefined;
      kills++;
      try {
        parseConfigDir(confdir);
      } catch (err) {
        throw new Error(`after kill ${kills} (seed ${seed}): ${(err as Error).message}`);
      }
    }

    // a last, clean start: every acknowledged object is there, as it was sent
    agent = await start();
    const cookie = await login(agent.url, 'root', password);
    const lists = new Map<string, Map<string, unknown>>();
    for (const list of new Set(acked.map((w) => w.list))) {
      const key = acked.find((w) => w.list === list)!.key;
      const res = await call(agent.url, cookie, 'GET', list);
      lists.set(list, new Map((res.json[key] as { name: string }[]).map((o) => [o.name, o])));
    }
    const missing = acked.filter((w) => !isDeepStrictEqual(lists.get(w.list)!.get(w.body.name), w.body));
    expect(missing.map((w) => w.body.name), `seed ${seed}`).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(sent).toBeGreaterThanOrEqual(TOTAL_WRITES);
    // the agent wrote between kills, and more than it lost
    expect(acked.length).toBeGreaterThan(TOTAL_WRITES / 2);
    parseConfigDir(confdir);
  });
});
