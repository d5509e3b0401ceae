/**
 * The recorded behaviour of the real uci (test/vectors) replayed three ways: through the library
 * API in this process (every vector); through sdewan-uci's command line in a separate long-lived
 * process (every vector); and through bin/sdewan-uci itself, one process per command (a sample).
 * Each compares stdout, the exit code, every file after the batch byte for byte, and stderr in
 * uci's own words.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EmbeddedRunner, parseUci, runUciCli, exportUci, showUci, UciParseError } from '../../src/uci/index.js';
import { batchVectors, CLI, CliWorker, mapLimit, parseVectors, readConfigs, sandbox, type Sandbox, uciWords } from './helpers.js';

const parse = parseVectors();
const batch = batchVectors();

describe('vectors are present', () => {
  it('has every recorded vector', () => {
    expect(parse.length).toBeGreaterThanOrEqual(424);
    expect(batch.length).toBeGreaterThanOrEqual(428);
  });
});

describe('parse vectors through the library', () => {
  it.each(parse.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const box = sandbox({ [v.package]: v.input });
    try {
      const run = (cmd: string) =>
        runUciCli(['-c', box.confdir, '-t', box.savedir, cmd, v.package], { readInput: () => Buffer.alloc(0) });
      const show = run('show');
      const exp = run('export');
      expect({ exit: show.exit, stdout: show.stdout.toString('utf8') }).toEqual(v.show);
      expect({ exit: exp.exit, stdout: exp.stdout.toString('utf8') }).toEqual(v.export);
      // The typed parser agrees with the engine.
      if (v.show.exit === 0) {
        const pkg = parseUci(v.input, { name: v.package });
        expect(showUci(pkg)).toBe(v.show.stdout);
        expect(exportUci(pkg)).toBe(v.export.stdout);
      } else {
        expect(() => parseUci(v.input, { name: v.package, file: `/x/${v.package}` })).toThrow(UciParseError);
      }
    } finally {
      box.cleanup();
    }
  });
});

describe('batch vectors through the library (EmbeddedRunner)', () => {
  const runner = new EmbeddedRunner();
  it.each(batch.map((v) => [v.id, v] as const))('%s', async (_id, v) => {
    const box = sandbox(v.files);
    try {
      const r = await runner.run(v.batch, { confdir: box.confdir, savedir: box.savedir });
      expect(r.exit).toBe(v.exit);
      expect(r.stdout).toBe(v.stdout);
      expect(uciWords(r.stderr)).toBe(uciWords(v.stderr));
      expect(readConfigs(box.confdir, Object.keys(v.files_after))).toEqual(v.files_after);
    } finally {
      box.cleanup();
    }
  });
});

/** A batch vector's result against its recording: the differences, or [] when it matches. */
function batchProblems(v: (typeof batch)[number], r: { exit: number; stdout: string; stderr: string }, confdir: string): string[] {
  const files = readConfigs(confdir, Object.keys(v.files_after));
  const problems: string[] = [];
  if (r.exit !== v.exit) problems.push(`exit ${r.exit}`);
  if (r.stdout !== v.stdout) problems.push(`stdout ${JSON.stringify(r.stdout)}`);
  if (uciWords(r.stderr) !== uciWords(v.stderr)) problems.push(`stderr ${JSON.stringify(r.stderr)}`);
  if (JSON.stringify(files) !== JSON.stringify(v.files_after)) problems.push('files');
  return problems;
}

// Every vector in a separate process: one long-lived child (test/uci/cli-worker.ts) runs
// sdewan-uci's command line (runUciCli, what bin/sdewan-uci calls) for each command, on real
// files, without a Node start-up per command.
/**
 * Each vector in a sandbox holding its files, checked through one CLI worker: the failures
 * `check` names, all vectors together (the worker closed at the end).
 */
async function failuresInWorker<V>(
  vectors: readonly V[],
  files: (v: V) => Record<string, string>,
  check: (worker: CliWorker, v: V, box: Sandbox) => Promise<string[]>,
): Promise<string[]> {
  const worker = new CliWorker();
  try {
    const failures: string[] = [];
    for (const v of vectors) {
      const box = sandbox(files(v));
      try {
        failures.push(...(await check(worker, v, box)));
      } finally {
        box.cleanup();
      }
    }
    return failures;
  } finally {
    worker.close();
  }
}

describe('every vector in a separate CLI process (worker)', () => {
  it('passes every parse vector (show and export)', async () => {
    const failures = await failuresInWorker(parse, (v) => ({ [v.package]: v.input }), async (worker, v, box) => {
      const out: string[] = [];
      for (const cmd of ['show', 'export'] as const) {
        const r = await worker.run(['-c', box.confdir, '-t', box.savedir, cmd, v.package]);
        if (r.exit !== v[cmd].exit || r.stdout !== v[cmd].stdout) out.push(`${v.id} ${cmd}`);
      }
      return out;
    });
    expect(failures).toEqual([]);
  }, 120_000);

  it('passes every batch vector (stdout, exit, stderr words, files)', async () => {
    const failures = await failuresInWorker(batch, (v) => v.files, async (worker, v, box) => {
      const r = await worker.run(['-c', box.confdir, '-t', box.savedir, 'batch'], v.batch);
      const problems = batchProblems(v, r, box.confdir);
      return problems.length ? [`${v.id}: ${problems.join('; ')}`] : [];
    });
    expect(failures).toEqual([]);
  }, 120_000);
});

// The executable itself, one process per command as the agent's SDEWAN_UCI_BIN runs it:
// bin/sdewan-uci's shell wrapper, standard input read to its end, standard output and error
// written, the exit code. A Node start-up per command costs some 80 ms of CPU, so this runs a
// sample: every hand-written vector and every 16th generated one (the worker above runs every
// vector through the same command line code).
describe('vectors through bin/sdewan-uci, one process per command', () => {
  const cli = CLI();
  const LIMIT = 3;
  const sampled = <T extends { id: string }>(vectors: T[]) => vectors.filter((v, i) => !/-rand-/.test(v.id) || i % 16 === 0);
  const parseSample = sampled(parse);
  const batchSample = sampled(batch);

  it('passes the sampled parse vectors (show and export)', async () => {
    const failures: string[] = [];
    await mapLimit(parseSample, LIMIT, async (v) => {
      const box = sandbox({ [v.package]: v.input });
      try {
        for (const cmd of ['show', 'export'] as const) {
          const r = await execa(cli, ['-c', box.confdir, '-t', box.savedir, cmd, v.package], {
            reject: false,
            stripFinalNewline: false,
          });
          const want = v[cmd];
          if (r.exitCode !== want.exit || r.stdout !== want.stdout) failures.push(`${v.id} ${cmd}`);
        }
      } finally {
        box.cleanup();
      }
    });
    // the 24 hand-written ones and 25 generated ones
    expect(parseSample.length).toBeGreaterThan(45);
    expect(failures).toEqual([]);
  }, 600_000);

  it('passes the sampled batch vectors (stdout, exit, stderr words, files)', async () => {
    const failures: string[] = [];
    await mapLimit(batchSample, LIMIT, async (v) => {
      const box = sandbox(v.files);
      try {
        const r = await execa(cli, ['-c', box.confdir, '-t', box.savedir, 'batch'], {
          input: v.batch,
          reject: false,
          stripFinalNewline: false,
        });
        const problems = batchProblems(v, { exit: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr }, box.confdir);
        if (problems.length) failures.push(`${v.id}: ${problems.join('; ')}`);
      } finally {
        box.cleanup();
      }
    });
    // the 28 hand-written ones and 25 generated ones
    expect(batchSample.length).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  }, 600_000);
});
