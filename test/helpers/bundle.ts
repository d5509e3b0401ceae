// The single-file bundle of the agent and of sdewan-uci (scripts/bundle.mjs, what the image
// runs), built into a temporary directory. Suites that start an agent process many times (the
// kill tests) run it: one file to load instead of the module graph of dist/, about half the
// start-up CPU of `node dist/src/main.js`, from the same sources.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, repoRoot } from './agent.js';

export interface Bundle {
  dir: string;
  /** dist/bundle/sdewan-agent.mjs's counterpart: `node <agent>` serves. */
  agent: string;
  uci: string;
  cleanup(): void;
}

export async function buildBundle(): Promise<Bundle> {
  const dir = makeTempDir('sdewan-bundle-');
  try {
    await promisify(execFile)(process.execPath, [path.join(repoRoot(), 'scripts', 'bundle.mjs'), '--outdir', dir], { cwd: repoRoot() });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    agent: path.join(dir, 'sdewan-agent.mjs'),
    uci: path.join(dir, 'sdewan-uci.mjs'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
