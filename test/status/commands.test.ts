import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { swanctlListSas } from '../../src/status/swanctl.js';
import { ubusMwan3Status } from '../../src/status/ubus.js';
import { makeFakeBin, referenceDir, type FakeBin } from './fakebin.js';

describe('status commands (fake programs on PATH)', () => {
  let bin: FakeBin;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    bin = makeFakeBin();
    env = { ...process.env, PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  });
  afterEach(() => bin.cleanup());

  const args = () => readFileSync(bin.argsFile, 'utf8').trim().split('\n');

  it('ubus call mwan3 status: looked up on PATH, output returned as is', async () => {
    const sample = path.join(referenceDir, 'mwan3/ubus-mwan3-status.json');
    bin.add('ubus', sample);
    const out = await ubusMwan3Status({ timeoutMs: 10_000, env });
    expect(out).toEqual({ ok: true, stdout: readFileSync(sample, 'utf8').trimEnd() });
    expect(args()).toEqual(['ubus call mwan3 status']);
  });

  it('a missing program is reported as missing', async () => {
    const out = await ubusMwan3Status({ ubusBin: path.join(bin.dir, 'no-such-ubus'), timeoutMs: 10_000, env });
    expect(out).toEqual({ ok: false, missing: true, reason: `${path.join(bin.dir, 'no-such-ubus')} not found` });
  });

  it('a failing program is reported with its message', async () => {
    bin.addScript('ubus', "echo 'Command failed: Not found' >&2; exit 4");
    const out = await ubusMwan3Status({ timeoutMs: 10_000, env });
    expect(out).toEqual({ ok: false, missing: false, reason: 'ubus: exit status 4: Command failed: Not found' });
  });

  it('a hanging program times out', async () => {
    bin.addScript('ubus', 'exec sleep 60');
    const out = await ubusMwan3Status({ timeoutMs: 300, env });
    expect(out).toEqual({ ok: false, missing: false, reason: 'ubus timed out after 300 ms' });
  });

  it('swanctl --list-sas --raw, with --uri when a vici URI is set', async () => {
    bin.add('swanctl', path.join(referenceDir, 'strongswan/list-sas.raw.txt'));
    const plain = await swanctlListSas({ timeoutMs: 10_000, env });
    expect(plain.ok && plain.stdout.startsWith('list-sa event {siteB {')).toBe(true);
    await swanctlListSas({ timeoutMs: 10_000, env, viciUri: 'unix:///tmp/charon.vici' });
    expect(args()).toEqual(['swanctl --list-sas --raw', 'swanctl --list-sas --raw --uri unix:///tmp/charon.vici']);
  });
});
