/** The UciStore: cached reads, one writer per package, nothing written on failure, binary path. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BinaryRunner,
  createRunner,
  createUciStore,
  EmbeddedRunner,
  parseUci,
  UciBatchError,
  UciParseError,
  type BatchResult,
  type BatchRunner,
  type UciStore,
} from '../../src/uci/index.js';
import { CLI, sandbox, type Sandbox } from './helpers.js';

/** Counts the batches it runs. */
class CountingRunner implements BatchRunner {
  readonly kind = 'embedded' as const;
  calls = 0;
  constructor(private readonly inner: BatchRunner = new EmbeddedRunner()) {}
  run(batch: string, opts: { confdir: string; savedir: string }): Promise<BatchResult> {
    this.calls++;
    return this.inner.run(batch, opts);
  }
}

let box: Sandbox | undefined;
afterEach(() => {
  box?.cleanup();
  box = undefined;
});

function setup(files: Record<string, string>, runner: BatchRunner = new EmbeddedRunner()): { store: UciStore; box: Sandbox } {
  box = sandbox(files);
  return { store: createUciStore({ confdir: box.confdir, savedir: box.savedir, runner }), box };
}

const MWAN3 = "config policy 'balanced'\n\tlist use_member 'm1'\n\nconfig rule 'https'\n\toption use_policy 'balanced'\n";

describe('read', () => {
  it('parses the file, serves it from cache without a process, and sees edits by hand', async () => {
    const runner = new CountingRunner();
    const { store, box } = setup({ mwan3: MWAN3 }, runner);
    const a = await store.read('mwan3');
    expect(a.sections.map((s) => s.name)).toEqual(['balanced', 'https']);
    expect(a.sections[0]!.options.get('use_member')).toEqual(['m1']);
    // The cache's own package (read-only), the same object while the file keeps its identity.
    const b = await store.read('mwan3');
    expect(b).toBe(a);
    // A change made by hand (new inode via rename) shows at the next read.
    const tmp = path.join(box.confdir, '.edit');
    fs.writeFileSync(tmp, `${MWAN3}\nconfig rule 'new'\n`);
    fs.renameSync(tmp, path.join(box.confdir, 'mwan3'));
    expect((await store.read('mwan3')).sections.map((s) => s.name)).toEqual(['balanced', 'https', 'new']);
    // And an in-place edit of another size.
    fs.appendFileSync(path.join(box.confdir, 'mwan3'), "config rule 'more'\n");
    expect((await store.read('mwan3')).sections.map((s) => s.name)).toEqual(['balanced', 'https', 'new', 'more']);
    expect(runner.calls).toBe(0);
  });

  it('reads a missing file as an empty package', async () => {
    const { store } = setup({});
    expect(await store.read('ipsec')).toEqual({ name: 'ipsec', sections: [] });
  });

  it('names the file and line of a malformed config; other packages still read', async () => {
    const { store, box } = setup({ broken: "config t 's'\n\toption a '1'\n\toption b 'unterminated\n", mwan3: MWAN3 });
    const err = await store.read('broken').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UciParseError);
    expect((err as UciParseError).file).toBe(path.join(box.confdir, 'broken'));
    expect((err as UciParseError).line).toBe(3);
    expect((err as Error).message).toContain(`${path.join(box.confdir, 'broken')}:3`);
    const err2 = await store.read('broken').catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(UciParseError);
    expect((await store.read('mwan3')).sections).toHaveLength(2);
    await expect(store.update('broken', () => [{ op: 'set', section: 's', option: 'c', value: '1' }])).rejects.toBeInstanceOf(UciParseError);
    const bad = "config t 'bad-name'\n";
    fs.writeFileSync(path.join(box.confdir, 'broken'), bad);
    await expect(store.read('broken')).rejects.toMatchObject({ line: 1, reason: 'invalid character in name field' });
  });
});

