import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { rules } from '../../src/resources/firewall/rules.js';
import { kindHarness, sectionText } from '../helpers/kind.js';
import { firewallWith, STOCK_FIREWALL, stockFiles } from './fixtures.js';
import { refusal } from './helpers.js';

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
  it('needs src and dest to be existing zones or *', async () => {
    const h = kindHarness(rules, stockFiles());
    await h.create({ name: 'r', src: 'wan', dest: '*' });
    expect(await h.refusal(() => h.create({ name: 'r2', src: 'lan0' }))).toEqual({ status: 400, message: 'Field[src] checked failed: zone "lan0" is not defined' });
    expect((await h.refusal(() => h.create({ name: 'r3', src: 'lan', dest: 'nowhere' }))).message).toMatch(/^Field\[dest\]/);
  });
});

describe('firewall rules: body -> UCI -> list', () => {
  it('lists the stock rules with the fields the API knows, in file order', async () => {
    const list = await kindHarness(rules, stockFiles()).list();
    expect(list.map((r) => r.name)).toEqual([
      'Allow-DHCP-Renew', 'Allow-Ping', 'Allow-IGMP', 'Allow-DHCPv6', 'Allow-MLD', 'Allow-ICMPv6-Input', 'Allow-ICMPv6-Forward', 'Allow-IPSec-ESP', 'Allow-ISAKMP',
    ]);
    expect(list[1]).toEqual({ name: 'Allow-Ping', src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv4', target: 'ACCEPT' });
    expect(list[4]).toEqual({ name: 'Allow-MLD', src: 'wan', src_ip: 'fe80::/10', proto: 'icmp', icmp_type: ['130/0', '131/0', '132/0', '143/0'], family: 'ipv6', target: 'ACCEPT' });
    expect(list[6]).toMatchObject({ name: 'Allow-ICMPv6-Forward', dest: '*' });
    expect(list[6]).not.toHaveProperty('limit');
  });

  it('creates a rule as an anonymous section appended at the end, and lists it back as sent', async () => {
    const h = kindHarness(rules, stockFiles());
    const body = { ...GO_EMPTY_RULE, name: 'r1', src: 'wan', proto: 'tcp', dest_port: '22', target: 'ACCEPT', icmp_type: [] };
    const sent = { name: 'r1', src: 'wan', proto: 'tcp', dest_port: '22', target: 'ACCEPT' };
    expect(await h.create(body)).toEqual(sent);
    expect(h.file('firewall')).toBe(firewallWith("config rule\n\toption name 'r1'\n\toption src 'wan'\n\toption proto 'tcp'\n\toption dest_port '22'\n\toption target 'ACCEPT'"));
    expect((await h.list()).at(-1)).toEqual(sent);
    expect(h.reloads).toEqual(['firewall']);
  });

  it('replaces a stock rule in place, leaving the options the API does not know', async () => {
    const h = kindHarness(rules, stockFiles());
    const body = { name: 'Allow-ICMPv6-Input', src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv6', target: 'DROP' };
    expect(await h.replace('Allow-ICMPv6-Input', body)).toEqual(body);
    const before = sectionText(STOCK_FIREWALL, 'Allow-ICMPv6-Input')!;
    const after = sectionText(h.file('firewall'), 'Allow-ICMPv6-Input')!;
    // only icmp_type and target changed; limit (unknown to the API) stays where it was
    expect(after).toBe(
      before
        .split('\n')
        .filter((l) => !l.includes('icmp_type'))
        .map((l) => (l.includes('option target') ? "\toption target 'DROP'" : l))
        .concat("\tlist icmp_type 'echo-request'")
        .join('\n'),
    );
    expect(h.file('firewall').replace(after, before)).toBe(STOCK_FIREWALL);
  });

  it('deletes by name; unnamed rules are listed without a name', async () => {
    const h = kindHarness(rules, stockFiles(firewallWith("config rule\n\toption src 'lan'\n\toption target 'DROP'")));
    expect((await h.list()).at(-1)).toEqual({ src: 'lan', target: 'DROP' });
    await h.remove('Allow-ISAKMP');
    expect(h.file('firewall')).toBe(firewallWith("config rule\n\toption src 'lan'\n\toption target 'DROP'").replace(sectionText(STOCK_FIREWALL, 'Allow-ISAKMP')! + '\n\n', ''));
    expect(await h.refusal(() => h.remove('Allow-ISAKMP'))).toEqual({ status: 404, message: 'Not found' });
  });
});
