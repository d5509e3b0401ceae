// uci-fixtures/: the embedded /etc/config is written exactly as `uci commit` writes it, and
// holds what the issue asks for.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUci, serializeUci, type UciPackage } from '../../src/uci/index.js';
import { repoRoot } from '../helpers/agent.js';

const dir = path.join(repoRoot(), 'uci-fixtures');
const read = (name: string): UciPackage => parseUci(readFileSync(path.join(dir, name), 'utf8'), { name });
const named = (pkg: UciPackage, type: string) => pkg.sections.filter((s) => s.type === type).map((s) => s.name);

describe('uci-fixtures', () => {
  it('has network, mwan3, firewall, ipsec and sdewan-agent', () => {
    expect(readdirSync(dir).sort()).toEqual(['firewall', 'ipsec', 'mwan3', 'network', 'sdewan-agent']);
  });

  it.each(['firewall', 'ipsec', 'mwan3', 'network', 'sdewan-agent'])('%s is in the format uci commit writes', (name) => {
    const text = readFileSync(path.join(dir, name), 'utf8');
    expect(serializeUci(read(name))).toBe(text);
  });

  it('network: loopback, lan, wan and wanb with their devices', () => {
    const network = read('network');
    expect(named(network, 'interface')).toEqual(['loopback', 'lan', 'wan', 'wanb']);
    const devices = network.sections.filter((s) => s.type === 'device').map((s) => s.options.get('name'));
    for (const iface of network.sections.filter((s) => s.type === 'interface' && s.name !== 'loopback')) {
      expect(devices).toContain(iface.options.get('device'));
    }
  });

  it('mwan3: interfaces wan and wanb with track_ip, members, a policy and a rule, all consistent', () => {
    const mwan3 = read('mwan3');
    expect(named(mwan3, 'interface')).toEqual(['wan', 'wanb']);
    for (const s of mwan3.sections.filter((x) => x.type === 'interface')) expect(Array.isArray(s.options.get('track_ip'))).toBe(true);
    const members = named(mwan3, 'member');
    const policies = named(mwan3, 'policy');
    expect(members.length).toBeGreaterThan(0);
    expect(policies.length).toBeGreaterThan(0);
    for (const p of mwan3.sections.filter((x) => x.type === 'policy')) {
      for (const m of p.options.get('use_member') as string[]) expect(members).toContain(m);
    }
    const rules = mwan3.sections.filter((x) => x.type === 'rule');
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(policies).toContain(r.options.get('use_policy'));
  });

  it('firewall: defaults, lan and wan zones over networks that exist', () => {
    const firewall = read('firewall');
    const networks = named(read('network'), 'interface');
    expect(named(firewall, 'defaults')).toHaveLength(1);
    const zones = firewall.sections.filter((s) => s.type === 'zone');
    expect(zones.map((z) => z.options.get('name'))).toEqual(['lan', 'wan']);
    for (const z of zones) for (const n of z.options.get('network') as string[]) expect(networks).toContain(n);
    expect(zones.every((z) => z.anonymous)).toBe(true);
  });

  it('ipsec: globals only', () => {
    expect(read('ipsec').sections.map((s) => s.type)).toEqual(['ipsec']);
  });
});