describe('update', () => {
  it('applies the plan as one batch and commits like uci', async () => {
    const { store, box } = setup({ mwan3: MWAN3 });
    const res = await store.update('mwan3', (cur) => {
      expect(cur.sections).toHaveLength(2);
      return [
        { op: 'section', section: 'p2', type: 'policy' },
        { op: 'add_list', section: 'p2', option: 'use_member', value: 'm1' },
        { op: 'set', section: 'https', option: 'use_policy', value: 'p2' },
      ];
    });
    expect(res.changed).toBe(true);
    expect(res.before).toBe(MWAN3);
    expect(res.batch).toBe("set mwan3.p2=policy\nadd_list mwan3.p2.use_member='m1'\nset mwan3.https.use_policy='p2'\n");
    const expected =
      "\nconfig policy 'balanced'\n\tlist use_member 'm1'\n\nconfig rule 'https'\n\toption use_policy 'p2'\n\nconfig policy 'p2'\n\tlist use_member 'm1'\n\n";
    expect(res.after).toBe(expected);
    expect(fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8')).toBe(expected);
    // No pending changes left behind.
    expect(fs.readFileSync(path.join(box.savedir, 'mwan3'), { flag: 'a+' }).length).toBe(0);
    expect((await store.read('mwan3')).sections.map((s) => s.name)).toEqual(['balanced', 'https', 'p2']);
  });

  it('writes nothing when the plan has no operations', async () => {
    const runner = new CountingRunner();
    const { store, box } = setup({ mwan3: MWAN3 }, runner);
    const before = fs.statSync(path.join(box.confdir, 'mwan3'));
    const res = await store.update('mwan3', () => []);
    expect(res).toEqual({ batch: '', before: MWAN3, after: MWAN3, changed: false });
    const after = fs.statSync(path.join(box.confdir, 'mwan3'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(runner.calls).toBe(0);
  });

  it('writes nothing when uci reports an error, even after ops that worked', async () => {
    const { store, box } = setup({ mwan3: MWAN3, other: "config t 'x'\n" });
    const snapshot = () =>
      Object.fromEntries(fs.readdirSync(box.confdir).map((n) => [n, fs.readFileSync(path.join(box.confdir, n), 'utf8')]));
    const before = snapshot();
    const err = await store
      .update('mwan3', () => [
        { op: 'set', section: 'https', option: 'use_policy', value: 'changed' },
        { op: 'set', section: 'nosuch', option: 'x', value: '1' },
        { op: 'section', section: 'later', type: 'rule' },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UciBatchError);
    expect((err as UciBatchError).stderr).toMatch(/Invalid argument/);
    expect(snapshot()).toEqual(before);
    expect(fs.existsSync(path.join(box.savedir, 'mwan3'))).toBe(false);
    // The next update starts clean: the failed batch's first op is not committed with it.
    await store.update('mwan3', () => [{ op: 'set', section: 'https', option: 'sticky', value: '1' }]);
    const https = parseUci(fs.readFileSync(path.join(box.confdir, 'mwan3')), 'mwan3').sections[1]!;
    expect(Object.fromEntries(https.options)).toEqual({ use_policy: 'balanced', sticky: '1' });
  });

  it('a failed batch on a missing package leaves no file behind', async () => {
    const { store, box } = setup({});
    await expect(store.update('ipsec', () => [{ op: 'delete', section: 'nosuch' }])).rejects.toBeInstanceOf(UciBatchError);
    expect(fs.readdirSync(box.confdir)).toEqual([]);
  });

  it('creates a missing package on first write', async () => {
    const { store, box } = setup({});
    const res = await store.update('ipsec', () => [{ op: 'section', section: 'globals', type: 'ipsec' }]);
    expect(res.before).toBeUndefined();
    expect(res.after).toBe("\nconfig ipsec 'globals'\n\n");
    expect(fs.readFileSync(path.join(box.confdir, 'ipsec'), 'utf8')).toBe(res.after);
  });

  it('ignores pending changes a crashed run left in the save directory', async () => {
    const { store, box } = setup({ mwan3: MWAN3 });
    fs.mkdirSync(box.savedir, { recursive: true });
    fs.writeFileSync(path.join(box.savedir, 'mwan3'), "mwan3.https.use_policy='stale'\n");
    await store.update('mwan3', () => [{ op: 'set', section: 'https', option: 'sticky', value: '1' }]);
    const https = parseUci(fs.readFileSync(path.join(box.confdir, 'mwan3')), 'mwan3').sections[1]!;
    expect(https.options.get('use_policy')).toBe('balanced');
  });

  it('keeps all 200 concurrent changes to one package', async () => {
    const { store, box } = setup({ mwan3: MWAN3 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.update('mwan3', (cur) => [
          { op: 'section', section: `r${i}`, type: 'rule' },
          { op: 'set', section: `r${i}`, option: 'seen', value: String(cur.sections.length) },
          { op: 'add_list', section: 'balanced', option: 'use_member', value: `m${i}` },
        ]),
      ),
    );
    expect(results.every((r) => r.changed)).toBe(true);
    const pkg = parseUci(fs.readFileSync(path.join(box.confdir, 'mwan3')), 'mwan3');
    const names = new Set(pkg.sections.map((s) => s.name));
    for (let i = 0; i < 200; i++) expect(names.has(`r${i}`)).toBe(true);
    expect(pkg.sections).toHaveLength(202);
    expect((pkg.sections[0]!.options.get('use_member') as string[]).length).toBe(201);
    // Each plan saw the state left by the one before it (one writer at a time).
    const seen = pkg.sections.slice(2).map((s) => Number(s.options.get('seen')));
    expect(new Set(seen).size).toBe(200);
  }, 120_000);

  it('restore puts back a file atomically, or removes it', async () => {
    const { store, box } = setup({ mwan3: MWAN3 });
    const res = await store.update('mwan3', () => [{ op: 'delete', section: 'https' }]);
    await store.restore('mwan3', res.before);
    expect(fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8')).toBe(MWAN3);
    expect((await store.read('mwan3')).sections).toHaveLength(2);
    await store.restore('mwan3', undefined);
    expect(fs.existsSync(path.join(box.confdir, 'mwan3'))).toBe(false);
    expect(fs.readdirSync(box.confdir)).toEqual([]);
  });

  it('restore with ifCurrent writes only over the expected content', async () => {
    const { store, box } = setup({ mwan3: MWAN3 });
    const res = await store.update('mwan3', () => [{ op: 'delete', section: 'https' }]);
    // Someone changed the file since: no write.
    fs.appendFileSync(path.join(box.confdir, 'mwan3'), "\nconfig rule 'by_hand'\n");
    const changedByHand = fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8');
    expect(await store.restore('mwan3', res.before, { ifCurrent: res.after })).toBe(false);
    expect(fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8')).toBe(changedByHand);
    expect(await store.restore('mwan3', res.before, { ifCurrent: changedByHand })).toBe(true);
    expect(fs.readFileSync(path.join(box.confdir, 'mwan3'), 'utf8')).toBe(MWAN3);
  });
});

describe('the binary runner, on bin/sdewan-uci', () => {
  it('is chosen when configured, and when uci is on PATH', () => {
    expect(createRunner(CLI()).kind).toBe('binary');
    expect(createRunner(undefined, { searchPath: '/nonexistent' }).kind).toBe('embedded');
    expect(createRunner('embedded').kind).toBe('embedded');
    const dir = sandbox();
    try {
      fs.symlinkSync(CLI(), path.join(dir.root, 'uci'));
      const r = createRunner(undefined, { searchPath: dir.root });
      expect(r).toBeInstanceOf(BinaryRunner);
      expect((r as BinaryRunner).bin).toBe(path.join(dir.root, 'uci'));
    } finally {
      dir.cleanup();
    }
  });

  it('gives the same files as the embedded engine, concurrent updates and failures included', async () => {
    const files = { mwan3: MWAN3 };
    const embedded = setup(files);
    const ops = (i: number) => [
      { op: 'section' as const, section: `r${i}`, type: 'rule' },
      { op: 'set' as const, section: `r${i}`, option: 'v', value: `it's ${i}\nline` },
      { op: 'add' as const, type: 'anon' },
      { op: 'set' as const, section: '@anon[-1]', option: 'i', value: String(i) },
    ];
    await Promise.all(Array.from({ length: 8 }, (_, i) => embedded.store.update('mwan3', () => ops(i))));
    const want = fs.readFileSync(path.join(embedded.box.confdir, 'mwan3'), 'utf8');
    embedded.box.cleanup();

    const binBox = sandbox(files);
    const runner = new BinaryRunner(CLI());
    try {
      const store = createUciStore({ confdir: binBox.confdir, savedir: binBox.savedir, runner });
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.update('mwan3', () => ops(i))));
      expect(fs.readFileSync(path.join(binBox.confdir, 'mwan3'), 'utf8')).toBe(want);
      const before = fs.readFileSync(path.join(binBox.confdir, 'mwan3'), 'utf8');
      await expect(store.update('mwan3', () => [{ op: 'rename', section: 'nosuch', to: 'x' }])).rejects.toMatchObject({
        name: 'UciBatchError',
        stderr: expect.stringMatching(/Entry not found/),
      });
      expect(fs.readFileSync(path.join(binBox.confdir, 'mwan3'), 'utf8')).toBe(before);
    } finally {
      runner.close();
      binBox.cleanup();
    }
  }, 120_000);
});
