// GET /metrics through the agent process (dist/src/main.js: run `npx tsc -p .` first): the text
// parses strictly, a session or the bearer token gets in, counters move after writes, WAN and
// IPsec figures come from a fake ubus on PATH and a vici server on a unix socket.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKET, SegmentReader, decodePacket, encodePacket, type ViciSection } from '../../src/ipsec/vici.js';
import { makeTempDir, runAgentUntilExit, startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { makeFakeBin, referenceDir, type FakeBin } from '../status/fakebin.js';
import { parseExposition, valueOf } from './exposition.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const RULES = '/cgi-bin/luci/sdewan/mwan3/v1/rules';

/** A charon stand-in: answers `list-sas` over vici with the given SAs (list-sa events). */
function fakeCharon(socketPath: string, sas: () => ViciSection[]) {
  let requests = 0;
  const server = net.createServer((conn) => {
    const reader = new SegmentReader();
    conn.on('data', (chunk) => {
      for (const segment of reader.push(chunk)) {
        const p = decodePacket(segment);
        if (p.type === PACKET.EVENT_REGISTER) conn.write(encodePacket({ type: PACKET.EVENT_CONFIRM }));
        if (p.type === PACKET.CMD_REQUEST && p.name === 'list-sas') {
          requests++;
          conn.write(Buffer.concat([...sas().map((message) => encodePacket({ type: PACKET.EVENT, name: 'list-sa', message })), encodePacket({ type: PACKET.CMD_RESPONSE, message: new Map() })]));
        }
      }
    });
  });
  return {
    requests: () => requests,
    listen: () => new Promise<void>((resolve) => server.listen(socketPath, resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const child = (name: string, state: string, bytes: string): ViciSection =>
  new Map<string, any>([
    ['name', name],
    ['state', state],
    ['bytes-in', bytes],
    ['bytes-out', '84'],
    ['packets-in', '2'],
    ['packets-out', '1'],
    ['spi-in', 'c0ffee01'],
  ]);
const ikeSa = (name: string, state: string, children: Record<string, ViciSection>): ViciSection =>
  new Map<string, any>([[name, new Map<string, any>([['state', state], ['child-sas', new Map(Object.entries(children))]])]]);

describe('the strict exposition reader of these tests', () => {
  it.each([
    ['a sample before its TYPE', 'x 1\n'],
    ['a bad escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a series twice', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['buckets that are not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a missing final newline', '# TYPE x gauge\nx 1'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});

describe('GET /metrics', () => {
  let agent: Agent;
  let bin: FakeBin;
  let charon: ReturnType<typeof fakeCharon>;
  let dir: string;
  const calls = (program: string) => (existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8') : '').split('\n').filter((l) => l.startsWith(`${program} `)).length;

  beforeAll(async () => {
    bin = makeFakeBin();
    bin.add('ubus', path.join(referenceDir, 'mwan3', 'ubus-mwan3-status.json'));
    bin.add('swanctl', path.join(referenceDir, 'strongswan', 'list-sas.raw.txt'));
    dir = makeTempDir('sdewan-metrics-');
    const sock = path.join(dir, 'charon.vici');
    charon = fakeCharon(sock, () => [ikeSa('site_b', 'ESTABLISHED', { 'net_1-3': child('net_1', 'INSTALLED', '168') })]);
    await charon.listen();
    agent = await startAgent({
      env: { SDEWAN_METRICS_TOKEN: TOKEN, SDEWAN_UBUS: path.join(bin.dir, 'ubus'), SDEWAN_SWANCTL: path.join(bin.dir, 'swanctl'), SDEWAN_VICI_URI: `unix://${sock}` },
      config: {
        ipsec: [
          "config remote 'site_b'\n\toption api_name 'site-b'\n\toption pre_shared_key 'do-not-show-this-psk'\n\tlist tunnel 'net_1'\n",
          "config tunnel 'net_1'\n\toption api_name 'net-1'\n",
          "config remote 'site_c'\n\tlist tunnel 'net_c'\n",
          "config tunnel 'net_c'\n",
        ].join('\n'),
      },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await charon?.close();
    bin?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => {
    const res = await agent.request('GET', '/metrics', undefined, { cookie: '', headers });
    expect(res.status).toBe(200);
    return parseExposition(res.text);
  };

  it('without credentials: the API\'s 403; with a session or the token: the text format', async () => {
    const anon = await agent.request('GET', '/metrics', undefined, { cookie: '' });
    expect(anon.status).toBe(403);
    expect(anon.headers.get('x-luci-login-required')).toBe('yes');

    const withSession = await agent.request('GET', '/metrics');
    expect(withSession.status).toBe(200);
    expect(withSession.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(withSession.headers.get('cache-control')).toBe('no-store');
    const families = parseExposition(withSession.text);
    expect(families.get('sdewan_http_requests_total')?.type).toBe('counter');
    expect(families.get('sdewan_http_request_duration_seconds')?.type).toBe('histogram');
    // prom-client's process metrics
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('process_resident_memory_bytes')?.type).toBe('gauge');
    expect(families.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');

    const withToken = await agent.request('GET', '/metrics', undefined, { cookie: '', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(() => parseExposition(withToken.text)).not.toThrow();
  });

  it('a wrong bearer token is 401 with WWW-Authenticate, even beside a live session', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, 'Bearer', `Basic ${Buffer.from(`root:${agent.password}`).toString('base64')}`, `bearer  ${TOKEN.slice(1)}`]) {
      const res = await agent.request('GET', '/metrics', undefined, { cookie: '', headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sdewan-agent metrics", error="invalid_token"');
      expect(res.json).toEqual({ message: 'Invalid bearer token' });
    }
    const both = await agent.request('GET', '/metrics', undefined, { headers: { authorization: 'Bearer wrong-token-wrong-token' } });
    expect(both.status).toBe(401);
    // the token opens /metrics only
    const api = await agent.request('GET', RULES, undefined, { cookie: '', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.status).toBe(403);
    expect(agent.logs()).not.toContain(TOKEN);
  });

  it('counters move after writes: requests by route pattern, config writes, reloads', async () => {
    const before = await scrape();
    const post = { method: 'POST', route: RULES, code: '201' };
    const was = {
      posts: valueOf(before, 'sdewan_http_requests_total', post) ?? 0,
      writes: valueOf(before, 'sdewan_config_writes_total', { config: 'mwan3' }) ?? 0,
      reloads: valueOf(before, 'sdewan_reloads_total', { service: 'mwan3', result: 'ok' }) ?? 0,
    };
    expect((await agent.request('POST', RULES, { name: 'metered-1', policy: 'balanced', proto: 'tcp' })).status).toBe(201);
    expect((await agent.request('GET', `${RULES}/metered-1`)).status).toBe(200);
    expect((await agent.request('GET', `${RULES}/no-such-rule`)).status).toBe(404);

    const after = await waitFor(async () => {
      const f = await scrape();
      return (valueOf(f, 'sdewan_reloads_total', { service: 'mwan3', result: 'ok' }) ?? 0) > was.reloads ? f : undefined;
    }, { what: 'the reload to be counted' });
    expect(valueOf(after, 'sdewan_http_requests_total', post)).toBe(was.posts + 1);
    expect(valueOf(after, 'sdewan_config_writes_total', { config: 'mwan3' })).toBe(was.writes + 1);
    expect(valueOf(after, 'sdewan_reloads_total', { service: 'mwan3', result: 'ok' })).toBe(was.reloads + 1);
    // the route is the pattern: no object name, asked or not, in any label
    expect(valueOf(after, 'sdewan_http_requests_total', { method: 'GET', route: `${RULES}/:name`, code: '200' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'sdewan_http_requests_total', { method: 'GET', route: `${RULES}/:name`, code: '404' })).toBeGreaterThanOrEqual(1);
    const labels = [...after.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
    expect(labels.some((v) => v.includes('metered') || v.includes('no-such-rule'))).toBe(false);
    expect(valueOf(after, 'sdewan_http_request_duration_seconds_count', { method: 'POST', route: RULES })).toBeGreaterThanOrEqual(1);
  });

  it('WAN interfaces from ubus, SAs from vici; a scrape starts one process (ubus) and never swanctl', async () => {
    const ubusBefore = calls('ubus');
    const requestsBefore = charon.requests();
    const f = await scrape();
    expect(calls('ubus')).toBe(ubusBefore + 1);
    expect(calls('swanctl')).toBe(0);
    expect(charon.requests()).toBe(requestsBefore + 1);

    expect(valueOf(f, 'sdewan_live_status_up', { source: 'mwan3' })).toBe(1);
    expect(valueOf(f, 'sdewan_live_status_up', { source: 'ipsec' })).toBe(1);
    expect(valueOf(f, 'sdewan_wan_interface_up', { interface: 'wan' })).toBe(1);
    expect(valueOf(f, 'sdewan_wan_interface_up', { interface: 'wanb' })).toBe(0);
    expect(valueOf(f, 'sdewan_wan_interface_up', { interface: 'wan6' })).toBe(0);
    expect(valueOf(f, 'sdewan_wan_track_latency_seconds', { interface: 'wan', track_ip: '8.8.8.8' })).toBe(0.015);
    expect(valueOf(f, 'sdewan_wan_track_loss_ratio', { interface: 'wanb', track_ip: '208.67.222.222' })).toBe(1);
    expect(valueOf(f, 'sdewan_wan_track_loss_ratio', { interface: 'wan', track_ip: '1.1.1.1' })).toBe(0);

    // API names; the configured remote without an SA is down
    expect(valueOf(f, 'sdewan_ipsec_sa_up', { remote: 'site-b', child: '' })).toBe(1);
    expect(valueOf(f, 'sdewan_ipsec_sa_up', { remote: 'site-b', child: 'net-1' })).toBe(1);
    expect(valueOf(f, 'sdewan_ipsec_sa_up', { remote: 'site_c', child: '' })).toBe(0);
    expect(valueOf(f, 'sdewan_ipsec_sa_up', { remote: 'site_c', child: 'net_c' })).toBe(0);
    expect(valueOf(f, 'sdewan_ipsec_sa_bytes', { remote: 'site-b', child: 'net-1', direction: 'in' })).toBe(168);
    expect(valueOf(f, 'sdewan_ipsec_sa_bytes', { remote: 'site-b', child: 'net-1', direction: 'out' })).toBe(84);
    expect(valueOf(f, 'sdewan_ipsec_sa_packets', { remote: 'site-b', child: 'net-1', direction: 'in' })).toBe(2);
    const text = (await agent.request('GET', '/metrics')).text;
    expect(text).not.toContain('do-not-show-this-psk');
    expect(text).not.toContain('c0ffee01');
  });
});

describe('SDEWAN_METRICS_TOKEN', () => {
  it('a token that is too short stops the start, naming the setting and not the value', async () => {
    const r = await runAgentUntilExit({ env: { SDEWAN_METRICS_TOKEN: 'short-secret' } });
    expect(r.code).toBe(2);
    expect(r.logs).toContain('invalid setting SDEWAN_METRICS_TOKEN: expected at least 16 printable characters');
    expect(r.logs).not.toContain('short-secret');
  });
});
