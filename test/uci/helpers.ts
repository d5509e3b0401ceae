/** Shared helpers of the UCI tests: vectors, temp dirs, the CLI. */
import { type ChildProcess, fork } from 'node:child_process';
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

export interface CliRun {
  exit: number;
  stdout: string;
  stderr: string;
}

/** The compiled CLI worker (dist/test/uci/cli-worker.js): one process, many commands. */
export class CliWorker {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly pending = new Map<number, (r: CliRun) => void>();

  constructor() {
    const script = path.join(repoRoot(), 'dist', 'test', 'uci', 'cli-worker.js');
    if (!fs.existsSync(script)) throw new Error(`${script} missing: run npx tsc -p . first`);
    this.child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: CliRun & { id: number }) => {
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.({ exit: m.exit, stdout: m.stdout, stderr: m.stderr });
    });
  }

  run(argv: string[], input = ''): Promise<CliRun> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ id, argv, input });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  close(): void {
    this.child.disconnect();
  }
}
