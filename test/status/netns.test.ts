// The interface, route, rule and conntrack modules against a real kernel: a network namespace
// with a veth device, a routing table, rules and connection tracking entries (made with
// `conntrack -I`), and the agent started inside it, reading with the real `ip` and the real
// /proc/net/nf_conntrack, then with the real `conntrack` program.
// Needs root (network namespaces), the conntrack program (Debian `conntrack`) and a build.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';

const isRoot = process.getuid?.() === 0;
const ns = `sdewan-st-${process.pid}`;
const hostSide = `sst${process.pid % 1_000_000}h0`;
// A /24 unlikely to be in use on the host (test/bootstrap/netns.test.ts uses 10.231.40-41).
const net = '10.231.70';
const STATUS = '/cgi-bin/luci/sdewan/v1/status';

const ip = (...args: string[]) => execa('ip', args);
const inNs = (...args: string[]) => execa('ip', ['netns', 'exec', ns, ...args]);

describe.skipIf(!isRoot)('kernel status modules in a network namespace (skipped when not root)', () => {
  let nsCreated = false;
  const agents: Agent[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const agent = await startAgent({ commandPrefix: ['ip', 'netns', 'exec', ns], env: { HOST: `${net}.2`, ...env } });
    agents.push(agent);
    return agent;
  };

  beforeAll(async () => {
    await ip('netns', 'add', ns);
    nsCreated = true;
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'net0', 'netns', ns);
    await ip('addr', 'add', `${net}.1/24`, 'dev', hostSide);
    await ip('link', 'set', hostSide, 'up');
    await ip('-n', ns, 'addr', 'add', `${net}.2/24`, 'dev', 'net0');
    await ip('-n', ns, 'link', 'set', 'net0', 'up');
    await ip('-n', ns, 'route', 'add', 'default', 'via', `${net}.1`, 'dev', 'net0', 'table', '7');
    await ip('-n', ns, 'rule', 'add', 'pref', '1234', 'fwmark', '0x200/0x3f00', 'lookup', '7');
    await inNs('conntrack', '-I', '-p', 'tcp', '-s', `${net}.2`, '-d', '192.0.2.80', '--sport', '40000', '--dport', '443', '--state', 'ESTABLISHED', '-t', '600', '--mark', '42');
    await inNs('conntrack', '-I', '-p', 'udp', '-s', 'fd00:70::2', '-d', 'fd00:70::53', '--sport', '5353', '--dport', '53', '-t', '600');
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    if (nsCreated) await execa('ip', ['netns', 'del', ns], { reject: false });
    await execa('ip', ['link', 'del', hostSide], { reject: false });
  });

  const tcp = {
    protocol: 'tcp',
    request: { src: `${net}.2:40000`, dst: '192.0.2.80:443' },
    response: { src: '192.0.2.80:443', dst: `${net}.2:40000` },
    mark: '42',
    state: 'ESTABLISHED',
  };
  const udp6 = {
    protocol: 'udp',
    request: { src: '[fd00:70::2]:5353', dst: '[fd00:70::53]:53' },
    response: { src: '[fd00:70::53]:53', dst: '[fd00:70::2]:5353' },
    mark: '0',
  };

  it('reads the namespace: its device, its rule and table, its conntrack entries (from /proc)', async () => {
    const agent = await start();
    const iface = await agent.request('GET', `${STATUS}/interface`);
    expect(iface.status).toBe(200);
    expect(iface.json.status).toHaveLength(1);
    expect(iface.json.status[0]).toMatchObject({ name: 'net0', ip_address: [`${net}.2`], status: 'UP', mac_address: expect.stringMatching(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/) });
    expect(Number(iface.json.status[0].received_packets)).toBeGreaterThan(0);

    const rule = await agent.request('GET', `${STATUS}/rule`);
    expect(rule.json.status.map((r: { prio: string }) => r.prio)).toEqual(['0', '1234', '32766', '32767']);
    expect(rule.json.status[1]).toEqual({ src: 'all', prio: '1234', fwmark: '0x200/0x3f00', table: '7', not: 'false' });

    const route = await agent.request('GET', `${STATUS}/route`);
    expect(Object.keys(route.json.status).sort()).toEqual(['7', 'default', 'local', 'main']);
    expect(route.json.status['7']).toEqual({ item: [{ gateway: `${net}.1`, device: 'net0', destination: 'default' }] });
    expect(route.json.status['main'].item).toEqual([{ device: 'net0', destination: `${net}.0/24`, scope: 'link', proto: 'kernel', src: `${net}.2` }]);

    const ct = await agent.request('GET', `${STATUS}/conntrack`);
    expect(ct.status).toBe(200);
    expect(ct.json.status).toEqual(expect.arrayContaining([tcp, udp6]));
  }, 60_000);

  it('the same conntrack entries through the conntrack program when the proc file is not there', async () => {
    const agent = await start({ SDEWAN_NF_CONNTRACK: '/nonexistent/nf_conntrack' });
    const ct = await agent.request('GET', `${STATUS}/conntrack`);
    expect(ct.status).toBe(200);
    expect(ct.json.status).toEqual(expect.arrayContaining([tcp, udp6]));
    expect(agent.logRecords().filter((r) => r['module'] === 'conntrack')).toEqual([]);
  }, 60_000);
});
