// kernelModules: a fake source in, the module answers and the warnings out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelStatusSource } from '../../src/host/status-source.js';
import { kernelModules } from '../../src/status/kernel-modules.js';

const recorded = (name: string) => readFileSync(new URL(`../reference/kernel/${name}`, import.meta.url), 'utf8');

function logger() {
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { warnings, log: { warn: (obj: object, msg: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }) } };
}

const ok = (stdout: string) => async () => ({ ok: true as const, stdout });
const failed = (reason: string) => async () => ({ ok: false as const, missing: false, reason });

describe('kernelModules', () => {
  it('translates what the source gives, without warnings', async () => {
    const { warnings, log } = logger();
    const source: KernelStatusSource = {
      links: ok(recorded('ip-s-addr.json')),
      routes: ok(recorded('ip-route-all.json')),
      rules: ok(recorded('ip-rule.json')),
      conntrack: ok(recorded('nf_conntrack.txt')),
    };
    const m = kernelModules(source, log);
    expect((await m.interface()).length).toBe(5);
    expect(Object.keys(await m.route()).length).toBe(5);
    expect((await m.rule()).length).toBe(11);
    expect((await m.conntrack()).length).toBe(7);
    expect(warnings).toEqual([]);
  });

  it('a failing or unusable source: an empty answer and one warning naming the module and why', async () => {
    const { warnings, log } = logger();
    const source: KernelStatusSource = {
      links: ok('not json'),
      routes: ok(recorded('ip-route-all.json')),
      rules: failed('ip: exit status 1: RTNETLINK answers: Operation not permitted'),
      conntrack: failed('/proc/net/nf_conntrack: EACCES; conntrack not found'),
    };
    const m = kernelModules(source, log);
    expect(await m.interface()).toEqual([]);
    expect(await m.rule()).toEqual([]);
    expect(await m.route()).toEqual({});
    expect(await m.conntrack()).toEqual([]);
    expect(warnings.map((w) => [w.obj['module'], w.obj['reason']])).toEqual([
      ['interface', expect.stringMatching(/^ip -j -s addr show: not JSON/)],
      ['rule', 'ip: exit status 1: RTNETLINK answers: Operation not permitted'],
      ['route', 'ip: exit status 1: RTNETLINK answers: Operation not permitted'],
      ['conntrack', '/proc/net/nf_conntrack: EACCES; conntrack not found'],
    ]);
  });

  it('says when the conntrack table was cut', async () => {
    const { warnings, log } = logger();
    const fine = ok('[]');
    const m = kernelModules({ links: fine, routes: fine, rules: fine, conntrack: async () => ({ ok: true, stdout: recorded('nf_conntrack.txt'), truncated: true }) }, log);
    expect((await m.conntrack()).length).toBe(7);
    expect(warnings.map((w) => w.msg)).toEqual(['conntrack status lists the first entries of the table only']);
  });

  it('concurrent requests share one read of the source', async () => {
    let runs = 0;
    const counted = async () => {
      runs++;
      await new Promise((r) => setImmediate(r));
      return { ok: true as const, stdout: recorded('ip-s-addr.json') };
    };
    const fine = ok('[]');
    const m = kernelModules({ links: counted, routes: fine, rules: fine, conntrack: fine }, logger().log);
    await Promise.all([m.interface(), m.interface(), m.interface()]);
    expect(runs).toBe(1);
  });
});
