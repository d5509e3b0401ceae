/**
 * The recorded behaviour of the real uci (test/vectors) replayed through the library API and
 * through bin/sdewan-uci as a real process: stdout, exit code, every file after the batch byte
 * for byte, and stderr in uci's own words.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EmbeddedRunner, parseUci, runUciCli, exportUci, showUci, UciParseError } from '../../src/uci/index.js';
import { batchVectors, CLI, mapLimit, parseVectors, readConfigs, sandbox, uciWords } from './helpers.js';

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

describe('vectors through bin/sdewan-uci as a real process', () => {
  const cli = CLI();
  const LIMIT = 3;

  it('passes every parse vector (show and export)', async () => {
    const failures: string[] = [];
    await mapLimit(parse, LIMIT, async (v) => {
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
        const ok =
          r.exitCode === v.exit &&
          r.stdout === v.stdout &&
          uciWords(r.stderr) === uciWords(v.stderr) &&
          JSON.stringify(files) === JSON.stringify(v.files_after);
        if (!ok) failures.push(v.id);
      } finally {
        box.cleanup();
      }
    });
    expect(failures).toEqual([]);
  }, 600_000);
});
