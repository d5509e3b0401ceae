import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/http/validate.js';
import { rules } from '../../src/resources/firewall/rules.js';
import { pkg, section, stockFirewall, stockSnapshot } from './fixtures.js';
import { refusal, thrown } from './helpers.js';

const GO_EMPTY_RULE = {
  name: '', src: '', src_ip: '', src_mac: '', src_port: '', proto: '', icmp_type: null, dest: '', dest_ip: '', dest_port: '',
  mark: '', target: '', set_mark: '', set_xmark: '', family: '', extra: '',
};

describe('firewall rules: schema', () => {
  it('accepts the ICN sample rule as the Go client sends it, keeping only what was set', () => {
    const sample = { name: 'firewallrule-sample', src: 'firewallzone-sample', src_ip: '192.168.2.2', src_port: '80', proto: 'tcp', target: 'REJECT' };
    expect(parseBody(rules.schema, { ...GO_EMPTY_RULE, ...sample })).toEqual(sample);
  });

  it('accepts every field in the formats firewall4 reads', () => {
    const full = {
      name: 'Mark all', src: '*', src_ip: '!10.0.0.0/8 fe80::1', src_mac: '00:11:22:33:44:55 !aa-bb-cc-dd-ee-ff', src_port: '1024-65535', proto: 'icmp',
      icmp_type: ['echo-request', '130/0', '3'], dest: 'wan', dest_ip: '192.168.1.10-192.168.1.20', dest_port: '80 443 !8000:8080', mark: '!0x10/0xff',
      target: 'MARK', set_mark: '0x20', set_xmark: '32/0xff', family: 'ipv4', extra: '-m comment --comment x',
    };
    expect(parseBody(rules.schema, full)).toEqual(full);
  });

  it.each([
    [{ name: 'r', target: 'ALLOW' }, 'Field[target]'],
    [{ name: 'r', proto: 'igmp' }, 'Field[proto]'],
    [{ name: 'r', proto: 'TCP' }, 'Field[proto]'],
    [{ name: 'r', src_ip: '10.0.0.300' }, 'Field[src_ip]'],
    [{ name: 'r', dest_ip: 'example.com' }, 'Field[dest_ip]'],
    [{ name: 'r', src_mac: '00:11:22:33:44' }, 'Field[src_mac]'],
    [{ name: 'r', src_port: '65536' }, 'Field[src_port]'],
    [{ name: 'r', dest_port: '90-80' }, 'Field[dest_port]'],
    [{ name: 'r', dest_port: '80,443' }, 'Field[dest_port]'],
    [{ name: 'r', icmp_type: ['echo-request', 'echo'] }, 'Field[icmp_type.1]'],
    [{ name: 'r', icmp_type: ['256'] }, 'Field[icmp_type.0]'],
    [{ name: 'r', mark: '0x1ffffffff' }, 'Field[mark]'],
    [{ name: 'r', target: 'MARK', set_mark: '!1' }, 'Field[set_mark]'],
    [{ name: 'r', target: 'MARK', set_xmark: 'zz' }, 'Field[set_xmark]'],
    [{ name: 'r', family: 'all' }, 'Field[family]'],
    [{ name: 'r', src: 'bad zone' }, 'Field[src]'],
    [{ name: 'a\nb' }, 'Field[name]'],
    [{ src: 'lan' }, 'Field[name]'],
  ])('refuses %j naming the field', (body, field) => {
    expect(refusal(rules.schema, body)).toContain(`${field} checked failed:`);
  });

  it('needs set_mark or set_xmark for target MARK', () => {
    expect(refusal(rules.schema, { ...GO_EMPTY_RULE, name: 'm', target: 'MARK' })).toBe('Field[set_mark] checked failed: set_mark or set_xmark is required for target MARK');
    expect(refusal(rules.schema, { name: 'm', target: 'MARK', set_xmark: '0x1' })).toBeUndefined();
  });

  it('needs a source zone for target NOTRACK, as firewall4 does', () => {
    expect(refusal(rules.schema, { name: 'n', target: 'NOTRACK' })).toContain('Field[src] checked failed:');
    expect(refusal(rules.schema, { name: 'n', target: 'NOTRACK', src: '*' })).toContain('Field[src] checked failed:');
    expect(refusal(rules.schema, { name: 'n', target: 'NOTRACK', src: 'lan' })).toBeUndefined();
  });
});

