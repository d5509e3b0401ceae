// What the kill tests share: agents started from the single-file bundle (built once per file,
// what the image runs: about half the start-up CPU of dist/), and after the file every agent
// still running killed, the bundle and the given directories removed.
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
