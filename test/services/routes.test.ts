// The service and status routes in a fastify instance of their own, on a real socket, with a
// real reloader running fake init scripts, fake ubus/swanctl programs and hand-built configs.
// (test/services/http.test.ts runs the same routes through the whole agent process.)
import { kernelHostView } from '../../src/host/facts.js';
import type { KernelStatusSource } from '../../src/host/status-source.js';
import type { CommandOutput } from '../../src/status/command.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config.js';
import type { AgentContext } from '../../src/context.js';
import { ApiError } from '../../src/errors.js';
import { registerServiceRoutes, type StatusOptions } from '../../src/http/service-routes.js';
import { createReloader, type ServiceReloader } from '../../src/services/reloader.js';
import { SERVICE_ACTIONS } from '../../src/services/table.js';
import type { UciPackage, UciStore } from '../../src/uci/types.js';
import { SAMPLE_LEGACY_INTERFACES, unknownInterface } from '../status/expected.js';
import { makeFakeBin, referenceDir, type FakeBin } from '../status/fakebin.js';
import { pkg } from '../status/uci.js';
import { makeFakeInitd, type FakeInitd } from './scripts.js';

const configs: Record<string, UciPackage> = {
  mwan3: pkg('mwan3', [
    ['globals', 'globals', { mmx_mask: '0x3F00' }],
    ['interface', 'wan', { enabled: '1', track_ip: ['1.1.1.1', '8.8.8.8'] }],
    ['interface', 'wanb', { enabled: '1', track_ip: ['1.0.0.1'] }],
  ]),
  ipsec: pkg('ipsec', [
    ['remote', 'siteB', { enabled: '1', gateway: '10.99.0.2', tunnel: ['net'] }],
    ['tunnel', 'net', { local_subnet: ['192.168.10.0/24'] }],
    ['remote', 'siteC', { enabled: '1', gateway: '10.99.0.3' }],
  ]),
};

const store: UciStore = {
  confdir: '/nonexistent',
  read: async (name) => configs[name] ?? { name, sections: [] },
  identity: () => 'fixed',
  update: async () => {
    throw new Error('read-only test store');
  },
  restore: async () => {
    throw new Error('read-only test store');
  },
};

const ubusSample = path.join(referenceDir, 'mwan3/ubus-mwan3-status.json');

/** The kernel as recorded in test/reference/kernel, and a kernel that answers nothing. */
const kernelFile = (name: string) => async (): Promise<CommandOutput> => ({ ok: true, stdout: readFileSync(path.join(referenceDir, 'kernel', name), 'utf8') });
const recordedKernel: KernelStatusSource = {
  links: kernelFile('ip-s-addr.json'),
  routes: kernelFile('ip-route-all.json'),
  rules: kernelFile('ip-rule.json'),
  conntrack: kernelFile('nf_conntrack.txt'),
};
const absent = async (): Promise<CommandOutput> => ({ ok: false, missing: true, reason: 'ip not found' });
const noKernel: KernelStatusSource = { links: absent, routes: absent, rules: absent, conntrack: absent };

interface Harness {
  url: string;
  app: FastifyInstance;
  reloader: ServiceReloader;
  req(method: string, p: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }>;
}