describe('firewall rules: references', () => {
  it('needs src and dest to be existing zones or *', () => {
    const snap = stockSnapshot();
    expect(thrown(() => rules.check!({ name: 'r', src: 'wan', dest: '*' }, snap, undefined))).toBeUndefined();
    expect(thrown(() => rules.check!({ name: 'r', src: 'lan0' }, snap, undefined))).toEqual({ status: 400, message: 'Field[src] checked failed: zone "lan0" is not defined' });
    expect(thrown(() => rules.check!({ name: 'r', src: 'lan', dest: 'nowhere' }, snap, undefined))?.message).toMatch(/^Field\[dest\]/);
  });
});

describe('firewall rules: listing and batches', () => {
  it('lists the stock rules with the fields the API knows, in file order', () => {
    const list = rules.list(stockSnapshot());
    expect(list.map((r) => r.name)).toEqual([
      'Allow-DHCP-Renew', 'Allow-Ping', 'Allow-IGMP', 'Allow-DHCPv6', 'Allow-MLD', 'Allow-ICMPv6-Input', 'Allow-ICMPv6-Forward', 'Allow-IPSec-ESP', 'Allow-ISAKMP',
    ]);
    expect(list[1]).toEqual({ name: 'Allow-Ping', src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv4', target: 'ACCEPT' });
    expect(list[4]).toEqual({ name: 'Allow-MLD', src: 'wan', src_ip: 'fe80::/10', proto: 'icmp', icmp_type: ['130/0', '131/0', '132/0', '143/0'], family: 'ipv6', target: 'ACCEPT' });
    expect(list[6]).toMatchObject({ name: 'Allow-ICMPv6-Forward', dest: '*' });
    expect(list[6]).not.toHaveProperty('limit');
  });

  it('creates a rule as an anonymous section appended at the end', () => {
    const obj = parseBody(rules.schema, { ...GO_EMPTY_RULE, name: 'r1', src: 'wan', proto: 'tcp', dest_port: '22', target: 'ACCEPT', icmp_type: [] });
    expect(rules.toBatch(obj, stockSnapshot(), undefined)).toEqual([
      { op: 'add', type: 'rule' },
      { op: 'set', section: '@rule[-1]', option: 'name', value: 'r1' },
      { op: 'set', section: '@rule[-1]', option: 'src', value: 'wan' },
      { op: 'set', section: '@rule[-1]', option: 'proto', value: 'tcp' },
      { op: 'set', section: '@rule[-1]', option: 'dest_port', value: '22' },
      { op: 'set', section: '@rule[-1]', option: 'target', value: 'ACCEPT' },
    ]);
  });

  it('replaces a stock rule in place, leaving the options the API does not know', () => {
    const snap = stockSnapshot();
    const obj = parseBody(rules.schema, { name: 'Allow-ICMPv6-Input', src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv6', target: 'DROP' });
    const ops = rules.toBatch(obj, snap, rules.list(snap)[5]);
    // only the changed options of that section: limit (unknown to the API) and the rest stay
    expect(new Set(ops.map((o) => `${'section' in o ? o.section : ''}.${'option' in o ? o.option : ''}`))).toEqual(new Set(['@rule[5].icmp_type', '@rule[5].target']));
    expect(ops.filter((o) => o.op !== 'delete')).toEqual([
      { op: 'add_list', section: '@rule[5]', option: 'icmp_type', value: 'echo-request' },
      { op: 'set', section: '@rule[5]', option: 'target', value: 'DROP' },
    ]);
  });

  it('deletes by address; unnamed rules are listed without a name', () => {
    const fw = pkg('firewall', [...stockFirewall().sections, section('rule', [['src', 'lan'], ['target', 'DROP']])]);
    const snap = stockSnapshot(fw);
    expect(rules.list(snap).at(-1)).toEqual({ src: 'lan', target: 'DROP' });
    expect(rules.deleteBatch('Allow-ISAKMP', snap)).toEqual([{ op: 'delete', section: '@rule[8]' }]);
  });
});
