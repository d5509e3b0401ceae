// The files of the journal tests at version n: three that always exist (of different sizes,
// one in a subdirectory, one with mode 0600) and one that exists at even versions only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileWrite } from '../../src/changes/journal.js';

const NAMES = ['alpha', 'beta', 'sub/gamma'] as const;
export const ODD_GONE = 'delta';

export const versionText = (name: string, n: number) => `${name} version ${n}\n${'x'.repeat((n * 37) % 5000)}\n`;

export function versionWrites(dir: string, n: number): FileWrite[] {
  return [
    ...NAMES.map((name, i) => ({ path: path.join(dir, name), content: Buffer.from(versionText(name, n)), mode: i === 1 ? 0o600 : 0o644 })),
    { path: path.join(dir, ODD_GONE), content: n % 2 === 0 ? Buffer.from(versionText(ODD_GONE, n)) : undefined, mode: 0o644 },
  ];
}

/** The version every file holds (throws when they disagree or one is torn). */
export function journalVersion(dir: string): number {
  if (!fs.existsSync(path.join(dir, 'alpha'))) return 0;
  const n = Number(/^alpha version (\d+)\n/.exec(fs.readFileSync(path.join(dir, 'alpha'), 'utf8'))?.[1]);
  if (!Number.isInteger(n)) throw new Error('alpha holds no version');
  for (const w of versionWrites(dir, n)) {
    const name = path.relative(dir, w.path);
    const st = fs.statSync(w.path, { throwIfNoEntry: false });
    if (w.content === undefined) {
      if (st) throw new Error(`${name} exists at version ${n}`);
      continue;
    }
    if (!st) throw new Error(`${name} missing at version ${n}`);
    if (!fs.readFileSync(w.path).equals(w.content)) throw new Error(`${name} is not at version ${n}: ${fs.readFileSync(w.path, 'utf8').split('\n')[0]}`);
    if ((st.mode & 0o7777) !== w.mode) throw new Error(`${name} has mode ${(st.mode & 0o7777).toString(8)}`);
  }
  return n;
}
