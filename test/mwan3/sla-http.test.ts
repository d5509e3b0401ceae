// SLA policies through the agent process (dist/src/main.js: run `npx tsc -p .` first), with a
// fake `ubus` (SDEWAN_UBUS) that answers `ubus call mwan3 status` as mwan3's rpcd plugin does,
// one tracking round further at each call: the agent keeps the latencies, computes the jitter
// and shows the breaches in GET .../slapolicies/{name}/status.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { createClient, type SlaPolicyStatus } from '../../packages/client/src/index.js';
import type { AgentContext } from '../../src/context.js';
import { registerResource } from '../../src/http/resource-routes.js';
import { policies } from '../../src/resources/mwan3/policies.js';
import { slaPolicies } from '../../src/resources/mwan3/slapolicies.js';
import { startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { makeFakeBin, type FakeBin } from '../status/fakebin.js';

const SLA = '/cgi-bin/luci/sdewan/mwan3/v1/slapolicies';

/**
 * Call n answers round `turn` of wan: latency 20, 30, 25, 25 (call 4 repeats round 3), 180 ms;
 * wanb lost every ping; mwan3 sends gold's traffic to wan only.
 */
function addFakeUbus(bin: FakeBin): void {
  const counter = path.join(bin.dir, 'calls');
  bin.addScript(
    'ubus',
    [
      '[ "$*" = "call mwan3 status" ] || { echo "ubus: unexpected arguments" >&2; exit 2; }',
      `n=$(( $(cat '${counter}' 2>/dev/null || echo 0) + 1 )); echo $n > '${counter}'`,
      'case $n in 1) t=1; l=20;; 2) t=2; l=30;; 3|4) t=3; l=25;; *) t=$((n - 1)); l=180;; esac',
      'cat <<JSON',
      '{"interfaces": {',
      ' "wan": {"status": "online", "running": true, "tracking": "active", "turn": $t, "score": 10, "lost": 0, "age": 1,',
      '  "track_ip": [{"ip": "1.1.1.1", "status": "up", "latency": $l, "packetloss": 0}, {"ip": "8.8.8.8", "status": "skipped", "latency": 0, "packetloss": 0}]},',
      ' "wanb": {"status": "offline", "running": true, "tracking": "active", "turn": $t, "score": 0, "lost": 3, "age": 1,',
      '  "track_ip": [{"ip": "1.0.0.1", "status": "down", "latency": 999999, "packetloss": 100}, {"ip": "8.8.4.4", "status": "down", "latency": 999999, "packetloss": 100}]}},',
      ' "connected": {"ipv4": ["10.0.0.0/24"], "ipv6": []},',
      ' "policies": {"ipv4": {"gold": [{"interface": "wan", "percent": 100}], "balanced": [{"interface": "wan", "percent": 100}]}, "ipv6": {}}}',
      'JSON',
    ].join('\n'),
  );
}

const ubusCalls = (bin: FakeBin) => (existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8') : '').split('\n').filter((l) => l.startsWith('ubus ')).length;

const gold = {
  name: 'gold',
  members: [
    { interface: 'wan', metric: '1', weight: '3' },
    { interface: 'wanb', metric: '1', weight: '2' },
  ],
  sla: { latency_ms: '100', jitter_ms: '10', loss_percent: '5' },
};

describe('SLA policies over HTTP, fake ubus (no poller)', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    addFakeUbus(bin);
    agent = await startAgent({ env: { SDEWAN_UBUS: path.join(bin.dir, 'ubus'), SDEWAN_SLA_POLL_MS: '0' } });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('creates the policy with the tracking mwan3 enforces it by', async () => {
    const r = await agent.request('POST', SLA, gold);
    expect(r.status).toBe(201);
    expect(r.json).toEqual(gold);
    const text = agent.readFile('mwan3');
    expect(text).toContain("config policy 'gold'\n\tlist use_member 'gold_wan'\n\tlist use_member 'gold_wanb'\n\toption sdewan_kind 'slapolicy'");
    for (const line of ["option check_quality '1'", "option failure_latency '101'", "option recovery_latency '100'", "option failure_loss '6'", "option recovery_loss '5'", "list sdewan_sla 'gold'"]) {
      expect(text.split(`\t${line}`).length - 1, line).toBe(2);
    }
    await waitFor(() => agent.callsLog().some((l) => l.startsWith('mwan3 ')), { what: 'the mwan3 restart (its reload)' });
  });

  it('status: latency and loss from mwan3, jitter from successive rounds, breaches, and what mwan3 uses', async () => {
    const read = async () => {
      const r = await agent.request('GET', `${SLA}/gold/status`);
      expect(r.status).toBe(200);
      return r.json as SlaPolicyStatus;
    };
    const first = await read();
    expect(first.name).toBe('gold');
    expect(first.sla).toEqual(gold.sla);
    expect(first.source).toBe('ubus');
    const [wan, wanb] = first.members;
    expect(wan).toEqual({
      interface: 'wan', metric: '1', weight: '3', mwan3_status: 'online', online: true, in_use: true,
      latency_ms: 20, jitter_ms: null, loss_percent: 0, meets_sla: true, breaches: [],
      track_ip: [
        { ip: '1.1.1.1', status: 'up', latency_ms: 20, jitter_ms: null, loss_percent: 0, samples: 1 },
        { ip: '8.8.8.8', status: 'skipped', latency_ms: null, jitter_ms: null, loss_percent: null, samples: 0 },
      ],
    });
    // every ping lost: no latency, and both bounds broken; mwan3 took it offline
    expect(wanb).toMatchObject({ interface: 'wanb', online: false, in_use: false, latency_ms: null, loss_percent: 100, meets_sla: false, breaches: ['latency_ms', 'loss_percent'] });

    expect((await read()).members[0]).toMatchObject({ latency_ms: 30, jitter_ms: 10, meets_sla: true });
    expect((await read()).members[0]).toMatchObject({ latency_ms: 25, jitter_ms: 7.5, meets_sla: true });
    // the same round read again adds nothing
    expect((await read()).members[0]!.track_ip[0]).toMatchObject({ latency_ms: 25, jitter_ms: 7.5, samples: 3 });
    // a round over the latency bound, and the jump breaks the jitter bound too
    expect((await read()).members[0]).toMatchObject({ latency_ms: 180, jitter_ms: 56.7, meets_sla: false, breaches: ['latency_ms', 'jitter_ms'] });
  });

  it('the typed client reads it', async () => {
    const client = createClient({ url: agent.url, password: agent.password });
    const status = await client.mwan3.slapolicies.subResource<SlaPolicyStatus>('gold', 'status');
    expect(status.members.map((m) => [m.interface, m.in_use])).toEqual([['wan', true], ['wanb', false]]);
    expect(await client.mwan3.slapolicies.get('gold')).toEqual(gold);
  });

  it('the status sub-path: GET only, 404 for no such policy, 400 for any other sub-path', async () => {
    const post = await agent.request('POST', `${SLA}/gold/status`, {});
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect((await agent.request('GET', `${SLA}/nosuch/status`)).status).toBe(404);
    for (const p of [`${SLA}/gold/other`, `${SLA}/gold/status/more`, '/cgi-bin/luci/sdewan/mwan3/v1/policies/balanced/status']) {
      const r = await agent.request('GET', p);
      expect([p, r.status, r.json]).toEqual([p, 400, { message: 'Bad request URI' }]);
    }
  });

  it('deleting it takes the tracking back', async () => {
    const before = ubusCalls(bin);
    expect((await agent.request('DELETE', `${SLA}/gold`)).status).toBe(200);
    const text = agent.readFile('mwan3');
    for (const option of ['check_quality', 'failure_latency', 'recovery_latency', 'failure_loss', 'recovery_loss', 'sdewan_sla', "count '10'"]) expect(text).not.toContain(option);
    expect(text).toContain("config interface 'wan'\n\toption enabled '1'\n\tlist track_ip '1.1.1.1'\n\tlist track_ip '8.8.8.8'\n\toption family 'ipv4'\n\toption reliability '1'\n");
    expect(ubusCalls(bin)).toBe(before);
  });
});

describe('SLA poller', () => {
  let agent: Agent;
  let bin: FakeBin;
  beforeAll(async () => {
    bin = makeFakeBin();
    addFakeUbus(bin);
    agent = await startAgent({ env: { SDEWAN_UBUS: path.join(bin.dir, 'ubus'), SDEWAN_SLA_POLL_MS: '2000' } });
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('samples mwan3 while there are SLA policies, with no request asking', async () => {
    expect((await agent.request('POST', SLA, gold)).status).toBe(201);
    // three polls: three rounds sampled whatever the GET below does (it may share a poll's read)
    await waitFor(() => ubusCalls(bin) >= 3, { timeoutMs: 30_000, what: 'three polls' });
    const status = (await agent.request('GET', `${SLA}/gold/status`)).json as SlaPolicyStatus;
    expect(status.members[0]!.track_ip[0]!.samples).toBeGreaterThanOrEqual(3);
    expect(status.members[0]!.jitter_ms).not.toBeNull();
  });
});

describe('sub-resources', () => {
  it('a kind declaring one that the HTTP layer does not answer fails at start', () => {
    const app = Fastify();
    const ctx = {} as AgentContext;
    expect(() => registerResource(app, ctx, slaPolicies)).toThrow('/sdewan/mwan3/v1/slapolicies declares the sub-resource status, which nothing answers');
    expect(() => registerResource(app, ctx, { ...policies, subResources: [] })).not.toThrow();
  });
});
