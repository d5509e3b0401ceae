/**
 * Property tests: random configs survive serialize -> parse; random operation sequences give
 * what a small reference model of uci predicts (and failing batches change nothing); any
 * storable value survives set, commit and read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createUciStore,
  EmbeddedRunner,
  parseUci,
  serializeUci,
  UciBatchError,
  type BatchOp,
  type UciPackage,
  type UciValue,
} from '../../src/uci/index.js';
import { sandbox } from './helpers.js';

const nameArb = fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/);
/** Any text a config file can hold (no NUL). */
const textArb = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\0'));
/** Any value uci accepts in a batch (no control characters but tab, LF, CR; well-formed). */
const valueArb = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 20 })
  // eslint-disable-next-line no-control-regex
  .filter((s) => !/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(s));

const optionValueArb: fc.Arbitrary<UciValue> = fc.oneof(
  textArb.filter((s) => s !== ''),
  fc.array(textArb, { minLength: 1, maxLength: 4 }),
);

const packageArb: fc.Arbitrary<UciPackage> = fc
  .array(
    fc.record({
      type: nameArb,
      name: fc.option(nameArb, { nil: undefined }),
      options: fc.uniqueArray(fc.tuple(nameArb, optionValueArb), { selector: (t) => t[0], maxLength: 5 }),
    }),
    { maxLength: 8 },
  )
  .map((secs) => {
    const seen = new Set<string>();
    const sections = secs
      .filter((s) => s.name === undefined || (!seen.has(s.name) && seen.add(s.name)))
      .map((s) => ({ type: s.type, name: s.name ?? '', anonymous: s.name === undefined, options: new Map(s.options) }));
    return { name: 'pkg', sections };
  });

/** Compare without the generated names of anonymous sections. */
const shape = (p: UciPackage) => p.sections.map((s) => ({ ...s, name: s.anonymous ? '' : s.name, options: [...s.options] }));

describe('serialize then parse', () => {
  it('gives back the same model, and the text is a fixed point', () => {
    fc.assert(
      fc.property(packageArb, (pkg) => {
        const text = serializeUci(pkg);
        const back = parseUci(text, 'pkg');
        expect(shape(back)).toEqual(shape(pkg));
        expect(serializeUci(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- a reference model of what uci does with named sections ----

type RefSection = { name: string; type: string; options: [string, UciValue][] };

function refApply(state: RefSection[], op: BatchOp): RefSection[] | 'error' {
  const next = state.map((s) => ({ ...s, options: s.options.map(([k, v]) => [k, Array.isArray(v) ? [...v] : v] as [string, UciValue]) }));
  if (op.op === 'section') {
    const s = next.find((x) => x.name === op.section);
    if (s) s.type = op.type;
    else next.push({ name: op.section, type: op.type, options: [] });
    return next;
  }
  if (op.op === 'add' || op.op === 'reorder' || op.op === 'rename') throw new Error(`not generated: ${op.op}`);
  const s = next.find((x) => x.name === op.section);
  if (!s) return 'error';
  const idx = s.options.findIndex(([k]) => 'option' in op && k === op.option);
  switch (op.op) {
    case 'set':
      if (idx < 0) s.options.push([op.option, op.value]);
      else s.options[idx] = [op.option, op.value];
      return next;
    case 'add_list':
      if (idx < 0) s.options.push([op.option, [op.value]]);
      else {
        const cur = s.options[idx]![1];
        s.options[idx] = [op.option, Array.isArray(cur) ? [...cur, op.value] : [cur, op.value]];
      }
      return next;
    case 'del_list':
      if (idx >= 0) {
        const cur = s.options[idx]![1];
        if (Array.isArray(cur)) s.options[idx] = [op.option, cur.filter((v) => v !== op.value)];
      }
      return next;
    case 'delete':
      if (op.option === undefined) return next.filter((x) => x !== s);
      if (idx < 0) return 'error';
      s.options.splice(idx, 1);
      return next;
  }
}

const refCommitted = (state: RefSection[]) =>
  state.map((s) => ({ name: s.name, type: s.type, options: s.options.filter(([, v]) => !Array.isArray(v) || v.length > 0) }));

const secNameArb = fc.constantFrom('a', 'b', 'c', 'd');
const optNameArb = fc.constantFrom('x', 'y', 'z');
const smallValueArb = fc.oneof(fc.constantFrom('1', '2', "it's", 'a b', 'line\nbreak'), valueArb);
const opArb: fc.Arbitrary<BatchOp> = fc.oneof(
  fc.record({ op: fc.constant('section' as const), section: secNameArb, type: fc.constantFrom('t', 'u', 'longer') }),
  fc.record({ op: fc.constant('set' as const), section: secNameArb, option: optNameArb, value: smallValueArb }),
  fc.record({ op: fc.constant('add_list' as const), section: secNameArb, option: optNameArb, value: smallValueArb }),
  fc.record({ op: fc.constant('del_list' as const), section: secNameArb, option: optNameArb, value: smallValueArb }),
  fc.record({ op: fc.constant('delete' as const), section: secNameArb, option: fc.option(optNameArb, { nil: undefined }) }),
);

describe('random operation sequences', () => {
  it('match the reference model; a failing batch changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), async (batches) => {
        const box = sandbox({}, 'uci-prop-');
        try {
          const store = createUciStore({ confdir: box.confdir, savedir: box.savedir, runner: new EmbeddedRunner() });
          let ref: RefSection[] = [];
          for (const ops of batches) {
            let next: RefSection[] | 'error' = ref;
            for (const op of ops) {
              if (next === 'error') break;
              next = refApply(next, op);
            }
            const file = path.join(box.confdir, 'pkg');
            const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
            if (next === 'error') {
              await expect(store.update('pkg', () => ops)).rejects.toBeInstanceOf(UciBatchError);
              expect(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined).toBe(before);
              continue;
            }
            await store.update('pkg', () => ops);
            ref = refCommitted(next);
            const text = fs.readFileSync(file, 'utf8');
            const got = parseUci(text, 'pkg');
            expect(got.sections.map((s) => ({ name: s.name, type: s.type, options: [...s.options] }))).toEqual(ref);
            // What uci commits is canonical: parsing and writing it again changes nothing.
            expect(serializeUci(got)).toBe(text);
            expect(await store.read('pkg')).toEqual(got);
          }
        } finally {
          box.cleanup();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('a value of arbitrary characters', () => {
  // eslint-disable-next-line no-control-regex
  const storable = (v: string) => !/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(v);
  const anyValue = fc.oneof(valueArb, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(storable));

  it('survives set, commit and read, as an option and in a list', async () => {
    const box = sandbox({}, 'uci-prop-');
    try {
      const store = createUciStore({ confdir: box.confdir, savedir: box.savedir, runner: new EmbeddedRunner() });
      let k = 0;
      await fc.assert(
        fc.asyncProperty(anyValue, async (value) => {
          const section = `s${k++}`;
          await store.update('pkg', () => [
            { op: 'section', section, type: 't' },
            { op: 'set', section, option: 'v', value },
            { op: 'add_list', section, option: 'l', value },
            { op: 'add_list', section, option: 'l', value: `${value}'2` },
          ]);
          const s = (await store.read('pkg')).sections.find((x) => x.name === section)!;
          expect(s.options.get('v')).toBe(value);
          expect(s.options.get('l')).toEqual([value, `${value}'2`]);
        }),
        { numRuns: 150 },
      );
    } finally {
      box.cleanup();
    }
  }, 120_000);
});
