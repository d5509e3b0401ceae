import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/http/validate.js';
import { forwardings } from '../../src/resources/firewall/forwardings.js';
import { pkg, section, stockFirewall, stockSnapshot } from './fixtures.js';
import { refusal, thrown } from './helpers.js';

describe('firewall forwardings', () => {
  it('accepts the ICN sample and keeps only what was set', () => {
    const sample = { name: 'firewallforwarding-sample', src: 'firewallzone-sample2', dest: 'firewallzone-sample' };
    expect(parseBody(forwardings.schema, { ...sample, family: '' })).toEqual(sample);
    expect(parseBody(forwardings.schema, { ...sample, family: 'ipv6' })).toEqual({ ...sample, family: 'ipv6' });
  });

  it.each([
    [{ name: 'f', dest: 'wan' }, 'Field[src] checked failed: is required'],
    [{ name: 'f', src: 'lan', dest: '' }, 'Field[dest] checked failed: is required'],
    [{ name: 'f', src: 'lan', dest: 'w an' }, 'Field[dest] checked failed:'],
    [{ name: 'f', src: 'lan', dest: 'wan', family: 'v4' }, 'Field[family] checked failed:'],
    [{ src: 'lan', dest: 'wan' }, 'Field[name] checked failed: is required'],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(forwardings.schema, body)).toContain(message);
  });

  it('needs both zones to exist (or be *)', () => {
    const snap = stockSnapshot();
    expect(thrown(() => forwardings.check!({ name: 'f', src: 'wan', dest: 'lan' }, snap, undefined))).toBeUndefined();
    expect(thrown(() => forwardings.check!({ name: 'f', src: '*', dest: 'lan' }, snap, undefined))).toBeUndefined();
    expect(thrown(() => forwardings.check!({ name: 'f', src: 'lan0', dest: 'lan' }, snap, undefined))).toEqual({ status: 400, message: 'Field[src] checked failed: zone "lan0" is not defined' });
    expect(thrown(() => forwardings.check!({ name: 'f', src: 'lan', dest: 'wan0' }, snap, undefined))?.message).toMatch(/^Field\[dest\]/);
  });

  it('lists the unnamed stock forwarding without a name, and named ones with theirs', () => {
    const fw = pkg('firewall', [...stockFirewall().sections, section('forwarding', [['name', 'f1'], ['src', 'wan'], ['dest', 'lan'], ['family', 'ipv4']])]);
    expect(forwardings.list(stockSnapshot(fw))).toEqual([{ src: 'lan', dest: 'wan' }, { name: 'f1', src: 'wan', dest: 'lan', family: 'ipv4' }]);
  });

  it('creates and deletes anonymous sections', () => {
    const fw = pkg('firewall', [...stockFirewall().sections, section('forwarding', [['name', 'f1'], ['src', 'wan'], ['dest', 'lan']])]);
    const snap = stockSnapshot(fw);
    expect(forwardings.toBatch({ name: 'f2', src: 'lan', dest: 'wan' }, snap, undefined)).toEqual([
      { op: 'add', type: 'forwarding' },
      { op: 'set', section: '@forwarding[-1]', option: 'name', value: 'f2' },
      { op: 'set', section: '@forwarding[-1]', option: 'src', value: 'lan' },
      { op: 'set', section: '@forwarding[-1]', option: 'dest', value: 'wan' },
    ]);
    expect(forwardings.toBatch({ name: 'f1', src: 'wan', dest: 'lan', family: 'ipv4' }, snap, forwardings.list(snap)[1])).toEqual([
      { op: 'set', section: '@forwarding[1]', option: 'family', value: 'ipv4' },
    ]);
    expect(forwardings.deleteBatch('f1', snap)).toEqual([{ op: 'delete', section: '@forwarding[1]' }]);
  });
});
