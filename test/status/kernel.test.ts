// The interface, route, rule and conntrack modules: pure translation of output recorded in a
// namespace set up like a CNF (test/reference/kernel/README.md). Expected values are written
// out by hand from the recorded files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conntrackStatus } from '../../src/status/conntrack.js';
import { interfaceStatus, parseIpJson } from '../../src/status/links.js';
import { routeStatus, routeTables, ruleStatus } from '../../src/status/routes.js';

const recorded = (name: string) => readFileSync(new URL(`../reference/kernel/${name}`, import.meta.url), 'utf8');

describe('interfaceStatus (ip -j -s addr show)', () => {
  const out = interfaceStatus(recorded('ip-s-addr.json'));

  it('one entry per device but lo, in the kernel order, with the keys of the Lua module', () => {
    expect(out.map((i) => i.name)).toEqual(['net1', 'net0', 'ipsec0', 'down1', 'down0']);
    expect(out[1]).toEqual({
      name: 'net0',
      ip_address: ['10.10.10.89', '10.10.10.90'],
      ip6_address: ['fd00:10::89/64', 'fe80::588a:e3ff:fe97:92d0/64'],
      mac_address: '5A:8A:E3:97:92:D0',
      received_packets: '3',
      send_packets: '4',
      status: 'UP',
    });
  });

  it('a TUN device has no MAC address; a device that is down has no addresses and status DOWN', () => {
    expect(out[2]).toEqual({ name: 'ipsec0', ip_address: ['192.168.10.1'], received_packets: '0', send_packets: '0', status: 'UP' });
    expect(out[4]).toEqual({ name: 'down0', mac_address: '52:3C:33:5B:23:FB', received_packets: '0', send_packets: '0', status: 'DOWN' });
  });

  it('every value is a string or a list of strings', () => {
    for (const i of out) for (const v of Object.values(i)) expect(typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))).toBe(true);
  });

  it('empty output is no device; output that is not a JSON array is an error naming the command', () => {
    expect(interfaceStatus('')).toEqual([]);
    expect(() => interfaceStatus('Object "addr" is unknown')).toThrow(/ip -j -s addr show: not JSON/);
    expect(() => parseIpJson('{}', 'ip -j rule show')).toThrow('ip -j rule show: not a JSON array');
  });
});

describe('ruleStatus (ip -4 -j rule show)', () => {
  const rules = ruleStatus(recorded('ip-rule.json'));

  it('matches the recorded ip rule text, field by field', () => {
    expect(rules).toEqual([
      { src: 'all', prio: '0', table: 'local', not: 'false' },
      { src: '192.168.10.0/24', dst: '192.168.20.0/24', prio: '100', table: '100', not: 'false' },
      { src: '10.0.0.0/8', prio: '200', table: 'main', not: 'true' },
      { src: 'all', dst: '8.8.8.8', prio: '300', table: '1', not: 'false' },
      { src: '10.10.10.89', prio: '400', not: 'false', action: 'goto 1001' },
      { src: 'all', prio: '1001', table: '1', not: 'false' },
      { src: 'all', prio: '2001', fwmark: '0x100/0x3f00', table: '1', not: 'false' },
      { src: 'all', prio: '2061', fwmark: '0x3d00/0x3f00', not: 'false', action: 'blackhole' },
      { src: 'all', prio: '3001', fwmark: '0x100/0x3f00', not: 'false', action: 'unreachable' },
      { src: 'all', prio: '32766', table: 'main', not: 'false' },
      { src: 'all', prio: '32767', table: 'default', not: 'false' },
    ]);
    // the text form of the same rules, for the prio / from / to / fwmark / lookup columns
    const text = recorded('ip-rule.txt').trim().split('\n');
    expect(text).toHaveLength(rules.length);
    text.forEach((line, i) => {
      const r = rules[i]!;
      expect(line.startsWith(`${r.prio}:\t${r.not === 'true' ? 'not ' : ''}from ${r.src}`)).toBe(true);
      if (r.table) expect(line.endsWith(`lookup ${r.table}`)).toBe(true);
      if (r.fwmark) expect(line).toContain(`fwmark ${r.fwmark}`);
    });
  });

  it('the route tables are the named and numbered tables the rules look up, sorted as sort | uniq', () => {
    expect(routeTables(rules)).toEqual(['1', '100', 'default', 'local', 'main']);
    expect(routeTables([{ prio: '5', table: 'mwan3_x', not: 'false' }])).toEqual([]);
  });
});

