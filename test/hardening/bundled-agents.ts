// What the kill tests share: agents started from the single-file bundle (built once per file,
// what the image runs: about half the start-up CPU of dist/), and after the file every agent
// still running killed, the bundle and the given directories removed; and a round of requests
// ended by a SIGKILL.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { type Bundle, buildBundle } from '../helpers/bundle.js';
import { type AgentProcess, spawnAgent } from './lib.js';

/** Registers the file's hooks; answers how to start an agent with `env`. */
export function bundledAgents(dirs: readonly { dir: string }[]): (env: Record<string, string>) => Promise<AgentProcess> {
  const running = new Set<AgentProcess>();
  let bundle: Bundle | undefined;

  beforeAll(async () => {
    bundle = await buildBundle();
  }, 60_000);

  afterAll(async () => {
    for (const agent of running) agent.child.kill('SIGKILL');
    await Promise.all([...running].map((agent) => agent.exited));
    for (const { dir } of dirs) rmSync(dir, { recursive: true, force: true });
    bundle?.cleanup();
  });

  return async (env) => {
    const agent = await spawnAgent(env, { args: [bundle!.agent] });
    running.add(agent);
    void agent.exited.then(() => running.delete(agent));
    return agent;
  };
}

/**
 * A round against `victim`: `lanes` requests in flight, one after the other in each lane,
 * until the agent is SIGKILLed `killDelayMs` after the round's `killAfter`-th request was sent;
 * resolves once it has exited. `send` sends the next request (and keeps what was acknowledged):
 * it answers undefined, or what was wrong with the answer. A failure before the kill fails the
 * round; after it, it is the kill's.
 */
export async function roundUntilKilled(
  victim: AgentProcess,
  opts: { lanes: number; killAfter: number; killDelayMs: number; send: () => Promise<string | undefined> },
): Promise<void> {
  let killed = false;
  let sent = 0;
  const lane = async () => {
    while (!killed) {
      if (++sent === opts.killAfter) {
        setTimeout(() => {
          killed = true;
          victim.child.kill('SIGKILL');
        }, opts.killDelayMs);
      }
      try {
        const wrong = await opts.send();
        if (wrong !== undefined && !killed) throw new Error(wrong);
      } catch (err) {
        if (!killed) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.lanes }, lane));
  await victim.exited;
}
