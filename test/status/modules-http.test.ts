// The interface, route, rule and conntrack modules through the agent process (dist/src/main.js:
// run `npx tsc -p .` first), with recording fake `ip` and `conntrack` programs on PATH that print
// output recorded from a real kernel (test/reference/kernel), and without any source at all.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type InterfaceStatus, type RuleEntry } from '../../packages/client/src/index.js';
import { startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { makeFakeBin, referenceDir, type FakeBin } from './fakebin.js';

const kernel = (name: string) => path.join(referenceDir, 'kernel', name);
const STATUS = '/cgi-bin/luci/sdewan/v1/status';

/** A fake `ip` that answers the three invocations the agent makes with the recorded output, and fails on anything else. */
function addFakeIp(bin: FakeBin): void {
  bin.addScript(
    'ip',
    [
      'case "$*" in',
      `  "-j -s addr show") cat '${kernel('ip-s-addr.json')}' ;;`,
      `  "-4 -j route show table all") cat '${kernel('ip-route-all.json')}' ;;`,
      `  "-4 -j rule show") cat '${kernel('ip-rule.json')}' ;;`,
      '  *) echo "ip: unexpected arguments" >&2; exit 2 ;;',
      'esac',
    ].join('\n'),
  );
}

/** The recorded calls of one fake program (none when no fake ran at all). */
const callsOf = (bin: FakeBin, program: string) =>
  (existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8') : '')
    .trim()
    .split('\n')
    .filter((l) => l.startsWith(`${program} `));

describe('kernel status modules, fake ip and conntrack on PATH (no conntrack proc file)', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    addFakeIp(bin);
    bin.add('conntrack', kernel('conntrack-L.txt'), 0, 'conntrack v1.4.7 (conntrack-tools): 8 flow entries have been shown.');
    agent = await startAgent({
      env: { PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, SDEWAN_NF_CONNTRACK: path.join(bin.dir, 'no-nf_conntrack') },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('status/interface: one entry per device but lo, from ip -j -s addr show', async () => {
    const r = await agent.request('GET', `${STATUS}/interface`);
    expect(r.status).toBe(200);
    expect(r.json.name).toBe('interface');
    expect(r.json.status.map((i: { name: string; status: string }) => `${i.name} ${i.status}`)).toEqual(['net1 UP', 'net0 UP', 'ipsec0 UP', 'down1 DOWN', 'down0 DOWN']);
    expect(r.json.status[0]).toEqual({
      name: 'net1',
      ip_address: ['172.16.30.89'],
      ip6_address: ['fe80::d442:b2ff:fef9:607b/64'],
      mac_address: 'D6:42:B2:F9:60:7B',
      received_packets: '4',
      send_packets: '3',
      status: 'UP',
    });
    expect(callsOf(bin, 'ip')).toContain('ip -j -s addr show');
  });

  it('status/rule and status/route: the rules, and the routes of the tables they look up', async () => {
    const rule = await agent.request('GET', `${STATUS}/rule`);
    expect(rule.status).toBe(200);
    expect(rule.json.status[6]).toEqual({ src: 'all', prio: '2001', fwmark: '0x100/0x3f00', table: '1', not: 'false' });
    const route = await agent.request('GET', `${STATUS}/route`);
    expect(route.status).toBe(200);
    expect(Object.keys(route.json.status).sort()).toEqual(['1', '100', 'default', 'local', 'main']);
    expect(route.json.status['1']).toEqual({
      item: [
        { gateway: '172.16.30.1', device: 'net1', destination: 'default' },
        { device: 'net0', destination: '10.10.10.0/24', scope: 'link', proto: 'kernel', src: '10.10.10.89' },
      ],
    });
    const calls = callsOf(bin, 'ip');
    expect(calls).toContain('ip -4 -j rule show');
    expect(calls).toContain('ip -4 -j route show table all');
  });

  it('status/conntrack: conntrack -L when the proc file is absent; ICMP left out', async () => {
    const r = await agent.request('GET', `${STATUS}/conntrack`);
    expect(r.status).toBe(200);
    expect(r.json.status).toHaveLength(7);
    expect(r.json.status).toContainEqual({
      protocol: 'tcp',
      request: { src: '10.10.10.89:40222', dst: '192.168.20.5:443' },
      response: { src: '192.168.20.5:443', dst: '10.10.10.89:40222' },
      mark: '256',
      state: 'ESTABLISHED',
    });
    expect(callsOf(bin, 'conntrack')).toEqual(['conntrack -L']);
  });

  it('the typed client reads every module with its type', async () => {
    const client = createClient({ url: agent.url, password: agent.password });
    const links: InterfaceStatus[] = await client.status.get('interface');
    expect(links.map((l) => l.name)).toEqual(['net1', 'net0', 'ipsec0', 'down1', 'down0']);
    const rules: RuleEntry[] = await client.status.get('rule');
    expect(rules[0]).toEqual({ src: 'all', prio: '0', table: 'local', not: 'false' });
    expect((await client.status.get('route'))['100']).toEqual({ item: [{ destination: '10.77.0.0/16', type: 'unreachable' }] });
    expect((await client.status.get('conntrack')).map((c) => c.protocol)).toEqual(['tcp', 'udp', 'udp', 'udp', 'tcp', 'tcp', 'tcp']);
    const ipsec = await client.status.get('ipsec');
    expect(typeof ipsec.InitConnection).toBe('string');
    expect((await client.status.all()).map((m) => m.name)).toEqual(['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard']);
  });

  it('no warning while every source answers', () => {
    expect(agent.logRecords().filter((r) => typeof r['msg'] === 'string' && (r['msg'] as string).includes('status empty'))).toEqual([]);
  });
});

describe('kernel status modules from the conntrack proc file', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    bin.add('conntrack', kernel('conntrack-L.txt'));
    agent = await startAgent({ env: { PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, SDEWAN_NF_CONNTRACK: kernel('nf_conntrack.txt') } });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('reads the file, short IPv6 addresses in brackets, and runs no program', async () => {
    const r = await agent.request('GET', `${STATUS}/conntrack`);
    expect(r.status).toBe(200);
    expect(r.json.status[0]).toEqual({
      protocol: 'tcp',
      request: { src: '[fd00:10::89]:50000', dst: '[fd00:20::5]:80' },
      response: { src: '[fd00:20::5]:80', dst: '[fd00:10::89]:50000' },
      mark: '0',
      state: 'TIME_WAIT',
    });
    expect(r.json.status).toHaveLength(7);
    expect(callsOf(bin, 'conntrack')).toEqual([]);
  });
});

describe('kernel status modules without any source', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    agent = await startAgent({
      env: {
        SDEWAN_CONNTRACK: path.join(bin.dir, 'no-conntrack'),
        SDEWAN_NF_CONNTRACK: path.join(bin.dir, 'no-nf_conntrack'),
        SDEWAN_IP: path.join(bin.dir, 'no-ip'),
      },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('each module is empty (200), and a warning names the module and the reason', async () => {
    for (const [module, empty] of [
      ['interface', []],
      ['route', {}],
      ['rule', []],
      ['conntrack', []],
    ] as const) {
      const r = await agent.request('GET', `${STATUS}/${module}`);
      expect([module, r.status, r.json]).toEqual([module, 200, { name: module, status: empty }]);
    }
    // the log line travels through a pipe and may arrive after the answer
    const warnings = await waitFor(() => {
      const w = agent.logRecords().filter((r) => r['level'] === 40);
      const modules = new Set(w.map((x) => x['module']));
      return ['interface', 'rule', 'conntrack'].every((m) => modules.has(m)) ? w : undefined;
    }, { what: 'a warning for each module' });
    const ipWarning = warnings.find((w) => w['module'] === 'interface')!;
    expect(ipWarning['reason']).toBe(`${path.join(bin.dir, 'no-ip')} not found`);
    const ctWarning = warnings.find((w) => w['module'] === 'conntrack')!;
    expect(ctWarning['reason']).toMatch(/no-nf_conntrack: ENOENT; .*no-conntrack not found/);
  });

  it('GET status still answers every module', async () => {
    const r = await agent.request('GET', STATUS);
    expect(r.status).toBe(200);
    expect(r.json.map((m: { name: string }) => m.name)).toEqual(['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard']);
  });
});

describe('an ip program that prints something other than JSON', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    bin.addScript('ip', 'echo "Option \\"-j\\" is unknown, try \\"ip -help\\"."');
    agent = await startAgent({ env: { PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('gives an empty module and a warning that says so', async () => {
    const r = await agent.request('GET', `${STATUS}/interface`);
    expect(r).toMatchObject({ status: 200, json: { name: 'interface', status: [] } });
    const w = await waitFor(() => agent.logRecords().find((x) => x['module'] === 'interface'), { what: 'the warning' });
    expect(w['reason']).toMatch(/^ip -j -s addr show: not JSON/);
  });
});
