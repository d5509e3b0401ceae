// The SLA status, pure: the bounded history of mwan3's measurements, the jitter computed from
// it, the per-member verdicts, the breach changes the poller reports, and the poller itself.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { breachChanges, slaPollMsOf, startSlaPoller } from '../../src/status/sla-poller.js';
import { jitterOf, SlaHistory, slaPolicyStatus } from '../../src/status/sla.js';
import type { Mwan3Source } from '../../src/status/mwan3-source.js';
import { pkg } from './uci.js';

type Track = { ip: string; status: string; latency: number; packetloss: number };
const ubus = (turn: number, tracks: Record<string, Track[]>, status: Record<string, string> = {}, active: string[] = []) => ({
  interfaces: Object.fromEntries(Object.entries(tracks).map(([name, track_ip]) => [name, { status: status[name] ?? 'online', turn, track_ip }])),
  policies: { ipv4: { gold: active.map((i) => ({ interface: i, percent: 50 })) }, ipv6: {} },
});
const up = (ip: string, latency: number, packetloss = 0): Track => ({ ip, status: 'up', latency, packetloss });

const config = pkg('mwan3', [
  ['interface', 'wan', { track_ip: ['1.1.1.1', '8.8.8.8'], sdewan_sla: ['gold'] }],
  ['interface', 'wan_b', { api_name: 'wan-b', track_ip: ['1.0.0.1'] }],
  ['member', 'gold_wan', { interface: 'wan', metric: '1' }],
  ['member', 'gold_wan_b', { interface: 'wan_b', metric: '2' }],
  ['policy', 'gold', { use_member: ['gold_wan', 'gold_wan_b'], sdewan_kind: 'slapolicy', sla_latency_ms: '50', sla_jitter_ms: '5', sla_loss_percent: '10' }],
]);
const gold = { name: 'gold', members: [{ interface: 'wan', metric: '1' }, { interface: 'wan-b', metric: '2' }], sla: { latency_ms: '50', jitter_ms: '5', loss_percent: '10' } };

describe('SLA history', () => {
  it('keeps one sample per tracking round and per track_ip, only of hosts measured in that round', () => {
    const h = new SlaHistory();
    h.record(ubus(1, { wan: [up('1.1.1.1', 10), { ip: '8.8.8.8', status: 'skipped', latency: 99, packetloss: 0 }] }));
    h.record(ubus(1, { wan: [up('1.1.1.1', 10)] }));
    h.record(ubus(2, { wan: [up('1.1.1.1', 14), { ip: '8.8.8.8', status: 'unknown', latency: 0, packetloss: 0 }] }));
    expect(h.samples('wan', '1.1.1.1')).toEqual([{ turn: 1, latency: 10, loss: 0 }, { turn: 2, latency: 14, loss: 0 }]);
    expect(h.samples('wan', '8.8.8.8')).toEqual([]);
    // turn 0 (mwan3track not started) and unusable values add nothing
    h.record(ubus(0, { wan: [up('1.1.1.1', 1)] }));
    h.record({ interfaces: { wan: { turn: 5, track_ip: [{ ip: '1.1.1.1', status: 'up', latency: 'fast', packetloss: 0 }] } } });
    expect(h.samples('wan', '1.1.1.1')).toHaveLength(2);
  });

  it('is bounded: the last `depth` rounds per series, at most `maxSeries` series, and series mwan3 stops reporting are dropped', () => {
    const h = new SlaHistory(4, 2);
    for (let turn = 1; turn <= 10; turn++) h.record(ubus(turn, { wan: [up('1.1.1.1', turn), up('8.8.8.8', turn)], wanb: [up('1.0.0.1', turn)] }));
    expect(h.samples('wan', '1.1.1.1').map((s) => s.turn)).toEqual([7, 8, 9, 10]);
    expect(h.size).toBe(2);
    expect(h.samples('wanb', '1.0.0.1')).toEqual([]);
    h.record(ubus(11, { wanb: [up('1.0.0.1', 3)] }));
    expect(h.size).toBe(1);
    expect(h.samples('wanb', '1.0.0.1')).toEqual([{ turn: 11, latency: 3, loss: 0 }]);
  });

  it('jitter: the mean absolute difference of successive latencies, lost rounds left out', () => {
    const s = (...latencies: number[]) => latencies.map((latency, i) => ({ turn: i + 1, latency, loss: latency === 999999 ? 100 : 0 }));
    expect(jitterOf(s())).toBeUndefined();
    expect(jitterOf(s(20))).toBeUndefined();
    expect(jitterOf(s(20, 30, 25))).toBe(7.5);
    expect(jitterOf(s(20, 999999, 30))).toBe(10);
    expect(jitterOf(s(10, 11, 13))).toBe(1.5);
  });
});