async function start(initd: FakeInitd, status: StatusOptions, timeoutMs = 10_000): Promise<Harness> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send({ message: err.message });
    return reply.code(500).send({ message: 'Internal server error' });
  });
  const reloader = createReloader({ initd: initd.dir, delayMs: 0, timeoutMs, log: { info: () => undefined, warn: () => undefined } });
  const ctx: Omit<AgentContext, 'changeSets'> = { settings: { initd: initd.dir } as Settings, store, reloader, log: app.log, host: kernelHostView };
  await registerServiceRoutes(app, ctx, reloader, status);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    reloader,
    async req(method, p, body) {
      const res = await fetch(`${url}/cgi-bin/luci${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  };
}

describe('service and status routes', () => {
  let initd: FakeInitd;
  let bin: FakeBin;
  let h: Harness | undefined;
  let status: StatusOptions;
  beforeEach(async () => {
    initd = await makeFakeInitd();
    bin = makeFakeBin();
    bin.add('ubus', ubusSample);
    bin.add('swanctl', path.join(referenceDir, 'strongswan/list-sas.raw.txt'));
    status = { ubusBin: path.join(bin.dir, 'ubus'), swanctlBin: path.join(bin.dir, 'swanctl'), viciUri: undefined, timeoutMs: 10_000, kernel: recordedKernel };
  });
  afterEach(async () => {
    await h?.app.close();
    await h?.reloader.close();
    h = undefined;
    bin.cleanup();
    await initd.cleanup();
  });

  it('GET /sdewan/v1/services lists the four services', async () => {
    h = await start(initd, status);
    const r = await h.req('GET', '/sdewan/v1/services');
    expect(r).toMatchObject({ status: 200, json: { services: ['mwan3', 'firewall', 'ipsec', 'network'] } });
  });

  it('PUT /sdewan/v1/service/{name} runs the mapped init script action', async () => {
    h = await start(initd, status);
    for (const service of ['mwan3', 'firewall', 'ipsec', 'network']) {
      for (const action of SERVICE_ACTIONS) {
        const r = await h.req('PUT', `/sdewan/v1/service/${service}`, { action });
        expect(r.status).toBe(200);
        expect(r.json).toEqual({ message: 'success' });
      }
    }
    expect(await initd.calls()).toEqual([
      'mwan3 start',
      'mwan3 stop',
      'mwan3 restart',
      'mwan3 restart',
      'firewall start',
      'firewall stop',
      'firewall restart',
      'firewall reload',
      'swanctl start',
      'swanctl stop',
      'swanctl restart',
      'swanctl reload',
      'network start',
      'network stop',
      'network restart',
      'network reload',
    ]);
  });

  it('unknown service or action is a 400 naming it, and nothing runs', async () => {
    h = await start(initd, status);
    const unknownService = await h.req('PUT', '/sdewan/v1/service/dnsmasq', { action: 'restart' });
    expect(unknownService.status).toBe(400);
    expect(unknownService.json.message).toBe('Bad request URI: unknown service "dnsmasq", expected one of mwan3, firewall, ipsec, network');
    const badAction = await h.req('PUT', '/sdewan/v1/service/firewall', { action: 'restart; reboot' });
    expect(badAction.status).toBe(400);
    expect(badAction.json.message).toBe('Field[action] checked failed: action should be one of start, stop, restart, reload');
    for (const body of [{}, { action: '' }, { action: null }, { verb: 'start' }]) {
      const missing = await h.req('PUT', '/sdewan/v1/service/firewall', body);
      expect(missing.status).toBe(400);
      expect(missing.json.message).toBe('Field[action] checked failed: action is required, one of start, stop, restart, reload');
    }
    const noName = await h.req('PUT', '/sdewan/v1/service', { action: 'start' });
    expect(noName).toMatchObject({ status: 400, json: { message: 'Bad request URI' } });
    const tooDeep = await h.req('PUT', '/sdewan/v1/service/firewall/extra', { action: 'start' });
    expect(tooDeep).toMatchObject({ status: 400, json: { message: 'Bad request URI' } });
    expect(await initd.calls()).toEqual([]);
  });

  it('a failing script is a 500 with its message, shown in status/services; the routes keep serving', async () => {
    await initd.write('firewall', 'echo "Section @zone[1] (wan) cannot resolve device" >&2; exit 1');
    h = await start(initd, status);
    const r = await h.req('PUT', '/sdewan/v1/service/firewall', { action: 'reload' });
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ message: 'firewall reload failed: Section @zone[1] (wan) cannot resolve device' });
    expect((await h.req('GET', '/sdewan/v1/services')).status).toBe(200);
    const services = await h.req('GET', '/sdewan/v1/status/services');
    expect(services.status).toBe(200);
    expect(services.json.status.mwan3).toBeNull();
    expect(services.json.status.ipsec).toBeNull();
    expect(services.json.status.firewall).toMatchObject({
      action: 'reload',
      trigger: 'explicit',
      ok: false,
      message: 'Section @zone[1] (wan) cannot resolve device',
    });
  });

  it('a hanging script is a 504 after the timeout', async () => {
    await initd.write('swanctl', 'sleep 60');
    h = await start(initd, status, 300);
    const r = await h.req('PUT', '/sdewan/v1/service/ipsec', { action: 'restart' });
    expect(r).toMatchObject({ status: 504, json: { message: 'ipsec restart failed: timed out after 300 ms' } });
  });

  it('other methods are 405', async () => {
    h = await start(initd, status);
    const cases: Array<[string, string]> = [
      ['POST', '/sdewan/v1/services'],
      ['DELETE', '/sdewan/v1/services'],
      ['GET', '/sdewan/v1/service/mwan3'],
      ['POST', '/sdewan/v1/service/mwan3'],
      ['PUT', '/sdewan/v1/status'],
      ['DELETE', '/sdewan/v1/status/wan'],
      ['POST', '/admin/status/mwan/interface_status'],
      ['PUT', '/admin/status/mwan/detailed_status'],
    ];
    for (const [method, p] of cases) {
      const r = await h.req(method, p, method === 'GET' || method === 'DELETE' ? undefined : { action: 'start' });
      expect([method, p, r.status, r.json]).toEqual([method, p, 405, { message: 'Method Not Allowed' }]);
    }
    expect(await initd.calls()).toEqual([]);
  });

  it("GET status lists ICN's modules in the Lua order, then services", async () => {
    h = await start(initd, status);
    const r = await h.req('GET', '/sdewan/v1/status');
    expect(r.status).toBe(200);
    expect(r.json.map((m: { name: string }) => m.name)).toEqual(['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard']);
    const of = (name: string) => r.json.find((m: { name: string }) => m.name === name).status;
    expect(of('conntrack')).toHaveLength(7);
    expect(of('interface').map((i: { name: string }) => i.name)).toEqual(['net1', 'net0', 'ipsec0', 'down1', 'down0']);
    expect(Object.keys(of('route')).sort()).toEqual(['1', '100', 'default', 'local', 'main']);
    expect(of('rule')).toHaveLength(11);
    expect(of('wan')).toEqual(JSON.parse(readFileSync(ubusSample, 'utf8')));
    expect(of('ipsec').InitConnection).toBe('success');
    expect(of('ipsec').details.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['siteB', 'up'],
      ['siteC', 'down'],
    ]);
    expect(of('services')).toEqual({ mwan3: null, firewall: null, ipsec: null, network: null });
  });

  it('a kernel source that answers nothing gives empty modules, not an error', async () => {
    h = await start(initd, { ...status, kernel: noKernel });
    for (const [module, empty] of [
      ['interface', []],
      ['route', {}],
      ['rule', []],
      ['conntrack', []],
    ] as const) {
      const r = await h.req('GET', `/sdewan/v1/status/${module}`);
      expect([module, r.status, r.json]).toEqual([module, 200, { name: module, status: empty }]);
    }
  });

  it('status/wan is the ubus answer as is; without ubus, the config with status unknown', async () => {
    h = await start(initd, status);
    expect((await h.req('GET', '/sdewan/v1/status/wan')).json.status).toEqual(JSON.parse(readFileSync(ubusSample, 'utf8')));
    await h.app.close();
    h = await start(initd, { ...status, ubusBin: path.join(bin.dir, 'absent-ubus') });
    const r = await h.req('GET', '/sdewan/v1/status/wan');
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.status.interfaces)).toEqual(['wan', 'wanb']);
    expect(r.json.status.interfaces.wanb).toEqual(unknownInterface('1.0.0.1'));
  });

  it('status/ipsec merges swanctl SAs with the configured remotes; unknown without swanctl', async () => {
    h = await start(initd, status);
    const up = await h.req('GET', '/sdewan/v1/status/ipsec');
    expect(up.status).toBe(200);
    expect(up.json.status.InitConnection).toBe('success');
    expect(up.json.status.details[0]).toMatchObject({
      name: 'siteB',
      state: 'up',
      established: 5,
      local_addr: '10.99.0.1',
      remote_addr: '10.99.0.2',
      child_sas: [{ name: 'net', state: 'INSTALLED', local_ts: ['192.168.10.0/24'], remote_ts: ['192.168.20.0/24'], bytes_in: 168 }],
    });
    expect(up.json.status.details[1]).toEqual({ name: 'siteC', state: 'down', child_sas: [], configured: true });
    await h.app.close();

    h = await start(initd, { ...status, swanctlBin: path.join(bin.dir, 'absent-swanctl') });
    const unknown = await h.req('GET', '/sdewan/v1/status/ipsec');
    expect(unknown.status).toBe(200);
    expect(unknown.json.status.details).toEqual([
      { name: 'siteB', state: 'unknown', child_sas: [], configured: true, message: `${path.join(bin.dir, 'absent-swanctl')} not found` },
      { name: 'siteC', state: 'unknown', child_sas: [], configured: true, message: `${path.join(bin.dir, 'absent-swanctl')} not found` },
    ]);
  });

  it('swanctl failing (charon not running) gives unknown with its message', async () => {
    bin.addScript('swanctl', `echo "connecting to 'unix:///var/run/charon.vici' failed: No such file or directory" >&2; exit 1`);
    h = await start(initd, status);
    const r = await h.req('GET', '/sdewan/v1/status/ipsec');
    expect(r.json.status.details[0]).toEqual({
      name: 'siteB',
      state: 'unknown',
      child_sas: [],
      configured: true,
      message: `${path.join(bin.dir, 'swanctl')}: exit status 1: connecting to 'unix:///var/run/charon.vici' failed: No such file or directory`,
    });
  });

  it('an unknown status module is a 404; a deeper path a 400', async () => {
    h = await start(initd, status);
    const r = await h.req('GET', '/sdewan/v1/status/dhcp');
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('Bad request URI: status module "dhcp" is not supported, expected one of conntrack, interface, ipsec, route, rule, wan, services, wireguard');
    expect((await h.req('GET', '/sdewan/v1/status/wan/extra')).status).toBe(400);
  });

  it('interface_status in the legacy shape, from ubus or from the config', async () => {
    h = await start(initd, status);
    const live = await h.req('GET', '/admin/status/mwan/interface_status');
    expect(live.status).toBe(200);
    expect(Object.keys(live.json)).toEqual(['interfaces', 'connected']);
    expect(live.json.interfaces.wanb).toEqual(SAMPLE_LEGACY_INTERFACES.wanb);
    expect(live.json.connected.ipv6).toEqual(['fe80::/64']);
    await h.app.close();

    h = await start(initd, { ...status, ubusBin: path.join(bin.dir, 'absent-ubus') });
    const fallback = await h.req('GET', '/admin/status/mwan/interface_status');
    expect(fallback.json.connected).toEqual({ ipv4: [], ipv6: [] });
    expect(Object.values(fallback.json.interfaces).map((i: any) => [i.status, i.running])).toEqual([
      ['unknown', false],
      ['unknown', false],
    ]);
  });

  it('detailed_status answers mwandetail text built from ubus, and from the config without it', async () => {
    h = await start(initd, status);
    const r = await h.req('GET', '/admin/status/mwan/detailed_status');
    expect(r.status).toBe(200);
    expect(r.json.mwandetail).toHaveLength(1);
    expect(r.json.mwandetail[0].split('\n').slice(0, 4)).toEqual([
      'Interface status:',
      ' interface wan is online 01h:30m:12s, uptime 01h:30m:20s and tracking is active',
      ' interface wanb is offline and tracking is active',
      ' interface wan6 is unknown and tracking is disabled',
    ]);
    await h.app.close();

    h = await start(initd, { ...status, ubusBin: path.join(bin.dir, 'absent-ubus') });
    const f = await h.req('GET', '/admin/status/mwan/detailed_status');
    expect(f.json.mwandetail[0].split('\n').slice(0, 3)).toEqual([
      'Interface status:',
      ' interface wan is unknown and tracking is unknown',
      ' interface wanb is unknown and tracking is unknown',
    ]);
  });
});

describe('shareInFlight', () => {
  it('concurrent callers share one run; a later call starts a new one', async () => {
    const { shareInFlight } = await import('../../src/http/service-routes.js');
    let runs = 0;
    let release!: () => void;
    const shared = shareInFlight(async () => {
      runs++;
      await new Promise<void>((res) => (release = res));
      return runs;
    });
    const first = Promise.all([shared(), shared(), shared()]);
    release();
    expect(await first).toEqual([1, 1, 1]);
    const second = shared();
    release();
    expect(await second).toBe(2);
  });
});
