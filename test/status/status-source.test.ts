// The system status source: the exact programs and arguments it runs (recording fakes on
// PATH), the conntrack proc file first, the conntrack program when the file cannot be read,
// and the bound on how much of the table is read.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemStatusSource, wholeLinesWithin } from '../../src/host/status-source.js';
import { conntrackStatus } from '../../src/status/conntrack.js';
import { makeFakeBin, referenceDir, type FakeBin } from './fakebin.js';

const kernel = (name: string) => path.join(referenceDir, 'kernel', name);

describe('wholeLinesWithin', () => {
  it('keeps text within the limit as is, and cuts longer text after its last whole line', () => {
    expect(wholeLinesWithin('a\nb\n', 4)).toEqual({ text: 'a\nb\n', truncated: false });
    expect(wholeLinesWithin('aa\nbb\ncc\n', 7)).toEqual({ text: 'aa\nbb\n', truncated: true });
    expect(wholeLinesWithin('aaaa\n', 2)).toEqual({ text: '', truncated: true });
  });
});

describe('systemStatusSource', () => {
  let bin: FakeBin;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    bin = makeFakeBin();
    env = { ...process.env, PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  });
  afterEach(() => bin.cleanup());
  const calls = () => readFileSync(bin.argsFile, 'utf8').trim().split('\n');

  it('runs ip with fixed argument arrays and returns its output as is', async () => {
    bin.add('ip', kernel('ip-rule.json'));
    const source = systemStatusSource({ timeoutMs: 10_000, env, conntrackFile: kernel('nf_conntrack.txt') });
    const rules = await source.rules();
    expect(rules).toEqual({ ok: true, stdout: readFileSync(kernel('ip-rule.json'), 'utf8').trimEnd() });
    await source.routes();
    await source.links();
    expect(calls()).toEqual(['ip -4 -j rule show', 'ip -4 -j route show table all', 'ip -j -s addr show']);
  });

  it('conntrack: the proc file when it can be read, without running the program', async () => {
    bin.add('conntrack', kernel('conntrack-L.txt'));
    const out = await systemStatusSource({ timeoutMs: 10_000, env, conntrackFile: kernel('nf_conntrack.txt') }).conntrack();
    expect(out).toEqual({ ok: true, stdout: readFileSync(kernel('nf_conntrack.txt'), 'utf8'), truncated: false });
  });

  it('conntrack: conntrack -L when the file is absent; both reasons when neither works', async () => {
    bin.add('conntrack', kernel('conntrack-L.txt'));
    const file = path.join(bin.dir, 'none');
    const out = await systemStatusSource({ timeoutMs: 10_000, env, conntrackFile: file }).conntrack();
    expect(out.ok && conntrackStatus(out.stdout)).toHaveLength(7);
    expect(calls()).toEqual(['conntrack -L']);
    const missing = await systemStatusSource({ timeoutMs: 10_000, env, conntrackFile: file, conntrackBin: path.join(bin.dir, 'nope') }).conntrack();
    expect(missing).toEqual({ ok: false, missing: true, reason: `${file}: ENOENT; ${path.join(bin.dir, 'nope')} not found` });
  });

  it('conntrack: reads at most the limit, in whole entries, from the file and from the program', async () => {
    const line = readFileSync(kernel('nf_conntrack.txt'), 'utf8').split('\n').find((l) => l.includes(' tcp '))!;
    const big = path.join(bin.dir, 'nf_conntrack');
    writeFileSync(big, `${line}\n`.repeat(5000)); // ~1.1 MB, above the default limit
    const fromFile = await systemStatusSource({ timeoutMs: 10_000, env, conntrackFile: big }).conntrack();
    expect(fromFile.ok && fromFile.truncated).toBe(true);
    const entries = fromFile.ok ? conntrackStatus(fromFile.stdout) : [];
    expect(entries.length).toBe(Math.floor((1024 * 1024) / (line.length + 1)));
    expect(entries.length).toBeLessThan(5000);

    bin.add('conntrack', big);
    const fromProgram = await systemStatusSource({ timeoutMs: 10_000, env, conntrackFile: path.join(bin.dir, 'none'), conntrackLimitBytes: 10 * (line.length + 1) }).conntrack();
    expect(fromProgram.ok && fromProgram.truncated).toBe(true);
    expect(fromProgram.ok && conntrackStatus(fromProgram.stdout)).toHaveLength(10);
  });
});
