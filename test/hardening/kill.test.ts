// SIGKILL at random moments during a stream of writes, restarting the agent on the same config
// directory each time: every config file still parses, and no write that was answered 2xx is
// lost. (SIGKILL during certificate writes: kill-certs.test.ts, a file of its own so that the
// two run side by side.) The agent runs from the single-file bundle, the image's build of it,
// which starts on half the CPU of dist/.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { restartableAgentDir } from '../helpers/agent.js';
import { bundledAgents, roundUntilKilled } from './bundled-agents.js';
import { FIREWALL, IPSEC, MWAN3, call, firewallRule, ipsecProposal, login, mwan3Rule, parseConfigDir, prng } from './lib.js';

const TOTAL_WRITES = 1000;
const MIN_KILLS = 50;
/** Requests in flight at once within a round. */
const IN_FLIGHT = 4;
/**
 * Agents killed side by side, each restarted on a directory of its own; the kills and writes
 * above are their sums. A round waits on an agent's start and its first (cold) requests, which
 * on a busy machine take long: two chains of rounds end in about half the time of one.
 */
const LINEAGES = 2;

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
  const lineages = Array.from({ length: LINEAGES }, (_, i) => restartableAgentDir(`sdewan-kill-${i}-`));
  const start = bundledAgents(lineages);

  it(`keeps every acknowledged write of ${TOTAL_WRITES} through at least ${MIN_KILLS} kills`, { timeout: 300_000 }, async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
    let sent = 0;
    let kills = 0;

    /** Rounds of start, writes, kill on one directory until the sums are reached; what was acknowledged. */
    const killRounds = async ({ confdir, password, env }: (typeof lineages)[number], lineage: number): Promise<Write[]> => {
      const random = prng(seed + lineage);
      const acked: Write[] = [];
      while (sent < TOTAL_WRITES || kills < MIN_KILLS) {
        const victim = await start(env);
        const cookie = await login(victim.url, 'root', password);
        // the kill comes after this many writes of the round were sent: 20 on average, so that
        // 1,000 writes take about 50 rounds
        await roundUntilKilled(victim, {
          lanes: IN_FLIGHT,
          killAfter: 12 + Math.floor(random() * 17),
          killDelayMs: Math.floor(random() * 8),
          send: async () => {
            const w = writeNumber(sent++);
            const res = await call(victim.url, cookie, w.method, w.path, w.body);
            if (res.status >= 200 && res.status < 300) acked.push(w);
            else return `${w.method} ${w.path} answered ${res.status}: ${res.text}`;
          },
        });
        kills++;
        try {
          parseConfigDir(confdir);
        } catch (err) {
          throw new Error(`after kill ${kills} (directory ${lineage}, seed ${seed}): ${(err as Error).message}`);
        }
      }
      return acked;
    };

    /** A last, clean start: the acknowledged objects that are not there as they were sent. */
    const missingWrites = async ({ confdir, password, env }: (typeof lineages)[number], acked: Write[]): Promise<string[]> => {
      const agent = await start(env);
      const cookie = await login(agent.url, 'root', password);
      const lists = new Map<string, Map<string, unknown>>();
      for (const list of new Set(acked.map((w) => w.list))) {
        const key = acked.find((w) => w.list === list)!.key;
        const res = await call(agent.url, cookie, 'GET', list);
        lists.set(list, new Map((res.json[key] as { name: string }[]).map((o) => [o.name, o])));
      }
      parseConfigDir(confdir);
      return acked.filter((w) => !isDeepStrictEqual(lists.get(w.list)!.get(w.body.name), w.body)).map((w) => w.body.name);
    };

    const acked = await Promise.all(lineages.map(killRounds));
    const missing = await Promise.all(lineages.map((l, i) => missingWrites(l, acked[i]!)));
    expect(missing, `seed ${seed}`).toEqual(lineages.map(() => []));
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(sent).toBeGreaterThanOrEqual(TOTAL_WRITES);
    // the agents wrote between kills, and more than they lost
    expect(acked.flat().length).toBeGreaterThan(TOTAL_WRITES / 2);
    for (const a of acked) expect(a.length).toBeGreaterThan(0);
  });
});
