/** The batch builder against hostile values and names: round trip unchanged, no injection. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildBatch,
  EmbeddedRunner,
  parseUci,
  quoteUciValue,
  UciNameError,
  UciValueError,
  type BatchOp,
} from '../../src/uci/index.js';
import { sandbox, type Sandbox } from './helpers.js';

const HOSTILE = [
  "'",
  "''",
  "it's",
  '\\',
  '\\\\',
  "\\'",
  '"',
  '"\'"',
  '\n',
  'two\nlines',
  '\r\n',
  'trailing\\',
  "'\n commit",
  "x'\ncommit pkg\nset pkg.s.o='pwned",
  "'; rm -rf / #",
  '$(reboot)',
  '`id`',
  '# not a comment',
  'a;b',
  ' leading and trailing ',
  '\t',
  'héllo wörld ✓ 日本語 🚀',
  '=',
  'pkg.s.o=x',
  "line1\n'\\''\nline3'",
];

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

async function applyAndCommit(ops: BatchOp[]): Promise<{ stderr: string; text: string }> {
  box = sandbox({ pkg: "config t 's'\n" });
  const runner = new EmbeddedRunner();
  const r = await runner.run(`${buildBatch('pkg', ops)}commit pkg\n`, { confdir: box.confdir, savedir: box.savedir });
  return { stderr: r.stderr, text: fs.readFileSync(path.join(box.confdir, 'pkg'), 'utf8') };
}

describe('quoteUciValue', () => {
  it('wraps in single quotes and writes a quote as quote-backslash-quote-quote', () => {
    expect(quoteUciValue('')).toBe("''");
    expect(quoteUciValue("it's")).toBe("'it'\\''s'");
    expect(quoteUciValue('a\\b\n"c"')).toBe("'a\\b\n\"c\"'");
  });
});

describe('buildBatch', () => {
  it('writes one uci command per op', () => {
    expect(
      buildBatch('mwan3', [
        { op: 'section', section: 'p1', type: 'policy' },
        { op: 'set', section: 'p1', option: 'last_resort', value: 'unreachable' },
        { op: 'add_list', section: 'p1', option: 'use_member', value: 'm1' },
        { op: 'del_list', section: 'p1', option: 'use_member', value: 'm0' },
        { op: 'delete', section: 'p1', option: 'x' },
        { op: 'delete', section: '@rule[-1]' },
        { op: 'rename', section: 'p1', to: 'p2' },
        { op: 'rename', section: 'p2', option: 'a', to: 'b' },
        { op: 'reorder', section: 'p2', position: 0 },
        { op: 'add', type: 'rule' },
      ]),
    ).toBe(
      [
        'set mwan3.p1=policy',
        "set mwan3.p1.last_resort='unreachable'",
        "add_list mwan3.p1.use_member='m1'",
        "del_list mwan3.p1.use_member='m0'",
        'delete mwan3.p1.x',
        'delete mwan3.@rule[-1]',
        'rename mwan3.p1=p2',
        'rename mwan3.p2.a=b',
        'reorder mwan3.p2=0',
        'add mwan3 rule',
        '',
      ].join('\n'),
    );
    expect(buildBatch('x', [])).toBe('');
  });

  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('set %s comes back unchanged after apply, commit and parse', async (_l, value) => {
    const { stderr, text } = await applyAndCommit([
      { op: 'set', section: 's', option: 'o', value },
      { op: 'add_list', section: 's', option: 'l', value },
      { op: 'add_list', section: 's', option: 'l', value: 'second' },
    ]);
    expect(stderr).toBe('');
    const s = parseUci(text, 'pkg').sections;
    expect(s).toHaveLength(1);
    expect(s[0]!.options.get('o')).toBe(value);
    expect(s[0]!.options.get('l')).toEqual([value, 'second']);
    expect([...s[0]!.options.keys()]).toEqual(['o', 'l']);
  });

  it('cannot inject a command through a value', async () => {
    box = sandbox({ pkg: "config t 's'\n" });
    const runner = new EmbeddedRunner();
    const value = "x'\ncommit pkg\nset pkg.s.pwned='1'\nadd pkg evil\n'";
    const r = await runner.run(buildBatch('pkg', [{ op: 'set', section: 's', option: 'o', value }]), box);
    expect(r).toEqual({ exit: 0, stdout: '', stderr: '' });
    // Nothing committed, and the only pending change is the one set.
    expect(fs.readFileSync(path.join(box.confdir, 'pkg'), 'utf8')).toBe("config t 's'\n");
    const changes = await runner.run('changes pkg\n', box);
    expect(changes.stdout).toBe(`pkg.s.o=${quoteUciValue(value)}\n`);
  });

  it.each([
    ['package', () => buildBatch('bad-name', [])],
    ['package with dot', () => buildBatch('a.b', [])],
    ['empty package', () => buildBatch('', [])],
    ['section', () => buildBatch('p', [{ op: 'set', section: 'a b', option: 'o', value: 'v' }])],
    ['section with quote', () => buildBatch('p', [{ op: 'delete', section: "s'" }])],
    ['section injection', () => buildBatch('p', [{ op: 'delete', section: 's\ncommit' }])],
    ['bad @ref', () => buildBatch('p', [{ op: 'delete', section: '@rule[x]' }])],
    ['option', () => buildBatch('p', [{ op: 'set', section: 's', option: 'o.p', value: 'v' }])],
    ['option with =', () => buildBatch('p', [{ op: 'add_list', section: 's', option: 'o=1', value: 'v' }])],
    ['type', () => buildBatch('p', [{ op: 'section', section: 's', type: 'my-type' }])],
    ['add type', () => buildBatch('p', [{ op: 'add', type: 'rule\ncommit' }])],
    ['rename target', () => buildBatch('p', [{ op: 'rename', section: 's', to: 'bad-name' }])],
    ['unicode name', () => buildBatch('p', [{ op: 'set', section: 'sé', option: 'o', value: 'v' }])],
  ])('refuses a bad %s name', (_l, fn) => {
    expect(fn).toThrow(UciNameError);
  });

  it('accepts @type[index] references, negative ones too', () => {
    expect(buildBatch('p', [{ op: 'set', section: '@zone[-2]', option: 'o', value: 'v' }])).toBe("set p.@zone[-2].o='v'\n");
  });

  it.each(['\u0000', 'a\u0001b', '\u001b[31m', 'x\u007f'.slice(0, 1) + '\u0008'])('refuses control characters uci cannot store (%j)', (v) => {
    expect(() => buildBatch('p', [{ op: 'set', section: 's', option: 'o', value: v }])).toThrow(UciValueError);
  });

  it('refuses a bad reorder position', () => {
    expect(() => buildBatch('p', [{ op: 'reorder', section: 's', position: -1 }])).toThrow(RangeError);
    expect(() => buildBatch('p', [{ op: 'reorder', section: 's', position: 1.5 }])).toThrow(RangeError);
  });
});
