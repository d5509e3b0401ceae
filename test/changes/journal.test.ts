// The journal of change sets: a child committing version after version of four files (one
// removed at odd versions) is killed with SIGKILL at random moments, over and over; after each
// kill, recovery leaves every file at one version, the same for all, never older than before.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitFiles, recoverJournals } from '../../src/changes/journal.js';
import { makeTempDir, repoRoot } from '../helpers/agent.js';
import { journalVersion, versionWrites } from './journal-version.js';

const KILLS = 60;
const dir = makeTempDir('sdewan-journal-');
const files = path.join(dir, 'files');
const journal = path.join(dir, 'journal');
fs.mkdirSync(journal);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const child = path.join(repoRoot(), 'dist', 'test', 'changes', 'journal-child.js');

function killOnce(): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', () => {
      if (killed) return;
      killed = true;
      setTimeout(() => p.kill('SIGKILL'), Math.floor(Math.random() * 25));
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => resolve({ signal, stderr }));
  });
}

/** Dot files (temporaries) anywhere under the files, and what is left in the journal directory. */
const leftovers = () => [
  ...fs.readdirSync(files, { recursive: true, encoding: 'utf8' }).filter((n) => path.basename(n).startsWith('.')),
  ...fs.readdirSync(journal),
];

describe('the change-set journal', () => {
  it(`leaves all files before or all after through ${KILLS} kills`, { timeout: 120_000 }, async () => {
    expect(fs.existsSync(child)).toBe(true);
    let last = 0;
    let rolledForward = 0;
    let discarded = 0;
    for (let i = 0; i < KILLS; i++) {
      const r = await killOnce();
      expect(r.stderr).toBe('');
      expect(r.signal).toBe('SIGKILL');
      const found = recoverJournals(journal);
      rolledForward += found.rolledForward;
      discarded += found.discarded;
      const n = journalVersion(files);
      expect(n).toBeGreaterThanOrEqual(last);
      expect(n).toBeGreaterThan(0);
      expect(leftovers()).toEqual([]);
      last = n;
    }
    // the kills fell on both sides of the commit point (each side has about half of the time)
    expect(rolledForward).toBeGreaterThan(0);
    expect(discarded).toBeGreaterThan(0);
  });

  it('rolls a committed journal forward from any point of its renames, and is idempotent', () => {
    const d = makeTempDir('sdewan-journal-unit-');
    try {
      const target = (n: string) => path.join(d, n);
      fs.writeFileSync(target('a'), 'a0');
      fs.writeFileSync(target('b'), 'b0');
      fs.writeFileSync(target('gone'), 'g0');
      // a journal whose first rename was done before the crash
      fs.writeFileSync(path.join(d, '.b.sdewan-set-x1'), 'b1');
      fs.writeFileSync(target('a'), 'a1');
      const entries = [{ path: target('a'), temp: path.join(d, '.a.sdewan-set-x0') }, { path: target('b'), temp: path.join(d, '.b.sdewan-set-x1') }, { path: target('gone') }];
      fs.mkdirSync(path.join(d, 'j'));
      fs.writeFileSync(path.join(d, 'j', 'c0ffee.journal'), JSON.stringify({ entries }));
      // and a prepared one that never reached its commit point
      fs.writeFileSync(path.join(d, '.a.sdewan-set-y0'), 'never');
      fs.writeFileSync(path.join(d, 'j', 'd00d.prepare'), JSON.stringify({ entries: [{ path: target('a'), temp: path.join(d, '.a.sdewan-set-y0') }] }));
      expect(recoverJournals(path.join(d, 'j'))).toEqual({ rolledForward: 1, discarded: 1 });
      expect(fs.readFileSync(target('a'), 'utf8')).toBe('a1');
      expect(fs.readFileSync(target('b'), 'utf8')).toBe('b1');
      expect(fs.existsSync(target('gone'))).toBe(false);
      expect(fs.readdirSync(d).sort()).toEqual(['a', 'b', 'j']);
      expect(recoverJournals(path.join(d, 'j'))).toEqual({ rolledForward: 0, discarded: 0 });
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('removes at start a journal a killed writer left half written, named as now or as older agents did', () => {
    const d = makeTempDir('sdewan-journal-unit-');
    try {
      fs.writeFileSync(path.join(d, '.0123456789abcdef.prepare.uci-Ab12Cd'), '{"entr');
      fs.writeFileSync(path.join(d, '0123456789abcdef.prepare.0a1b2c3d.tmp'), '{"entr');
      expect(recoverJournals(d)).toEqual({ rolledForward: 0, discarded: 0 });
      expect(fs.readdirSync(d)).toEqual([]);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('writes nothing when a file cannot be prepared', () => {
    const d = makeTempDir('sdewan-journal-unit-');
    try {
      fs.mkdirSync(path.join(d, 'j'));
      fs.writeFileSync(path.join(d, 'a'), 'a0');
      fs.writeFileSync(path.join(d, 'file'), 'not a directory');
      const writes = [
        { path: path.join(d, 'a'), content: Buffer.from('a1'), mode: 0o644 },
        { path: path.join(d, 'file', 'inside'), content: Buffer.from('x'), mode: 0o644 },
      ];
      expect(() => commitFiles(path.join(d, 'j'), writes)).toThrow();
      expect(fs.readFileSync(path.join(d, 'a'), 'utf8')).toBe('a0');
      expect(fs.readdirSync(d).sort()).toEqual(['a', 'file', 'j']);
      expect(fs.readdirSync(path.join(d, 'j'))).toEqual([]);
      // the versions' helper agrees with a commit that went through
      commitFiles(path.join(d, 'j'), versionWrites(path.join(d, 'v'), 2));
      expect(journalVersion(path.join(d, 'v'))).toBe(2);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
