import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { forwardings } from '../../src/resources/firewall/forwardings.js';
import { kindHarness } from '../helpers/kind.js';
import { firewallWith, stockFiles } from './fixtures.js';
import { refusal } from './helpers.js';

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

  it('needs both zones to exist (or be *)', async () => {
    const h = kindHarness(forwardings, stockFiles());
    await h.create({ name: 'f', src: 'wan', dest: 'lan' });
    await h.create({ name: 'g', src: '*', dest: 'lan' });
    expect(await h.refusal(() => h.create({ name: 'h', src: 'lan0', dest: 'lan' }))).toEqual({ status: 400, message: 'Field[src] checked failed: zone "lan0" is not defined' });
    expect((await h.refusal(() => h.create({ name: 'i', src: 'lan', dest: 'wan0' }))).message).toMatch(/^Field\[dest\]/);
  });

  it('lists the unnamed stock forwarding without a name, and named ones with theirs', async () => {
    const h = kindHarness(forwardings, stockFiles(firewallWith("config forwarding\n\toption name 'f1'\n\toption src 'wan'\n\toption dest 'lan'\n\toption family 'ipv4'")));
    expect(await h.list()).toEqual([{ src: 'lan', dest: 'wan' }, { name: 'f1', src: 'wan', dest: 'lan', family: 'ipv4' }]);
  });

  it('creates, updates and deletes anonymous sections', async () => {
    const f1 = "config forwarding\n\toption name 'f1'\n\toption src 'wan'\n\toption dest 'lan'";
    const h = kindHarness(forwardings, stockFiles(firewallWith(f1)));
    expect(await h.create({ name: 'f2', src: 'lan', dest: 'wan' })).toEqual({ name: 'f2', src: 'lan', dest: 'wan' });
    const f2 = "config forwarding\n\toption name 'f2'\n\toption src 'lan'\n\toption dest 'wan'";
    expect(h.file('firewall')).toBe(firewallWith(f1, f2));
    expect(await h.replace('f1', { src: 'wan', dest: 'lan', family: 'ipv4' })).toEqual({ name: 'f1', src: 'wan', dest: 'lan', family: 'ipv4' });
    expect(h.file('firewall')).toBe(firewallWith(`${f1}\n\toption family 'ipv4'`, f2));
    await h.remove('f1');
    expect(h.file('firewall')).toBe(firewallWith(f2));
  });
});
