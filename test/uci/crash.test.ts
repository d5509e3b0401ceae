/**
 * Crash safety of commit: a child commits in a loop and is killed with SIGKILL at random
 * moments, over and over. Every time, the file parses and holds one whole version, never a
 * mix or a torn write; left-over temporary files are ignored by uci and can be cleaned.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanStaleTemps } from '../../src/uci/atomic.js';
import { parseUci, runUciCli } from '../../src/uci/index.js';
import { crashVersionText } from './crash-version.js';
import { repoRoot, sandbox } from './helpers.js';

const KILLS_PER_LANE = 100;
const LANES = ['alpha', 'beta'];
const box = sandbox(Object.fromEntries(LANES.map((p) => [p, crashVersionText(0)])), 'uci-crash-');
afterAll(() => box.cleanup());

const child = path.join(repoRoot(), 'dist', 'test', 'uci', 'crash-child.js');

function killOnce(pkg: string): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, box.confdir, box.savedir, pkg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', () => {
      if (killed) return;
      killed = true;
      // Somewhere inside the next commits: between 0 and 25 ms of committing.
      setTimeout(() => p.kill('SIGKILL'), Math.floor(Math.random() * 25));
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => resolve({ signal, stderr }));
  });
}

function checkFile(pkg: string, previous: number): number {
  const text = fs.readFileSync(path.join(box.confdir, pkg), 'utf8');
  const parsed = parseUci(text, pkg);
  const n = Number(parsed.sections[0]?.options.get('n'));
  expect(Number.isInteger(n)).toBe(true);
  expect(text).toBe(crashVersionText(n));
  expect(n).toBeGreaterThanOrEqual(previous);
  return n;
}

describe('commit under SIGKILL', () => {
  it(`leaves every file whole after ${KILLS_PER_LANE * LANES.length} kills`, async () => {
    expect(fs.existsSync(child)).toBe(true);
    let kills = 0;
    const last = new Map(LANES.map((p) => [p, 0]));
    await Promise.all(
      LANES.map(async (pkg) => {
        for (let i = 0; i < KILLS_PER_LANE; i++) {
          const r = await killOnce(pkg);
          expect(r.stderr).toBe('');
          expect(r.signal).toBe('SIGKILL');
          kills++;
          last.set(pkg, checkFile(pkg, last.get(pkg)!));
        }
      }),
    );
    expect(kills).toBeGreaterThanOrEqual(200);
    // The children did commit (versions moved on) while being killed.
    for (const pkg of LANES) expect(last.get(pkg)!).toBeGreaterThan(KILLS_PER_LANE);

    // Temporary files of killed commits start with a dot: uci's listing ignores them.
    const shown = runUciCli(['-c', box.confdir, '-t', box.savedir, 'show'], { readInput: () => Buffer.alloc(0) });
    expect(shown.exit).toBe(0);
    expect(shown.stderr.toString()).toBe('');
    expect(shown.stdout.toString().split('\n').filter((l) => l.endsWith('=version'))).toEqual(LANES.map((p) => `${p}.state=version`));
    for (const pkg of LANES) cleanStaleTemps(box.confdir, pkg, 0);
    expect(fs.readdirSync(box.confdir).sort()).toEqual([...LANES].sort());
  }, 180_000);
});
