import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUci, serializeUci } from '../../src/uci/index.js';
import { type Agent, startAgent, waitFor } from '../helpers/agent.js';

const FW = '/cgi-bin/luci/sdewan/firewall/v1';
const STOCK = readFileSync('test/reference/openwrt/firewall.default', 'utf8');

/** A CNF's network config: OpenWRT's stock interfaces plus the e2e script's and the OVN networks. */
const NETWORK = ['loopback', 'lan', 'wan', 'wan6', 'lan0', 'wan0', 'ovn_net1', 'ovn_net2']
  .map((name, i) => `config interface '${name}'\n\toption proto 'static'\n\toption ipaddr '10.0.${i}.1'\n\toption netmask '255.255.255.0'\n`)
  .join('\n');

/** What the Go client sends: every field, the unset ones as "" (strings) and null (lists). */
const EMPTY = {
  zones: { name: '', network: null, masq: '', masq_src: null, masq_dest: null, masq_allow_invalid: '', mtu_fix: '', input: '', forward: '', output: '', family: '', subnet: null, extra_src: '', etra_dest: '' },
  rules: { name: '', src: '', src_ip: '', src_mac: '', src_port: '', proto: '', icmp_type: null, dest: '', dest_ip: '', dest_port: '', mark: '', target: '', set_mark: '', set_xmark: '', family: '', extra: '' },
  forwardings: { name: '', src: '', dest: '', family: '' },
  redirects: { name: '', src: '', src_ip: '', src_dip: '', src_mac: '', src_port: '', src_dport: '', proto: '', dest: '', dest_ip: '', dest_port: '', mark: '', target: '', family: '' },
} as const;
type Kind = keyof typeof EMPTY;

/** The body as the Go client marshals it. */
const goBody = (kind: Kind, obj: Record<string, unknown>) => ({ ...EMPTY[kind], ...obj });

/** The stock file as `uci commit` writes it: parsed and serialized by the project's UCI model. */
const committedStock = () => serializeUci(parseUci(STOCK, 'firewall'));

