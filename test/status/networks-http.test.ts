// The network view through the agent process (dist/src/main.js: run `npx tsc -p .` first) on
// the stock fixtures: each interface with its zone and mwan3 use, the kernel's view of its device,
// read-only answers, and no program started by a read (recording stand-ins of every program the
// agent runs are first on PATH).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, isClientError, type NetworkInterface } from '../../packages/client/src/index.js';
import { startAgent, type Agent } from '../helpers/agent.js';
import { makeFakeBin, type FakeBin } from './fakebin.js';

const INTERFACES = '/cgi-bin/luci/sdewan/network/v1/interfaces';
const PROGRAMS = ['ip', 'ubus', 'wg', 'swanctl', 'conntrack', 'uci', 'mwan3', 'ipsec', 'wireguard-go'];

describe('GET sdewan/network/v1/interfaces, stock fixtures', () => {
  let agent: Agent;
  let bin: FakeBin;
  const calls = () => (existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8').trim().split('\n').filter(Boolean) : []);

  beforeAll(async () => {
    bin = makeFakeBin();
    for (const p of PROGRAMS) bin.addScript(p, p === 'ip' ? "echo '[]'" : 'exit 1');
    agent = await startAgent({ env: { PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, SDEWAN_SLA_POLL_MS: '0' } });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('lists every interface with its device, kernel state, zone and mwan3 use', async () => {
    const r = await agent.request('GET', INTERFACES);
    expect(r.status).toBe(200);
    const list = r.json.interfaces as NetworkInterface[];
    expect(list.map((i) => i.name)).toEqual(['loopback', 'lan', 'wan', 'wanb']);
    const wan = list.find((i) => i.name === 'wan')!;
    expect(wan).toMatchObject({ proto: 'dhcp', device: 'eth1' });
    expect(wan.used_by).toEqual({ mwan3_interface: true, mwan3_policies: ['balanced', 'wan_wanb'], firewall_zones: ['wan'], wireguard_tunnels: [], ipsec: false });
    expect(list.find((i) => i.name === 'lan')!.used_by).toMatchObject({ mwan3_interface: false, mwan3_policies: [], firewall_zones: ['lan'] });
    // the kernel's own loopback device, as the agent's network namespace has it
    const lo = list.find((i) => i.name === 'loopback')!;
    expect(lo).toMatchObject({ device: 'lo', state: 'up' });
    expect(lo.addresses).toContain('127.0.0.1/8');
  });

  it('reads one interface by name through the typed client; 404 for one the config does not have', async () => {
    const client = createClient({ url: agent.url, password: agent.password });
    const list = await client.networks.interfaces();
    expect(await client.networks.interface('wanb')).toEqual(list.find((i) => i.name === 'wanb'));
    const missing = await client.networks.interface('nope').catch((err: unknown) => err);
    expect(isClientError(missing, 404)).toBe(true);
    expect((await agent.request('GET', `${INTERFACES}/wan/extra`)).status).toBe(400);
  });

  it('is read-only: every other method answers 405 with Allow: GET, and no file changes', async () => {
    const before = ['network', 'mwan3', 'firewall'].map((p) => agent.readFile(p));
    for (const [method, path] of [
      ['POST', INTERFACES],
      ['PUT', INTERFACES],
      ['DELETE', `${INTERFACES}/wan`],
      ['PUT', `${INTERFACES}/wan`],
      ['PATCH', `${INTERFACES}/wan`],
    ] as const) {
      const r = await agent.request(method, path, { name: 'wan', device: 'eth9' });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.get('allow')).toBe('GET');
      expect(r.json).toEqual({ message: 'Method Not Allowed' });
    }
    expect(['network', 'mwan3', 'firewall'].map((p) => agent.readFile(p))).toEqual(before);
  });

  it('starts no process for a read (the stand-ins record a status read that does)', async () => {
    // the recording works: the interface status module runs `ip`
    const seen = calls().length;
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/interface')).status).toBe(200);
    expect(calls().slice(seen)).toEqual(['ip -j -s addr show']);
    const after = calls();
    for (const path of [INTERFACES, `${INTERFACES}/wan`, `${INTERFACES}/nope`]) await agent.request('GET', path);
    expect(calls()).toEqual(after);
  });
});
