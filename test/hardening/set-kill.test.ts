// SIGKILL at random moments during change sets that each touch two packages (mwan3 and
// firewall), restarting the agent on the same directories each time: after the restart every config file
// parses, and the two packages agree on every set (both of its objects or neither, the same
// marker in both), every set answered 200 is there, and no journal or temporary file is left.
// The agent runs from the single-file bundle, the image's build of it, which starts on half
// the CPU of dist/.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { restartableAgentDir } from '../helpers/agent.js';
import { bundledAgents, roundUntilKilled } from './bundled-agents.js';
import { call, firewallRule, login, mwan3Rule, parseConfigDir, prng } from './lib.js';
import type { UciPackage } from '../../src/uci/types.js';

const MIN_KILLS = 50;
const MIN_SETS = 400;
/** Sets in flight at once within a round (they queue on the packages' locks). */
const IN_FLIGHT = 2;
/**
 * Agents killed side by side, each restarted on directories of its own; the kills and sets
 * above are their sums. A round waits on an agent's start and its first (cold) sets, which on a
 * busy machine take long: two chains of rounds end in about half the time of one.
 */
const LINEAGES = 2;
const CHANGES = '/cgi-bin/luci/sdewan/v1/changes';

/** Set number i: a new object in each package, and the marker of both set to i. */
const setNumber = (i: number) => ({
  changes: [
    { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule(`s${i}a`, i) },
    { method: 'PUT', path: 'mwan3/v1/rules/marker', body: mwan3Rule('marker', i) },
    { method: 'POST', path: 'firewall/v1/rules', body: firewallRule(`s${i}b`, i) },
    { method: 'PUT', path: 'firewall/v1/rules/marker', body: firewallRule('marker', i) },
  ],
});

/** The set numbers whose object is in the package, and the marker's port. */
function setsIn(pkg: UciPackage, suffix: 'a' | 'b'): { sets: number[]; marker: string | undefined } {
  const re = new RegExp(`^s(\\d+)${suffix}$`);
  const sets: number[] = [];
  let marker: string | undefined;
  for (const s of pkg.sections) {
    const name = suffix === 'a' ? s.name : s.options.get('name');
    if (typeof name !== 'string') continue;
    const m = re.exec(name);
    if (m) sets.push(Number(m[1]));
    if (name === 'marker') marker = String(s.options.get('dest_port'));
  }
  return { sets: sets.sort((x, y) => x - y), marker };
}

describe('SIGKILL during change sets', () => {
  const lineages = Array.from({ length: LINEAGES }, (_, i) => restartableAgentDir(`sdewan-set-kill-${i}-`));
  const start = bundledAgents(lineages);

  /** The state after a (re)start: both packages agree, and hold every acknowledged set. */
  const check = ({ confdir, savedir }: (typeof lineages)[number], acked: Set<number>, context: string) => {
    const pkgs = parseConfigDir(confdir);
    const a = setsIn(pkgs.get('mwan3')!, 'a');
    const b = setsIn(pkgs.get('firewall')!, 'b');
    expect(a.sets, `${context}: the same sets in both packages`).toEqual(b.sets);
    expect(a.marker, `${context}: the same marker in both packages`).toEqual(b.marker);
    const present = new Set(a.sets);
    expect([...acked].filter((i) => !present.has(i)), `${context}: acknowledged sets lost`).toEqual([]);
    expect(readdirSync(path.join(savedir, 'changes')).filter((n) => !n.endsWith('.json')), `${context}: journals left`).toEqual([]);
    expect(readdirSync(confdir).filter((n) => n.includes('.sdewan-set-')), `${context}: temporary files left`).toEqual([]);
  };

  it(`keeps every package all-before or all-after through at least ${MIN_KILLS} kills`, { timeout: 300_000 }, async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
    let sent = 0;
    let kills = 0;
    let recoveries = 0;

    /** Rounds of start, check, sets, kill on one agent's directories until the sums are reached. */
    const killRounds = async (l: (typeof lineages)[number], lineage: number): Promise<Set<number>> => {
      const random = prng(seed + lineage);
      const acked = new Set<number>();
      while (sent < MIN_SETS || kills < MIN_KILLS) {
        const victim = await start(l.env);
        if (victim.output().includes('change set journals of an interrupted run recovered')) recoveries++;
        check(l, acked, `after kill ${kills} (directory ${lineage}, seed ${seed})`);
        const cookie = await login(victim.url, 'root', l.password);
        // the kill comes after this many sets of the round were sent (8 on average), at any point
        // of the set in flight (one takes some 15 to 90 ms)
        await roundUntilKilled(victim, {
          lanes: IN_FLIGHT,
          killAfter: 4 + Math.floor(random() * 9),
          killDelayMs: Math.floor(random() * 60),
          send: async () => {
            const i = sent++;
            const res = await call(victim.url, cookie, 'POST', CHANGES, setNumber(i));
            if (res.status === 200) acked.add(i);
            else return `set ${i} answered ${res.status}: ${res.text}`;
          },
        });
        kills++;
      }
      return acked;
    };

    const acked = await Promise.all(lineages.map(killRounds));
    await Promise.all(
      lineages.map(async (l, i) => {
        await start(l.env);
        check(l, acked[i]!, `at the end (directory ${i}, seed ${seed})`);
      }),
    );
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(sent).toBeGreaterThanOrEqual(MIN_SETS);
    // the agents applied sets between kills, and more than they lost
    const ackedCount = acked.reduce((n, a) => n + a.size, 0);
    expect(ackedCount).toBeGreaterThan(sent / 2);
    for (const a of acked) expect(a.size).toBeGreaterThan(0);
    console.log(`set-kill: seed ${seed}, ${kills} kills, ${sent} sets sent, ${ackedCount} acknowledged, ${recoveries} starts finished a journal`);
  });
});
