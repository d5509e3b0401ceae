/**
 * The engine's fast paths give what the slow ones give: the save directory kept in memory
 * gives every batch vector's output and files; the package computed after a commit equals the
 * parse of the committed text; loads served from the caches see every change of the file,
 * even one that keeps its size and mtime.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBytes, toBytes } from '../../src/uci/bytes.js';
import { UciEngine } from '../../src/uci/engine.js';
import { parsePackageBytes } from '../../src/uci/parser.js';
import { createUciStore, EmbeddedRunner, parseUci } from '../../src/uci/index.js';
import { batchVectors, readConfigs, sandbox, uciWords } from './helpers.js';

describe('batch vectors with the save directory in memory', () => {
  it('give the recorded exit, stdout, stderr and files, run twice on the same paths', () => {
    const failures: string[] = [];
    const box = sandbox();
    try {
      for (const v of batchVectors()) {
        for (const round of [1, 2]) {
          for (const n of fs.readdirSync(box.confdir)) fs.rmSync(path.join(box.confdir, n));
          for (const [name, text] of Object.entries(v.files)) fs.writeFileSync(path.join(box.confdir, name), text);
          const engine = new UciEngine({ confdir: box.confdir, savedir: box.savedir, saveIn: new Map(), input: () => toBytes(v.batch) });
          const exit = engine.command(['batch']);
          const got = { exit, stdout: fromBytes(engine.stdout), stderr: uciWords(fromBytes(engine.stderr)), files: readConfigs(box.confdir, Object.keys(v.files_after)) };
          const want = { exit: v.exit, stdout: v.stdout, stderr: uciWords(v.stderr), files: v.files_after };
          if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${v.id} (round ${round})`);
        }
      }
    } finally {
      box.cleanup();
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

const secArb = fc.constantFrom('a', 'b', 'c', 'cfg010f01');
const optArb = fc.constantFrom('x', 'y');
const valArb = fc.constantFrom('1', "it's", '', 'a b', 'line\nbreak');
const refArb = fc.oneof(secArb, fc.constantFrom('@t[0]', '@t[-1]', '@u[1]', '@[2]'));
const cmdArb = fc.oneof(
  fc.tuple(refArb, fc.constantFrom('t', 'u', 'longer')).map(([s, t]) => `set pkg.${s}=${t}`),
  fc.tuple(refArb, optArb, valArb).map(([s, o, v]) => `set pkg.${s}.${o}='${v.replace(/'/g, "'\\''")}'`),
  fc.tuple(refArb, optArb, valArb).map(([s, o, v]) => `add_list pkg.${s}.${o}='${v.replace(/'/g, "'\\''")}'`),
  fc.tuple(refArb, optArb, valArb).map(([s, o, v]) => `del_list pkg.${s}.${o}='${v.replace(/'/g, "'\\''")}'`),
  fc.tuple(refArb, fc.option(optArb, { nil: undefined })).map(([s, o]) => `delete pkg.${s}${o ? `.${o}` : ''}`),
  fc.tuple(refArb, fc.oneof(secArb, optArb)).map(([s, to]) => `rename pkg.${s}=${to}`),
  fc.tuple(refArb, optArb, optArb).map(([s, o, to]) => `rename pkg.${s}.${o}=${to}`),
  fc.tuple(refArb, fc.nat(4)).map(([s, n]) => `reorder pkg.${s}=${n}`),
  fc.constantFrom('add pkg t', 'add pkg u'),
);

describe('after a commit', () => {
  it('the package computed from the model is the parse of the committed text', () => {
    const box = sandbox();
    let computed = 0;
    try {
      fc.assert(
        fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 12 }), fc.array(cmdArb, { maxLength: 12 }), (first, second) => {
          fs.writeFileSync(path.join(box.confdir, 'pkg'), "config t\n\toption x '1'\n\nconfig u 'b'\nconfig t\n");
          for (const cmds of [first, second]) {
            const engine = new UciEngine({ confdir: box.confdir, savedir: box.savedir, saveIn: new Map(), input: () => `${cmds.join('\n')}\n` });
            engine.command(['batch']);
            engine.command(['commit', 'pkg']);
            const c = engine.committed.get('pkg');
            if (!c?.pkg) continue;
            computed++;
            const parsed = parsePackageBytes(c.content.text, 'pkg').pkg;
            const shape = (p: typeof parsed) => ({ n: p.nSection, sections: p.sections.map((s) => ({ ...s })) });
            expect(shape(c.pkg)).toEqual(shape(parsed));
            expect(c.content.text).toBe(fs.readFileSync(path.join(box.confdir, 'pkg'), 'latin1'));
          }
        }),
        { numRuns: 400 },
      );
    } finally {
      box.cleanup();
    }
    expect(computed).toBeGreaterThan(100);
  });
});

describe('the store over the cached engine', () => {
  it('sees a change by hand that keeps the size and the mtime of the file', async () => {
    const box = sandbox({ mwan3: "config rule 'a'\n\toption x '1'\n" });
    try {
      const store = createUciStore({ confdir: box.confdir, savedir: box.savedir, runner: new EmbeddedRunner() });
      const file = path.join(box.confdir, 'mwan3');
      await store.update('mwan3', () => [{ op: 'set', section: 'a', option: 'y', value: '2' }]);
      const st = fs.statSync(file);
      // same length, same mtime: '1' becomes '9' in place
      const edited = fs.readFileSync(file, 'utf8').replace("option x '1'", "option x '9'");
      fs.writeFileSync(file, edited, { flag: 'r+' });
      fs.utimesSync(file, st.atime, st.mtime);
      await store.update('mwan3', () => [{ op: 'set', section: 'a', option: 'z', value: '3' }]);
      const a = parseUci(fs.readFileSync(file), 'mwan3').sections[0]!;
      expect(Object.fromEntries(a.options)).toEqual({ x: '9', y: '2', z: '3' });
    } finally {
      box.cleanup();
    }
  });
});
