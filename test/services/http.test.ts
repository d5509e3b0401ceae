// Services and status through the real agent process (dist/src/main.js): run `npx tsc -p .` first.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';
import { SAMPLE_CONNECTED, SAMPLE_LEGACY_INTERFACES, unknownInterface } from '../status/expected.js';
import { makeFakeBin, referenceDir, type FakeBin } from '../status/fakebin.js';
import { makeFakeInitd, type FakeInitd } from './scripts.js';

const ubusSample = path.join(referenceDir, 'mwan3/ubus-mwan3-status.json');
const ipsecConfig = [
  "config remote 'siteB'",
  "\toption enabled '1'",
  "\toption gateway '10.99.0.2'",
  "\tlist tunnel 'net'",
  '',
  "config tunnel 'net'",
  "\tlist local_subnet '192.168.10.0/24'",
  "\tlist remote_subnet '192.168.20.0/24'",
  '',
  "config remote 'siteC'",
  "\toption enabled '1'",
  "\toption gateway '10.99.0.3'",
  '',
].join('\n');

describe('services and status, live sources (fake ubus and swanctl on PATH)', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    bin.add('ubus', ubusSample);
    bin.add('swanctl', path.join(referenceDir, 'strongswan/list-sas.raw.txt'));
    agent = await startAgent({ env: { PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` }, config: { ipsec: ipsecConfig } });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('the routes need a session like every other', async () => {
    for (const p of ['/sdewan/v1/services', '/sdewan/v1/status', '/admin/status/mwan/interface_status']) {
      const r = await agent.request('GET', `/cgi-bin/luci${p}`, undefined, { cookie: '' });
      expect([p, r.status, r.headers.get('x-luci-login-required')]).toEqual([p, 403, 'yes']);
    }
    const put = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/mwan3', { action: 'restart' }, { cookie: '' });
    expect(put.status).toBe(403);
    expect(agent.callsLog()).toEqual([]);
  });

  it('GET services, then PUT actions run the recording init scripts', async () => {
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/v1/services')).json).toEqual({ services: ['mwan3', 'firewall', 'ipsec', 'network'] });
    for (const [service, action] of [
      ['mwan3', 'reload'],
      ['firewall', 'restart'],
      ['ipsec', 'stop'],
    ]) {
      const r = await agent.request('PUT', `/cgi-bin/luci/sdewan/v1/service/${service}`, { action });
      expect([service, action, r.status, r.json]).toEqual([service, action, 200, { message: 'success' }]);
    }
    expect(agent.callsLog()).toEqual(['mwan3 restart', 'firewall restart', 'swanctl stop']);
    const bad = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/ipsec', { action: 'kill' });
    expect(bad).toMatchObject({ status: 400, json: { message: 'Field[action] checked failed: action should be one of start, stop, restart, reload' } });
    expect(agent.callsLog()).toHaveLength(3);
  });

  it('status/wan is the ubus answer; interface_status its legacy form', async () => {
    const wan = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/wan');
    expect(wan.status).toBe(200);
    // {"name", "status"}: the SdewanModuleStatus the controller's Go client unmarshals
    expect(Object.keys(wan.json)).toEqual(['name', 'status']);
    expect(wan.json.name).toBe('wan');
    expect(wan.json.status).toEqual(JSON.parse(readFileSync(ubusSample, 'utf8')));
    const legacy = await agent.request('GET', '/cgi-bin/luci/admin/status/mwan/interface_status');
    expect(legacy.status).toBe(200);
    expect(legacy.json.interfaces.wan).toEqual(SAMPLE_LEGACY_INTERFACES.wan);
    expect(legacy.json.connected).toEqual(SAMPLE_CONNECTED);
  });

  it('status/ipsec: siteB up with its child SA, siteC down', async () => {
    const r = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/ipsec');
    expect(r.status).toBe(200);
    // nothing here is started by this side (startaction defaults to route): success
    expect(r.json.status.InitConnection).toBe('success');
    expect(r.json.status.details.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['siteB', 'up'],
      ['siteC', 'down'],
    ]);
    expect(r.json.status.details[0].child_sas).toMatchObject([{ name: 'net', state: 'INSTALLED', bytes_in: 168, packets_out: 2 }]);
  });

  it('GET status gives every module, with the last action per service', async () => {
    const r = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status');
    expect(r.status).toBe(200);
    expect(r.json.map((m: { name: string }) => m.name)).toEqual(['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard']);
    const services = r.json[6].status;
    expect(services.mwan3).toMatchObject({ action: 'reload', trigger: 'explicit', ok: true });
    expect(services.ipsec).toMatchObject({ action: 'stop', ok: true });
  });
});

describe('services and status, failing scripts and no ubus or swanctl', () => {
  let agent: Agent;
  let initd: FakeInitd;
  beforeAll(async () => {
    initd = await makeFakeInitd({
      firewall: 'echo "Error: zone wan has unknown network wanc" >&2; exit 1',
      mwan3: 'sleep 60',
    });
    agent = await startAgent({
      initd: initd.dir,
      config: { ipsec: ipsecConfig },
      env: {
        SDEWAN_SERVICE_TIMEOUT_MS: '500',
        SDEWAN_UBUS: path.join(initd.dir, 'no-ubus'),
        SDEWAN_SWANCTL: path.join(initd.dir, 'no-swanctl'),
      },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await initd?.cleanup();
  });

  it('a failing script is a 500 with its message, and the agent keeps serving', async () => {
    const r = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/firewall', { action: 'reload' });
    expect(r).toMatchObject({ status: 500, json: { message: 'firewall reload failed: Error: zone wan has unknown network wanc' } });
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/v1/services')).status).toBe(200);
    const services = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/services');
    expect(services.json.status.firewall).toMatchObject({ action: 'reload', ok: false, message: 'Error: zone wan has unknown network wanc' });
  });

  it('a hanging script is a 504 after SDEWAN_SERVICE_TIMEOUT_MS', async () => {
    const r = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/mwan3', { action: 'start' });
    expect(r).toMatchObject({ status: 504, json: { message: 'mwan3 start failed: timed out after 500 ms' } });
    expect(await initd.calls()).toEqual(['firewall reload', 'mwan3 start']);
  });

  it('without ubus, wan status comes from the mwan3 config with status unknown', async () => {
    const r = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/wan');
    expect(r.status).toBe(200);
    expect(r.json.status.interfaces.wan).toEqual(unknownInterface('1.1.1.1', '8.8.8.8'));
    const legacy = await agent.request('GET', '/cgi-bin/luci/admin/status/mwan/interface_status');
    expect(legacy.json).toEqual(r.json.status);
  });

  it('without swanctl, every configured remote is unknown', async () => {
    const r = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/ipsec');
    expect(r.status).toBe(200);
    // no strongSwan at all: nothing a restart could fix
    expect(r.json.status.InitConnection).toBe('success');
    expect(r.json.status.details.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['siteB', 'unknown'],
      ['siteC', 'unknown'],
    ]);
    expect(r.json.status.details[0].message).toBe(`${path.join(initd.dir, 'no-swanctl')} not found`);
  });
});