describe('routeStatus (ip -4 -j route show table all)', () => {
  const rules = ruleStatus(recorded('ip-rule.json'));
  const out = routeStatus(recorded('ip-route-all.json'), rules);

  it('one {item} per looked-up table; table 220, which no rule names, is left out', () => {
    expect(Object.keys(out).sort()).toEqual(['1', '100', 'default', 'local', 'main']);
    expect(out['default']).toEqual({ item: [] });
  });

  it('the main table as ip route prints it', () => {
    expect(out['main']!.item).toEqual([
      { gateway: '10.10.10.1', device: 'net0', destination: 'default', metric: '10' },
      { device: 'net0', destination: '10.10.10.0/24', scope: 'link', proto: 'kernel', src: '10.10.10.89' },
      { destination: '10.66.0.0/16', type: 'blackhole' },
      { device: 'net1', destination: '10.200.0.1', scope: 'link' },
      { device: 'net1', destination: '172.16.30.0/24', scope: 'link', proto: 'kernel', src: '172.16.30.89' },
      { device: 'ipsec0', destination: '192.168.10.0/24', scope: 'link', proto: 'kernel', src: '192.168.10.1' },
      { gateway: '172.16.30.1', device: 'net1', destination: '192.168.20.0/24', proto: 'static', metric: '5' },
    ]);
  });

  it('tables 1 and 100, and the local table with the type of each route', () => {
    expect(out['1']!.item).toEqual([
      { gateway: '172.16.30.1', device: 'net1', destination: 'default' },
      { device: 'net0', destination: '10.10.10.0/24', scope: 'link', proto: 'kernel', src: '10.10.10.89' },
    ]);
    expect(out['100']!.item).toEqual([{ destination: '10.77.0.0/16', type: 'unreachable' }]);
    expect(out['local']!.item[0]).toEqual({ device: 'net0', destination: '10.10.10.89', scope: 'host', proto: 'kernel', src: '10.10.10.89', type: 'local' });
    expect(out['local']!.item.map((r) => r.type)).toEqual(['local', 'local', 'broadcast', 'local', 'local', 'broadcast', 'local', 'broadcast', 'local', 'broadcast']);
  });

  it('every destination of the recorded text is there, table by table', () => {
    const text = recorded('ip-route-all.txt').trim().split('\n');
    const listed = Object.values(out).reduce((n, t) => n + t.item.length, 0);
    // the text also has the route of table 220
    expect(text.filter((l) => !l.includes('table 220'))).toHaveLength(listed);
  });

  it('a multipath route gives its first hop; a table name other than main/local/default or a number is not listed', () => {
    const multipath = JSON.stringify([
      { dst: 'default', protocol: 'static', metric: 1, flags: [], nexthops: [{ gateway: '10.0.0.1', dev: 'a', weight: 1 }, { gateway: '10.0.1.1', dev: 'b', weight: 1 }] },
      { dst: '10.1.0.0/16', dev: 'a', table: 'constructor', flags: [] },
    ]);
    const tables = routeStatus(multipath, [{ prio: '1', table: 'main', not: 'false' }, { prio: '2', table: 'constructor', not: 'false' }]);
    expect(tables).toEqual({ main: { item: [{ gateway: '10.0.0.1', device: 'a', destination: 'default', proto: 'static', metric: '1' }] } });
  });
});

describe('conntrackStatus', () => {
  const expected = [
    {
      protocol: 'tcp',
      request: { src: '[fd00:10::89]:50000', dst: '[fd00:20::5]:80' },
      response: { src: '[fd00:20::5]:80', dst: '[fd00:10::89]:50000' },
      mark: '0',
      state: 'TIME_WAIT',
    },
    { protocol: 'udp', request: { src: '[fd00:10::89]:40000', dst: '[fd00:20::53]:53' }, response: { src: '[fd00:20::53]:53', dst: '[fd00:10::89]:40000' }, mark: '0' },
    { protocol: 'udp', request: { src: '10.10.10.89:5353', dst: '8.8.8.8:53' }, response: { src: '8.8.8.8:53', dst: '10.10.10.89:5353' }, mark: '0' },
    { protocol: 'udp', request: { src: '172.16.30.89:500', dst: '172.16.30.1:500' }, response: { src: '172.16.30.1:500', dst: '172.16.30.89:500' }, mark: '7' },
    {
      protocol: 'tcp',
      request: { src: '10.10.10.89:1', dst: '192.168.20.7:2' },
      response: { src: '192.168.20.7:2', dst: '10.10.10.1:9999' },
      mark: '0',
      state: 'ESTABLISHED',
    },
    {
      protocol: 'tcp',
      request: { src: '10.10.10.89:40223', dst: '192.168.20.6:22' },
      response: { src: '192.168.20.6:22', dst: '10.10.10.89:40223' },
      mark: '0',
      state: 'SYN_SENT',
    },
    {
      protocol: 'tcp',
      request: { src: '10.10.10.89:40222', dst: '192.168.20.5:443' },
      response: { src: '192.168.20.5:443', dst: '10.10.10.89:40222' },
      mark: '256',
      state: 'ESTABLISHED',
    },
  ];

  it('/proc/net/nf_conntrack: TCP and UDP entries of both families, ICMP left out', () => {
    expect(conntrackStatus(recorded('nf_conntrack.txt'))).toEqual(expected);
  });

  it('conntrack -L gives the same entries (its order differs: ICMP first there)', () => {
    const out = conntrackStatus(recorded('conntrack-L.txt'));
    expect(out).toHaveLength(expected.length);
    expect(out).toEqual(expect.arrayContaining(expected));
    expect(conntrackStatus(recorded('conntrack-L6.txt'))).toEqual(expected.slice(0, 2));
  });

  it('skips lines that are not entries and entries without both tuples', () => {
    expect(conntrackStatus('conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n\ntcp 6 10 CLOSE src=1.1.1.1 dst=2.2.2.2 sport=1\n')).toEqual([]);
  });
});