describe('firewall over HTTP', () => {
  let agent: Agent;
  const file = () => agent.readFile('firewall');

  beforeAll(async () => {
    agent = await startAgent({ config: { firewall: STOCK, network: NETWORK } });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  async function expectRefused(method: string, url: string, body: unknown, status: number, message: string | RegExp) {
    const before = file();
    const res = await agent.request(method, url, body);
    expect(res.status, `${method} ${url} ${JSON.stringify(body)} -> ${res.text}`).toBe(status);
    if (typeof message === 'string') expect(res.json.message).toContain(message);
    else expect(res.json.message).toMatch(message);
    expect(file()).toBe(before);
  }

  it('lists the stock zones, rules and the unnamed forwarding', async () => {
    const zones = await agent.request('GET', `${FW}/zones`);
    expect(zones.status).toBe(200);
    expect(zones.json).toEqual({
      zones: [
        { name: 'lan', network: ['lan'], input: 'ACCEPT', output: 'ACCEPT', forward: 'ACCEPT' },
        { name: 'wan', network: ['wan', 'wan6'], masq: '1', mtu_fix: '1', input: 'REJECT', forward: 'DROP', output: 'ACCEPT' },
      ],
    });
    const rules = await agent.request('GET', `${FW}/rules`);
    expect(rules.json.rules.map((r: { name: string }) => r.name)).toEqual([
      'Allow-DHCP-Renew', 'Allow-Ping', 'Allow-IGMP', 'Allow-DHCPv6', 'Allow-MLD', 'Allow-ICMPv6-Input', 'Allow-ICMPv6-Forward', 'Allow-IPSec-ESP', 'Allow-ISAKMP',
    ]);
    expect((await agent.request('GET', `${FW}/rules/Allow-Ping`)).json).toEqual({ name: 'Allow-Ping', src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv4', target: 'ACCEPT' });
    expect((await agent.request('GET', `${FW}/forwardings`)).json).toEqual({ forwardings: [{ src: 'lan', dest: 'wan' }] });
    expect((await agent.request('GET', `${FW}/redirects`)).json).toEqual({ redirects: [] });
    expect((await agent.request('GET', `${FW}/zones/lan0`)).status).toBe(404);
    expect(file()).toBe(STOCK);
  });

  it('refuses every invalid field with a 400 naming it, leaving the file byte-identical', async () => {
    const cases: Array<[Kind, Record<string, unknown>, string]> = [
      ['zones', { name: '9zone' }, 'Field[name]'],
      ['zones', { name: 'z', input: 'allow' }, 'Field[input]'],
      ['zones', { name: 'z', forward: 'x' }, 'Field[forward]'],
      ['zones', { name: 'z', output: 'x' }, 'Field[output]'],
      ['zones', { name: 'z', masq: '2' }, 'Field[masq]'],
      ['zones', { name: 'z', masq_allow_invalid: 'on' }, 'Field[masq_allow_invalid]'],
      ['zones', { name: 'z', mtu_fix: 'x' }, 'Field[mtu_fix]'],
      ['zones', { name: 'z', family: 'ipv5' }, 'Field[family]'],
      ['zones', { name: 'z', masq_src: ['!10.0.0.0/8', 'x'] }, 'Field[masq_src.1]'],
      ['zones', { name: 'z', masq_dest: ['300.0.0.1'] }, 'Field[masq_dest.0]'],
      ['zones', { name: 'z', subnet: ['10.0.0.0/99'] }, 'Field[subnet.0]'],
      ['zones', { name: 'z', network: ['lan', 'ovn-net1'] }, 'Field[network.1]'],
      ['rules', { name: 'r', target: 'ALLOW' }, 'Field[target]'],
      ['rules', { name: 'r', target: 'MARK' }, 'Field[set_mark]'],
      ['rules', { name: 'r', target: 'NOTRACK' }, 'Field[src]'],
      ['rules', { name: 'r', proto: 'gre' }, 'Field[proto]'],
      ['rules', { name: 'r', icmp_type: ['echo-request', 'bogus'] }, 'Field[icmp_type.1]'],
      ['rules', { name: 'r', src_ip: '10.0.0.0/33' }, 'Field[src_ip]'],
      ['rules', { name: 'r', dest_ip: 'x' }, 'Field[dest_ip]'],
      ['rules', { name: 'r', src_mac: '00:11:22' }, 'Field[src_mac]'],
      ['rules', { name: 'r', src_port: '70000' }, 'Field[src_port]'],
      ['rules', { name: 'r', dest_port: 'ssh' }, 'Field[dest_port]'],
      ['rules', { name: 'r', mark: 'm' }, 'Field[mark]'],
      ['rules', { name: 'r', family: 'x' }, 'Field[family]'],
      ['rules', { name: 'r', src: 'nozone' }, 'Field[src]'],
      ['rules', { name: 'r', dest: 'nozone' }, 'Field[dest]'],
      ['forwardings', { name: 'f', dest: 'wan' }, 'Field[src]'],
      ['forwardings', { name: 'f', src: 'lan' }, 'Field[dest]'],
      ['forwardings', { name: 'f', src: 'nozone', dest: 'wan' }, 'Field[src]'],
      ['forwardings', { name: 'f', src: 'lan', dest: 'nozone' }, 'Field[dest]'],
      ['forwardings', { name: 'f', src: 'lan', dest: 'wan', family: 'x' }, 'Field[family]'],
      ['redirects', { name: 'd', target: 'DNAT' }, 'Field[src]'],
      ['redirects', { name: 'd', target: 'SNAT', dest: 'wan' }, 'Field[src_dip]'],
      ['redirects', { name: 'd', target: 'SNAT', src_dip: '1.2.3.4' }, 'Field[dest]'],
      ['redirects', { name: 'd', target: 'REDIRECT', src: 'wan' }, 'Field[target]'],
      ['redirects', { name: 'd', src: 'wan', src_dip: 'x' }, 'Field[src_dip]'],
      ['redirects', { name: 'd', src: 'wan', src_dport: '1-2-3' }, 'Field[src_dport]'],
      ['redirects', { name: 'd', src: 'nozone' }, 'Field[src]'],
      ['redirects', { name: 'd', src: 'wan', dest: 'nozone' }, 'Field[dest]'],
    ];
    for (const [kind, obj, field] of cases) {
      await expectRefused('POST', `${FW}/${kind}`, goBody(kind, obj), 400, `${field} checked failed:`);
      const { name, ...rest } = obj;
      if (typeof name === 'string') await expectRefused('PUT', `${FW}/${kind}/${name}`, goBody(kind, rest), 400, `${field} checked failed:`);
    }
    expect(file()).toBe(STOCK);
  });

  it('leaves the file as `uci commit` writes it after a create and a delete', async () => {
    const created = await agent.request('POST', `${FW}/rules`, goBody('rules', { name: 'tmp', src: 'wan', proto: 'tcp', dest_port: '22', target: 'ACCEPT' }));
    expect(created.status).toBe(201);
    expect(file()).toContain("config rule\n\toption name 'tmp'\n\toption src 'wan'\n\toption proto 'tcp'\n\toption dest_port '22'\n\toption target 'ACCEPT'\n");
    const deleted = await agent.request('DELETE', `${FW}/rules/tmp`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ message: 'success' });
    // the stock file's comments and tab alignment are gone, as after a real `uci commit`
    expect(committedStock()).not.toBe(STOCK);
    expect(file()).toBe(committedStock());
  });

  it('runs the e2e script: zones lan0 and wan0, then a DNAT redirect, each read back as sent', async () => {
    const lan0 = { name: 'lan0', network: ['lan0'], input: 'ACCEPT', output: 'ACCEPT', forward: 'ACCEPT' };
    const wan0 = { name: 'wan0', network: ['wan0'], input: 'ACCEPT', output: 'ACCEPT', forward: 'REJECT', masq: '0', mtu_fix: '1' };
    for (const zone of [lan0, wan0]) {
      const res = await agent.request('POST', `${FW}/zones`, zone);
      expect(res.status).toBe(201);
      expect(res.json).toEqual(zone);
    }
    expect((await agent.request('GET', `${FW}/zones`)).json.zones.map((z: { name: string }) => z.name)).toEqual(['lan', 'wan', 'lan0', 'wan0']);
    const dnat = { name: 'dnat-app', src: 'wan0', src_dport: '8080', dest: 'lan0', dest_ip: '10.0.4.10', dest_port: '80', proto: 'tcp', target: 'DNAT' };
    const res = await agent.request('POST', `${FW}/redirects`, dnat);
    expect(res.status).toBe(201);
    expect(res.json).toEqual(dnat);
    expect((await agent.request('GET', `${FW}/redirects/dnat-app`)).json).toEqual(dnat);
    // stored as firewall4 and LuCI keep them: anonymous sections, name first
    expect(file()).toContain("config zone\n\toption name 'wan0'\n\tlist network 'wan0'\n\toption masq '0'\n\toption mtu_fix '1'\n\toption input 'ACCEPT'\n\toption forward 'REJECT'\n\toption output 'ACCEPT'\n");
    expect(file()).toContain("config redirect\n\toption name 'dnat-app'\n\toption src 'wan0'\n");
    await waitFor(() => agent.callsLog().includes('firewall reload'), { what: 'firewall reload' });
  });

  it('creates each kind from a Go-client body with every other field "" and reads it back deep-equal', async () => {
    const objects: Array<[Kind, Record<string, unknown>]> = [
      ['zones', { name: 'firewallzone-sample', network: ['ovn_net1', 'ovn_net2'], input: 'ACCEPT', output: 'ACCEPT' }],
      ['zones', { name: 'firewallzone-sample2', network: ['ovn_net2'], masq: '1', masq_src: ['10.0.0.0/8', '!10.1.0.0/16'], masq_dest: ['!192.168.0.0/16'], masq_allow_invalid: '1', mtu_fix: '1', input: 'REJECT', forward: 'DROP', output: 'ACCEPT', family: 'ipv4', subnet: ['172.16.0.0/12'], extra_src: '-m comment --comment a', etra_dest: '-m comment --comment b' }],
      ['rules', { name: 'firewallrule-sample', src: 'firewallzone-sample', src_ip: '192.168.2.2', src_port: '80', proto: 'tcp', target: 'REJECT' }],
      ['rules', { name: 'rule-all', src: '*', src_ip: '!10.0.0.0/8', src_mac: '00:11:22:33:44:55', src_port: '1024-65535', proto: 'icmp', icmp_type: ['echo-request', '130/0'], dest: 'firewallzone-sample2', dest_ip: '10.0.1.0/24', dest_port: '80 443', mark: '0x1/0xff', target: 'MARK', set_mark: '0x2', set_xmark: '0x4/0xf', family: 'any', extra: '-m comment --comment c' }],
      ['forwardings', { name: 'firewallforwarding-sample', src: 'firewallzone-sample2', dest: 'firewallzone-sample' }],
      ['redirects', { name: 'firewalldnat-sample', src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'firewallzone-sample2', proto: 'icmp', target: 'DNAT' }],
      ['redirects', { name: 'firewallsnat-sample', src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.5', src_port: '5000', src_dport: '6000', dest: 'firewallzone-sample2', dest_ip: '10.0.0.1', dest_port: '7000', mark: '!0x3', proto: 'udp', target: 'SNAT', family: 'ipv4' }],
    ];
    for (const [kind, obj] of objects) {
      const res = await agent.request('POST', `${FW}/${kind}`, goBody(kind, obj));
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual(obj);
      expect((await agent.request('GET', `${FW}/${kind}/${obj.name as string}`)).json).toEqual(obj);
      expect((await agent.request('GET', `${FW}/${kind}`)).json[kind]).toContainEqual(obj);
    }
    expect(file()).toContain("\toption extra_dest '-m comment --comment b'\n");
    expect(file()).not.toContain('etra_dest');
  });

  it('answers 409 for an existing name, and PUT replaces or creates', async () => {
    await expectRefused('POST', `${FW}/zones`, { name: 'lan0', network: ['lan0'] }, 409, 'Conflict');
    await expectRefused('POST', `${FW}/rules/`, { name: 'Allow-Ping', src: 'wan' }, 409, 'Conflict');

    const put = await agent.request('PUT', `${FW}/forwardings/fwd-new`, goBody('forwardings', { src: 'lan0', dest: 'wan0', family: 'ipv4' }));
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ name: 'fwd-new', src: 'lan0', dest: 'wan0', family: 'ipv4' });
    await expectRefused('PUT', `${FW}/forwardings/fwd-new`, goBody('forwardings', { name: 'another', src: 'wan0', dest: 'lan0' }), 400, 'Field[name] checked failed:');
    const again = await agent.request('PUT', `${FW}/forwardings/fwd-new`, goBody('forwardings', { name: 'fwd-new', src: 'wan0', dest: 'lan0' }));
    expect(again.json).toEqual({ name: 'fwd-new', src: 'wan0', dest: 'lan0' });
    expect((await agent.request('GET', `${FW}/forwardings`)).json.forwardings.filter((f: { name?: string }) => f.name === 'fwd-new')).toHaveLength(1);
  });

  it('changes only the options it manages when a stock rule is replaced', async () => {
    const res = await agent.request('PUT', `${FW}/rules/Allow-ICMPv6-Input`, goBody('rules', { src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv6', target: 'DROP' }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ name: 'Allow-ICMPv6-Input', src: 'wan', proto: 'icmp', icmp_type: ['echo-request'], family: 'ipv6', target: 'DROP' });
    const section = file().split('\n\n').find((s) => s.includes("option name 'Allow-ICMPv6-Input'"));
    expect(section).toContain("\toption limit '1000/sec'");
    expect(section).not.toContain('echo-reply');
  });

  it('refuses to delete a zone while anything names it, and 404 for unknown names', async () => {
    await expectRefused('DELETE', `${FW}/zones/wan`, undefined, 400, 'Zone "wan" is used by forwarding @forwarding[0] (dest)');
    await expectRefused('DELETE', `${FW}/zones/lan0`, undefined, 400, /^Zone "lan0" is used by redirect "dnat-app" \(dest\)$/);
    await expectRefused('DELETE', `${FW}/zones/nozone`, undefined, 404, /./);
    await expectRefused('DELETE', `${FW}/rules/nothing`, undefined, 404, /./);
    // once nothing uses it, it goes
    const zone = { name: 'spare', network: ['ovn_net1'] };
    expect((await agent.request('POST', `${FW}/zones`, zone)).status).toBe(201);
    expect((await agent.request('POST', `${FW}/rules`, { name: 'spare-rule', dest: 'spare', target: 'DROP' })).status).toBe(201);
    await expectRefused('DELETE', `${FW}/zones/spare`, undefined, 400, 'used by rule "spare-rule" (dest)');
    expect((await agent.request('DELETE', `${FW}/rules/spare-rule`)).status).toBe(200);
    expect((await agent.request('DELETE', `${FW}/zones/spare`)).status).toBe(200);
    expect(file()).not.toContain('spare');
  });

  it('shows a hand edit of the file at the next GET, and keeps it through writes', async () => {
    appendFileSync(path.join(agent.confdir, 'firewall'), "\nconfig zone\n\toption name 'manual'\n\tlist network 'ovn_net2'\n\toption input 'DROP'\n\toption log '1'\n");
    expect((await agent.request('GET', `${FW}/zones/manual`)).json).toEqual({ name: 'manual', network: ['ovn_net2'], input: 'DROP' });
    const res = await agent.request('PUT', `${FW}/zones/manual`, goBody('zones', { network: ['ovn_net2'], input: 'REJECT' }));
    expect(res.json).toEqual({ name: 'manual', network: ['ovn_net2'], input: 'REJECT' });
    const section = file().split('\n\n').find((s) => s.includes("option name 'manual'"));
    expect(section?.split('\n').filter(Boolean).sort()).toEqual(['config zone', "\tlist network 'ovn_net2'", "\toption input 'REJECT'", "\toption log '1'", "\toption name 'manual'"].sort());
  });
});
