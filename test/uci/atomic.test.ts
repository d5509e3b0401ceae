/** The atomic replacement of a config file (src/uci/atomic.ts): uci's temp names, the mode, a taken name, a linked file. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { atomicWriteFileSync } from '../../src/uci/atomic.js';
import { FileBytes } from '../../src/uci/bytes.js';
import { isRoot } from '../helpers/requirements.js';
import { createUciStore, EmbeddedRunner } from '../../src/uci/index.js';
import { sandbox, type Sandbox } from './helpers.js';

let box: Sandbox;
afterEach(() => {
  vi.restoreAllMocks();
  box?.cleanup();
});

describe('atomicWriteFileSync', () => {
  it('replaces the file with the given mode and leaves no temporary file', () => {
    box = sandbox({ mwan3: 'old\n' });
    const file = path.join(box.confdir, 'mwan3');
    atomicWriteFileSync(file, 'new\n', { mode: 0o640, syncDir: false });
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(box.confdir)).toEqual(['mwan3']);
  });

  it('tries another temporary name when one is taken, leaving that file alone', () => {
    box = sandbox({ mwan3: 'old\n' });
    const file = path.join(box.confdir, 'mwan3');
    // the first name drawn is .mwan3.uci-AAAAAA (Math.random 0 picks the first letter), then others
    const taken = path.join(box.confdir, '.mwan3.uci-AAAAAA');
    fs.writeFileSync(taken, 'someone else\n');
    let draws = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => (draws++ < 6 ? 0 : 0.5));
    atomicWriteFileSync(file, 'new\n', { syncDir: false });
    expect(draws).toBe(12);
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    expect(fs.readFileSync(taken, 'utf8')).toBe('someone else\n');
    expect(fs.readdirSync(box.confdir).sort()).toEqual(['.mwan3.uci-AAAAAA', 'mwan3']);
  });

  it('writes bytes in pieces byte for byte', () => {
    box = sandbox({ mwan3: 'old\n' });
    const file = path.join(box.confdir, 'mwan3');
    const pieces = Array.from({ length: 3000 }, (_, i) => Buffer.from(`\nconfig rule 'r${i}'\n`));
    atomicWriteFileSync(file, new FileBytes(pieces), { syncDir: false });
    expect(fs.readFileSync(file).equals(Buffer.concat(pieces))).toBe(true);
  });

  // a disk with room for part of the bytes: a write writes some, the next fails with ENOSPC
  it.runIf(isRoot)('leaves the file as it was, and no temporary file, when the disk fills up part way through the pieces', () => {
    box = sandbox();
    const mnt = path.join(box.root, 'small');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    try {
      const file = path.join(mnt, 'mwan3');
      fs.writeFileSync(file, 'old\n');
      fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(32 * 1024));
      const pieces = Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x61));
      expect(() => atomicWriteFileSync(file, new FileBytes(pieces), { syncDir: false })).toThrow(/ENOSPC/);
      expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
      expect(fs.readdirSync(mnt).sort()).toEqual(['filler', 'mwan3']);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

describe('a commit', () => {
  it('replaces the file a symbolic link in the config directory points to, keeping the link and the mode', async () => {
    box = sandbox();
    const real = path.join(box.root, 'elsewhere');
    fs.writeFileSync(real, "config rule 'a'\n", { mode: 0o600 });
    fs.symlinkSync(real, path.join(box.confdir, 'mwan3'));
    const store = createUciStore({ confdir: box.confdir, savedir: box.savedir, runner: new EmbeddedRunner() });
    await store.update('mwan3', () => [{ op: 'set', section: 'a', option: 'proto', value: 'tcp' }]);
    expect(fs.lstatSync(path.join(box.confdir, 'mwan3')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe("\nconfig rule 'a'\n\toption proto 'tcp'\n\n");
    expect(fs.statSync(real).mode & 0o777).toBe(0o600);
  });
});
