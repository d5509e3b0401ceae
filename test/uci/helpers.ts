/** Shared helpers of the UCI tests: vectors, temp dirs, the CLI. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ParseVector {
  id: string;
  package: string;
  input: string;
  show: { exit: number; stdout: string };
  export: { exit: number; stdout: string };
}

export interface BatchVector {
  id: string;
  files: Record<string, string>;
  batch: string;
  exit: number;
  stdout: string;
  stderr: string;
  files_after: Record<string, string>;
}

/** The repository root, from test/uci or dist/test/uci. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export const CLI = (): string => path.join(repoRoot(), 'bin', 'sdewan-uci');

function readJsonl<T>(name: string): T[] {
  const text = fs.readFileSync(path.join(repoRoot(), 'test', 'vectors', name), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export const parseVectors = (): ParseVector[] => readJsonl<ParseVector>('parse.jsonl');
export const batchVectors = (): BatchVector[] => readJsonl<BatchVector>('batch.jsonl');

/** uci's words only: drop the program-name prefix ("uci: ", "/sbin/uci: ", "sdewan-uci: "). */
export function uciWords(stderr: string): string {
  return stderr.replace(/^[^\s:]*uci: /gm, '');
}

export interface Sandbox {
  root: string;
  confdir: string;
  savedir: string;
  cleanup(): void;
}

/** A temp dir with an empty config directory (the save directory is left for uci to create). */
export function sandbox(files: Record<string, string> = {}, prefix = 'uci-test-'): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const confdir = path.join(root, 'config');
  const savedir = path.join(root, 'save');
  fs.mkdirSync(confdir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(confdir, name), text);
  return { root, confdir, savedir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

export function readConfigs(confdir: string, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, fs.readFileSync(path.join(confdir, n), 'utf8')]));
}

/** Run async jobs with at most `limit` at a time. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
