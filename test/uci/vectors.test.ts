/**
 * The recorded behaviour of the real uci (test/vectors) replayed through the library API and
 * through bin/sdewan-uci as a real process: stdout, exit code, every file after the batch byte
 * for byte, and stderr in uci's own words.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EmbeddedRunner, parseUci, runUciCli, exportUci, showUci, UciParseError } from '../../src/uci/index.js';
import { batchVectors, CLI, CliWorker, mapLimit, parseVectors, readConfigs, sandbox, uciWords } from './helpers.js';

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

describe('parse vectors in a separate CLI process (worker)', () => {
  it('passes every parse vector (show and export)', async () => {
    const worker = new CliWorker();
    try {
      const failures: string[] = [];
      for (const v of parse) {
        const box = sandbox({ [v.package]: v.input });
        try {
          for (const cmd of ['show', 'export'] as const) {
            const r = await worker.run(['-c', box.confdir, '-t', box.savedir, cmd, v.package]);
            if (r.exit !== v[cmd].exit || r.stdout !== v[cmd].stdout) failures.push(`${v.id} ${cmd}`);
          }
        } finally {
          box.cleanup();
        }
      }
      expect(failures).toEqual([]);
    } finally {
      worker.close();
    }
  }, 120_000);
});

describe('vectors through bin/sdewan-uci, one process per command', () => {
  const cli = CLI();
  const LIMIT = 3;

  // Every hand-written parse vector and every 8th generated one (the worker covers them all).
  const parseSample = parse.filter((v, i) => !v.id.startsWith('parse-rand') || i % 8 === 0);

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
    expect(parseSample.length).toBeGreaterThan(60);
    expect(failures).toEqual([]);
  }, 600_000);

  it('passes every batch vector (stdout, exit, stderr words, files)', async () => {
    const failures: string[] = [];
    await mapLimit(batch, LIMIT, async (v) => {
      const box = sandbox(v.files);
      try {
        const r = await execa(cli, ['-c', box.confdir, '-t', box.savedir, 'batch'], {
          input: v.batch,
          reject: false,
          stripFinalNewline: false,
        });
        const files = readConfigs(box.confdir, Object.keys(v.files_after));
        const problems: string[] = [];
        if (r.exitCode !== v.exit) problems.push(`exit ${r.exitCode}`);
        if (r.stdout !== v.stdout) problems.push(`stdout ${JSON.stringify(r.stdout)}`);
        if (uciWords(r.stderr) !== uciWords(v.stderr)) problems.push(`stderr ${JSON.stringify(r.stderr)}`);
        if (JSON.stringify(files) !== JSON.stringify(v.files_after)) problems.push('files');
        if (problems.length) failures.push(`${v.id}: ${problems.join('; ')}`);
      } finally {
        box.cleanup();
      }
    });
    expect(failures).toEqual([]);
  }, 600_000);
});