describe('SLA policy status', () => {
  it('per member: the worst track_ip measured, the bounds broken, online and used by mwan3', () => {
    const h = new SlaHistory();
    h.record(ubus(1, { wan: [up('1.1.1.1', 40), up('8.8.8.8', 20, 0)], wan_b: [up('1.0.0.1', 30, 20)] }, {}, ['wan']));
    h.record(ubus(2, { wan: [up('1.1.1.1', 48), up('8.8.8.8', 21, 0)], wan_b: [up('1.0.0.1', 31, 20)] }, {}, ['wan']));
    const live = ubus(2, { wan: [up('1.1.1.1', 48), up('8.8.8.8', 21)], wan_b: [up('1.0.0.1', 31, 20)] }, { wan_b: 'online' }, ['wan']);
    const status = slaPolicyStatus(gold, config, live, h);
    expect(status.source).toBe('ubus');
    expect(status.members[0]).toMatchObject({ interface: 'wan', online: true, in_use: true, latency_ms: 48, jitter_ms: 8, loss_percent: 0, meets_sla: false, breaches: ['jitter_ms'] });
    expect(status.members[0]!.track_ip.map((t) => [t.ip, t.jitter_ms])).toEqual([['1.1.1.1', 8], ['8.8.8.8', 1]]);
    // online but not among the interfaces mwan3 uses for gold (a higher metric)
    expect(status.members[1]).toMatchObject({ interface: 'wan-b', online: true, in_use: false, latency_ms: 31, loss_percent: 20, breaches: ['loss_percent'] });
  });

  it('without mwan3 status: nothing measured, nothing used', () => {
    const status = slaPolicyStatus(gold, config, undefined, new SlaHistory());
    expect(status.source).toBe('none');
    expect(status.members.map((m) => [m.mwan3_status, m.in_use, m.latency_ms, m.meets_sla])).toEqual([['unknown', false, null, null], ['unknown', false, null, null]]);
  });

  it('reports breaches when they begin, change and end', () => {
    const h = new SlaHistory();
    const last = new Map();
    const round = (turn: number, latency: number) => {
      const live = ubus(turn, { wan: [up('1.1.1.1', latency)], wan_b: [up('1.0.0.1', 10)] }, {}, ['wan', 'wan_b']);
      h.record(live);
      return breachChanges(last, config, live, { history: h }).map((c) => `${c.interface}: ${c.previous.join('+') || '-'} -> ${c.breaches.join('+') || '-'}`);
    };
    expect(round(1, 40)).toEqual([]);
    expect(round(2, 60)).toEqual(['wan: - -> latency_ms+jitter_ms']);
    // the jump fades out of the jitter: 20/2, 20/3, then 20/4 is within 5 ms
    expect(round(3, 60)).toEqual([]);
    expect(round(4, 60)).toEqual([]);
    expect(round(5, 60)).toEqual(['wan: latency_ms+jitter_ms -> latency_ms']);
    // back within 50 ms, but by a step of 10: jitter 30/5, then 30/6
    expect(round(6, 50)).toEqual(['wan: latency_ms -> jitter_ms']);
    expect(round(7, 50)).toEqual(['wan: jitter_ms -> -']);
  });
});

describe('SLA poller', () => {
  afterEach(() => vi.useRealTimers());

  it('SDEWAN_SLA_POLL_MS: default 10 s, at least 2 s, 0 is off', () => {
    expect(slaPollMsOf({})).toBe(10_000);
    expect(slaPollMsOf({ SDEWAN_SLA_POLL_MS: '500' })).toBe(2_000);
    expect(slaPollMsOf({ SDEWAN_SLA_POLL_MS: '30000' })).toBe(30_000);
    expect(slaPollMsOf({ SDEWAN_SLA_POLL_MS: '0' })).toBe(0);
    expect(slaPollMsOf({ SDEWAN_SLA_POLL_MS: 'soon' })).toBe(10_000);
  });

  it('reads mwan3 only while the config holds SLA policies, and reports breach changes', async () => {
    vi.useFakeTimers();
    let reads = 0;
    let turn = 0;
    const history = new SlaHistory();
    const source: Mwan3Source = {
      history,
      read: async () => {
        reads++;
        const live = ubus(++turn, { wan: [up('1.1.1.1', 100)] }, {}, ['wan']);
        history.record(live);
        return live;
      },
    };
    let current = pkg('mwan3', [['interface', 'wan', { track_ip: ['1.1.1.1'] }]]);
    const changes: string[] = [];
    const poller = startSlaPoller({ periodMs: 2000, source, readConfig: async () => current, onBreach: (c) => changes.push(`${c.policy}/${c.interface}: ${c.breaches.join('+')}`) });
    await vi.advanceTimersByTimeAsync(6000);
    expect(reads).toBe(0);
    current = config;
    await vi.advanceTimersByTimeAsync(4000);
    expect(reads).toBe(2);
    expect(changes).toEqual(['gold/wan: latency_ms']);
    poller.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads).toBe(2);
  });
});
