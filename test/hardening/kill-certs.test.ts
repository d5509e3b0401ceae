// SIGKILL while IPsec certificates and keys are written, restarting the agent on the same directories
// each time: after the restart, no file of the swanctl tree is left that no remote references,
// and no temporary file. The agent runs from the single-file bundle, the image's build of it,
// which starts on half the CPU of dist/.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { restartableAgentDir } from '../helpers/agent.js';
import { bundledAgents } from './bundled-agents.js';
import { IPSEC, call, ipsecProposal, login, parseConfigDir, prng, pubkeyRemote } from './lib.js';

const MIN_KILLS = 50;
/** Requests in flight at once within a round. */
const IN_FLIGHT = 4;
/**
 * Agents killed side by side, each restarted on directories of its own; the kills above are
 * their sum. A round waits on an agent's start and its first (cold) requests, which on a busy
 * machine take long: two chains of rounds end in about half the time of one.
 */
const LINEAGES = 2;

/** The certificate directories of the swanctl tree and the remote option naming a file in each. */
const CERT_DIRS = [
  { dir: 'x509', option: 'local_cert' },
  { dir: 'private', option: 'local_key' },
  { dir: 'x509ca', option: 'ca_cert' },
];

/** Files of the swanctl tree that no remote section references (temporary files included). */
function unreferencedFiles(confdir: string, swanctl: string): string[] {
  const ipsec = parseConfigDir(confdir).get('ipsec');
  const referenced = new Set<string>();
  for (const s of ipsec?.sections ?? []) {
    if (s.type !== 'remote') continue;
    for (const { dir, option } of CERT_DIRS) {
      const v = s.options.get(option);
      if (typeof v === 'string') referenced.add(`${dir}/${v}`);
    }
  }
  const out: string[] = [];
  for (const { dir } of CERT_DIRS) {
    const full = path.join(swanctl, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) if (!referenced.has(`${dir}/${name}`)) out.push(`${dir}/${name}`);
  }
  return out.sort();
}

describe('SIGKILL during certificate writes', () => {
  const lineages = Array.from({ length: LINEAGES }, (_, i) => {
    const base = restartableAgentDir(`sdewan-kill-certs-${i}-`);
    return { ...base, swanctl: base.env.SDEWAN_SWANCTL_DIR, env: { ...base.env, SDEWAN_PLATFORM: 'openwrt' } };
  });
  const start = bundledAgents(lineages);

  it(`leaves no unreferenced certificate, key or temporary file through ${MIN_KILLS} kills`, { timeout: 300_000 }, async () => {
    const seed = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);
    let kills = 0;
    /** Kills after which the tree held unreferenced files (before the restart removed them). */
    let leftByKills = 0;
    let logs = '';

    /** Rounds of start, check, writes, kill on one agent's directories until the sum is reached. */
    const killRounds = async ({ confdir, swanctl, password, env }: (typeof lineages)[number], lineage: number) => {
      const random = prng(seed + lineage);
      let next = 0;
      while (kills < MIN_KILLS) {
        const victim = await start(env);
        expect(unreferencedFiles(confdir, swanctl), `after restart ${kills + 1} (directory ${lineage}, seed ${seed})\n${victim.output()}`).toEqual([]);
        const cookie = await login(victim.url, 'root', password);
        const prop = await call(victim.url, cookie, 'POST', `${IPSEC}/proposals`, ipsecProposal('base-prop'));
        expect([201, 409]).toContain(prop.status);
        let killed = false;
        setTimeout(() => {
          killed = true;
          victim.child.kill('SIGKILL');
        }, 5 + Math.floor(random() * 60));
        const lane = async () => {
          while (!killed) {
            const i = next++;
            // new remotes, replacements of recent ones (PUT), deletes of older ones
            const pick = random();
            const name = pick < 0.5 ? `kr-${i}` : `kr-${Math.max(0, i - 1 - Math.floor(random() * 6))}`;
            const req = pick < 0.5 ? call(victim.url, cookie, 'POST', `${IPSEC}/remotes`, pubkeyRemote(name))
              : pick < 0.85 ? call(victim.url, cookie, 'PUT', `${IPSEC}/remotes/${name}`, pubkeyRemote(name))
                : call(victim.url, cookie, 'DELETE', `${IPSEC}/remotes/${name}`);
            try {
              const res = await req;
              if (res.status >= 500 && !killed) throw new Error(`${name} answered ${res.status}: ${res.text}`);
            } catch (err) {
              if (!killed) throw err;
            }
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
        await victim.exited;
        kills++;
        logs += victim.output();
        if (unreferencedFiles(confdir, swanctl).length > 0) leftByKills++;
      }
      const last = await start(env);
      expect(unreferencedFiles(confdir, swanctl), `directory ${lineage}, seed ${seed}`).toEqual([]);
      logs += last.output();
    };

    await Promise.all(lineages.map(killRounds));
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    // the kills did land between staging and commit (about half of them do): the class was tested
    expect(leftByKills, `seed ${seed}`).toBeGreaterThan(0);
    // and the removals were logged by path, never with what the files held
    expect(logs).toContain('removed a file no object references');
    const key = pubkeyRemote('x').local_private_cert;
    expect(logs).not.toContain(Buffer.from(key, 'base64').toString('latin1').split('\n')[1]!);
    expect(logs).not.toContain(key.slice(0, 64));
  });
});
