// The event stream through the agent process (dist/src/main.js: run `npx tsc -p .` first):
// config events for writes through the API and edits by hand, reload events, Last-Event-ID,
// a client that does not read, and the status events from fake ubus and swanctl programs.
import { appendFileSync, chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, waitFor, makeRecordingInitd, makeTempDir, type Agent } from '../helpers/agent.js';
import { EVENTS, openEventStream, type EventStream } from '../helpers/sse.js';
import { makeFakeBin, referenceDir, type FakeBin } from '../status/fakebin.js';
import { PACKET, SegmentReader, decodePacket, encodePacket, type ViciPacket, type ViciSection } from '../../src/ipsec/vici.js';

const RULES = '/cgi-bin/luci/sdewan/mwan3/v1/rules';
/** What the task allows for a change to reach a listening client. */
const SEEN_WITHIN_MS = 2000;

/** `n` mwan3 rules named `<prefix><i>`, as a hand-written file would hold them. */
const rulesText = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `\nconfig rule '${prefix}${i}'\n\toption use_policy 'balanced'\n\toption proto 'tcp'\n\toption dest_port '${1 + i}'\n`).join('');

/** Replaces a config file the way `uci commit` does: a new file renamed over the old one. */
function replaceFile(confdir: string, pkg: string, text: string): void {
  const tmp = path.join(confdir, `.${pkg}.edit`);
  writeFileSync(tmp, text);
  renameSync(tmp, path.join(confdir, pkg));
}

describe('event stream', () => {
  let agent: Agent;
  let cookie: string;
  let fixture: string;
  beforeAll(async () => {
    const initd = path.join(makeTempDir('sdewan-events-initd-'), 'init.d');
    makeRecordingInitd(initd, ['mwan3', 'swanctl', 'network']);
    // a firewall whose script fails: a reload that goes wrong
    writeFileSync(path.join(initd, 'firewall'), '#!/bin/sh\necho "firewall: broken on purpose" >&2\nexit 1\n');
    chmodSync(path.join(initd, 'firewall'), 0o755);
    agent = await startAgent({ initd });
    cookie = await agent.login();
    fixture = agent.readFile('mwan3');
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('needs a login, and is text/event-stream', async () => {
    const anon = await agent.request('GET', EVENTS, undefined, { cookie: '' });
    expect(anon.status).toBe(403);
    expect(anon.headers.get('x-luci-login-required')).toBe('yes');
    const stream = await openEventStream(agent.url, cookie);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(stream.headers['cache-control']).toBe('no-store');
      expect((await agent.request('POST', EVENTS, {})).status).toBe(405);
      const bad = await agent.request('GET', EVENTS, undefined, { headers: { 'last-event-id': 'abc' } });
      expect(bad.status).toBe(400);
      expect(bad.json.message).toContain('Last-Event-ID');
    } finally {
      stream.close();
    }
  });

  it('a write through the API and an edit by hand are each seen within 2 s, then the reload', async () => {
    const stream = await openEventStream(agent.url, cookie);
    try {
      const created = await agent.request('POST', RULES, { name: 'web-1', policy: 'balanced', proto: 'tcp', dest_port: '80' });
      expect(created.status).toBe(201);
      const api = await stream.next((e) => e.type === 'config' && (e.data as { name: string }).name === 'web-1', SEEN_WITHIN_MS, 'the API write');
      expect(api.data).toEqual({ kind: 'mwan3/rules', name: 'web-1', change: 'created', source: 'api' });
      const reload = await stream.next((e) => e.type === 'reload' && e.id > api.id, 10_000, 'the reload');
      expect(reload.data).toMatchObject({ service: 'mwan3', action: 'reload', trigger: 'auto', ok: true });

      appendFileSync(path.join(agent.confdir, 'mwan3'), "\nconfig rule 'by_hand'\n\toption use_policy 'balanced'\n\toption proto 'udp'\n");
      const hand = await stream.next((e) => e.type === 'config' && (e.data as { name: string }).name === 'by_hand', SEEN_WITHIN_MS, 'the edit by hand');
      expect(hand.data).toEqual({ kind: 'mwan3/rules', name: 'by_hand', change: 'created', source: 'file' });
      expect(hand.id).toBeGreaterThan(api.id);

      // an update and a delete by hand, in one edit
      replaceFile(agent.confdir, 'mwan3', readFileSync(path.join(agent.confdir, 'mwan3'), 'utf8').replace("option proto 'udp'", "option proto 'tcp'").replace(/\nconfig rule 'web_1'\n(\t.*\n)+/, '\n'));
      const updated = await stream.next((e) => e.type === 'config' && (e.data as { name: string }).name === 'by_hand' && e.id > hand.id, SEEN_WITHIN_MS, 'the update by hand');
      expect(updated.data).toMatchObject({ change: 'updated', source: 'file' });
      const deleted = await stream.next((e) => e.type === 'config' && (e.data as { name: string }).name === 'web-1' && e.id > hand.id, SEEN_WITHIN_MS, 'the delete by hand');
      expect(deleted.data).toMatchObject({ change: 'deleted', source: 'file' });

      // ids increase by one, events are whole JSON lines
      const ids = stream.events.map((e) => e.id);
      expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
      expect(stream.text()).toMatch(/^retry: \d+\n/);
    } finally {
      stream.close();
    }
  });

  it('a failing reload is an event with ok false; no request value reaches an event', async () => {
    const stream = await openEventStream(agent.url, cookie);
    try {
      const res = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/firewall', { action: 'reload' });
      expect(res.status).toBe(500);
      const e = await stream.next((x) => x.type === 'reload' && (x.data as { service: string }).service === 'firewall');
      expect(e.data).toEqual({ service: 'firewall', action: 'reload', trigger: 'explicit', ok: false, at: expect.any(String) });
      // the script's message stays in the log and the status module, not in the stream
      expect(stream.text()).not.toContain('broken on purpose');
    } finally {
      stream.close();
    }
  });

  it('Last-Event-ID resumes after that event; an id older than the buffer gets a reset', async () => {
    const first = await openEventStream(agent.url, cookie);
    await agent.request('PUT', `${RULES}/resume-a`, { policy: 'balanced', proto: 'tcp' });
    await agent.request('PUT', `${RULES}/resume-b`, { policy: 'balanced', proto: 'tcp' });
    const a = await first.next((e) => (e.data as { name?: string }).name === 'resume-a');
    const b = await first.next((e) => (e.data as { name?: string }).name === 'resume-b');
    first.close();

    const resumed = await openEventStream(agent.url, cookie, { 'last-event-id': String(a.id) });
    try {
      const again = await resumed.next((e) => e.id === b.id);
      expect(again).toEqual(b);
      expect(resumed.events[0]!.id).toBe(a.id + 1);
      expect(resumed.events.some((e) => e.id <= a.id)).toBe(false);
    } finally {
      resumed.close();
    }

    // over 1,000 events at once: a file with 1,100 more rules
    const base = await openEventStream(agent.url, cookie);
    replaceFile(agent.confdir, 'mwan3', readFileSync(path.join(agent.confdir, 'mwan3'), 'utf8') + rulesText('bulk', 1100));
    const lastBulk = await base.next((e) => (e.data as { name?: string }).name === 'bulk1099', 20_000, 'the last bulk event');
    base.close();
    const stale = await openEventStream(agent.url, cookie, { 'last-event-id': String(a.id) });
    try {
      await waitFor(() => stale.messages.length > 0, { what: 'the reset' });
      expect(stale.messages[0]!.event).toBe('reset');
      const data = JSON.parse(stale.messages[0]!.data) as { oldest: number; last: number };
      expect(Number(stale.messages[0]!.id)).toBe(lastBulk.id);
      expect(data).toEqual({ oldest: lastBulk.id - 999, last: lastBulk.id });
    } finally {
      stale.close();
    }
    replaceFile(agent.confdir, 'mwan3', fixture);
  });

  it('a client that never reads is dropped; the others keep their stream', { timeout: 120_000 }, async () => {
    const follower = await openEventStream(agent.url, cookie);
    // a raw client: sends its request, then reads nothing at all
    const slow = net.connect({ host: new URL(agent.url).hostname, port: Number(new URL(agent.url).port) });
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.pause();
    let slowEnded = false;
    slow.on('close', () => (slowEnded = true));
    slow.write(`GET ${EVENTS} HTTP/1.1\r\nHost: agent\r\nCookie: ${cookie}\r\nAccept: text/event-stream\r\n\r\n`);
    await waitFor(() => agent.logRecords().filter((r) => r.msg === 'event stream opened').length >= 1, { what: 'the slow stream' });
    const dropped = () => agent.logRecords().some((r) => r.msg === 'event stream: a client reading too slowly was dropped');
    // Rounds of 5,000 rules created and 5,000 deleted (some 1.1 MB of events each) until the agent
    // gives up on it: the kernel's socket buffers take several MB first (loopback's 64 KiB segments).
    let last = 0;
    for (let round = 0; round < 30 && !dropped(); round++) {
      replaceFile(agent.confdir, 'mwan3', fixture + rulesText(`slow${round}x`, 5000));
      const e = await follower.next((x) => (x.data as { name?: string }).name === `slow${round}x4999`, 30_000, `round ${round}`);
      last = e.id;
    }
    expect(dropped()).toBe(true);
    const record = agent.logRecords().find((r) => r.msg === 'event stream: a client reading too slowly was dropped')!;
    expect([64 * 1024, 1024 * 1024]).toContain(record.limit);
    expect(record.buffered).toBeGreaterThan(record.limit as number);
    // the follower still gets new events
    replaceFile(agent.confdir, 'mwan3', fixture);
    await follower.next((x) => x.id > last && x.type === 'config', 30_000, 'an event after the drop');
    follower.close();
    // what the slow client could still read ends: the stream was closed, not kept
    slow.resume();
    let received = '';
    slow.setEncoding('utf8').on('data', (d: string) => (received += d));
    await waitFor(() => slowEnded, { timeoutMs: 30_000, what: 'the slow stream to end' });
    expect(received).toContain('HTTP/1.1 200');
    expect(received).not.toContain(`id: ${last}\n`);
  });
});

describe('status events, fake ubus and swanctl on PATH', () => {
  let agent: Agent;
  let bin: FakeBin;
  let cookie: string;
  let wanFile: string;
  let sasFile: string;
  const ubusCalls = () => (existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8') : '').split('\n').filter((l) => l.startsWith('ubus ')).length;
  const swanctlCalls = () => (existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8') : '').split('\n').filter((l) => l.startsWith('swanctl ')).length;

  beforeAll(async () => {
    bin = makeFakeBin();
    wanFile = path.join(bin.dir, 'mwan3-status.json');
    sasFile = path.join(bin.dir, 'list-sas.txt');
    writeFileSync(wanFile, readFileSync(path.join(referenceDir, 'mwan3', 'ubus-mwan3-status.json')));
    writeFileSync(sasFile, '');
    bin.addScript('ubus', `cat '${wanFile}'`);
    bin.addScript('swanctl', `cat '${sasFile}'`);
    agent = await startAgent({
      env: {
        SDEWAN_UBUS: path.join(bin.dir, 'ubus'),
        SDEWAN_SWANCTL: path.join(bin.dir, 'swanctl'),
        // no charon here: the SAs come from swanctl
        SDEWAN_VICI_URI: `unix://${path.join(bin.dir, 'no-charon.vici')}`,
        SDEWAN_EVENTS_POLL_MS: '100',
      },
      config: {
        ipsec: "config remote 'site_b'\n\toption api_name 'site-b'\n\tlist tunnel 'net_1'\n\nconfig tunnel 'net_1'\n\toption api_name 'net-1'\n",
      },
    });
    cookie = await agent.login();
  });
  afterAll(async () => {
    await agent?.stop();
    bin?.cleanup();
  });

  it('nothing is polled without a listener; wan and ipsec changes while one listens; polling stops after', async () => {
    expect(ubusCalls()).toBe(0);
    expect(swanctlCalls()).toBe(0);
    const stream = await openEventStream(agent.url, cookie);
    try {
      // two polls done: the first reading (the baseline) is in
      await waitFor(() => ubusCalls() >= 2 && swanctlCalls() >= 2, { what: 'two polls' });
      const status = JSON.parse(readFileSync(wanFile, 'utf8')) as { interfaces: Record<string, { status: string }> };
      status.interfaces['wan']!.status = 'offline';
      status.interfaces['wanb']!.status = 'online';
      writeFileSync(wanFile, JSON.stringify(status));
      const wan = await stream.next((e) => e.type === 'wan' && (e.data as { interface: string }).interface === 'wan', 10_000, 'wan offline');
      expect(wan.data).toEqual({ interface: 'wan', status: 'offline', previous: 'online' });
      const wanb = await stream.next((e) => e.type === 'wan' && (e.data as { interface: string }).interface === 'wanb', 10_000, 'wanb online');
      expect(wanb.data).toEqual({ interface: 'wanb', status: 'online', previous: 'offline' });

      // charon's SA of site_b with its child net_1 comes up, then goes
      const raw = readFileSync(path.join(referenceDir, 'strongswan', 'list-sas.raw.txt'), 'utf8').replace('{siteB {', '{site_b {').replace('{net-1 {name=net ', '{net_1-1 {name=net_1 ');
      writeFileSync(sasFile, raw);
      const ike = await stream.next((e) => e.type === 'ipsec' && (e.data as { child?: string }).child === undefined, 10_000, 'the IKE SA up');
      expect(ike.data).toEqual({ remote: 'site-b', state: 'up' });
      const child = await stream.next((e) => e.type === 'ipsec' && (e.data as { child?: string }).child === 'net-1', 10_000, 'the child SA up');
      expect(child.data).toEqual({ remote: 'site-b', child: 'net-1', state: 'up' });
      writeFileSync(sasFile, 'list-sas reply {}\n');
      const down = await stream.next((e) => e.type === 'ipsec' && (e.data as { state: string }).state === 'down' && (e.data as { child?: string }).child === undefined, 10_000, 'the IKE SA down');
      expect(down.data).toEqual({ remote: 'site-b', state: 'down' });
      // the remote's key material is never in an event
      expect(stream.text()).not.toMatch(/spi|psk|key/i);
    } finally {
      stream.close();
    }
    // once the last listener has left, at most the poll in flight runs: none for ten intervals
    await waitFor(() => agent.logRecords().some((r) => r.msg === 'event stream closed'), { what: 'the stream to close' });
    const after = ubusCalls();
    await new Promise((r) => setTimeout(r, 1000));
    expect(ubusCalls()).toBeLessThanOrEqual(after + 1);
  });
});

/** A charon stand-in that confirms event registrations and raises the events a test asks for. */
function viciEventServer(socketPath: string) {
  const registered = new Map<net.Socket, string[]>();
  const seen: ViciPacket[] = [];
  const server = net.createServer((conn) => {
    const reader = new SegmentReader();
    registered.set(conn, []);
    conn.on('close', () => registered.delete(conn));
    conn.on('data', (chunk) => {
      for (const segment of reader.push(chunk)) {
        const p = decodePacket(segment);
        seen.push(p);
        if (p.type === PACKET.EVENT_REGISTER) {
          registered.get(conn)!.push(p.name!);
          conn.write(encodePacket({ type: PACKET.EVENT_CONFIRM }));
        }
        // a list-sas of a poll before the registration is confirmed: no SAs
        if (p.type === PACKET.CMD_REQUEST) conn.write(encodePacket({ type: PACKET.CMD_RESPONSE, message: new Map() }));
      }
    });
  });
  return {
    seen,
    subscribers: () => [...registered.values()].filter((names) => names.includes('ike-updown') && names.includes('child-updown')).length,
    connections: () => registered.size,
    raise(name: string, message: ViciSection) {
      for (const [conn, names] of registered) if (names.includes(name)) conn.write(encodePacket({ type: PACKET.EVENT, name, message }));
    },
    listen: () => new Promise<void>((resolve) => server.listen(socketPath, resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ipsec events from vici (ike-updown, child-updown)', () => {
  let agent: Agent;
  let bin: FakeBin;
  let charon: ReturnType<typeof viciEventServer>;
  beforeAll(async () => {
    bin = makeFakeBin();
    bin.addScript('swanctl', 'exit 1');
    charon = viciEventServer(path.join(bin.dir, 'charon.vici'));
    await charon.listen();
    agent = await startAgent({
      env: { SDEWAN_SWANCTL: path.join(bin.dir, 'swanctl'), SDEWAN_VICI_URI: `unix://${path.join(bin.dir, 'charon.vici')}`, SDEWAN_EVENTS_POLL_MS: '100' },
      config: { ipsec: "config remote 'site_b'\n\toption api_name 'site-b'\n\tlist tunnel 'net_1'\n\nconfig tunnel 'net_1'\n\toption api_name 'net-1'\n" },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await charon?.close();
    bin?.cleanup();
  });

  it('registers while a stream is open, translates the events to API names, and lets go after', async () => {
    expect(charon.connections()).toBe(0);
    const stream = await openEventStream(agent.url, await agent.login());
    try {
      await waitFor(() => charon.subscribers() === 1, { what: 'the registration' });
      const sa = (extra: [string, any][]) => new Map<string, any>([['uniqueid', '3'], ['state', 'ESTABLISHED'], ...extra]);
      charon.raise('ike-updown', new Map<string, any>([['up', 'yes'], ['site_b', sa([])]]));
      const up = await stream.next((e) => e.type === 'ipsec', 10_000, 'the IKE SA up');
      expect(up.data).toEqual({ remote: 'site-b', state: 'up' });
      const childSas = new Map([['net_1-7', new Map<string, any>([['name', 'net_1'], ['state', 'INSTALLED'], ['spi-in', 'c0ffee01']])]]);
      charon.raise('child-updown', new Map<string, any>([['up', 'yes'], ['site_b', sa([['child-sas', childSas]])]]));
      const child = await stream.next((e) => e.type === 'ipsec' && e.id > up.id, 10_000, 'the child SA up');
      expect(child.data).toEqual({ remote: 'site-b', child: 'net-1', state: 'up' });
      charon.raise('ike-updown', new Map<string, any>([['site_b', sa([])]]));
      const down = await stream.next((e) => e.type === 'ipsec' && e.id > child.id, 10_000, 'the IKE SA down');
      expect(down.data).toEqual({ remote: 'site-b', state: 'down' });
      expect(stream.text()).not.toContain('c0ffee01');
      // vici is there: swanctl was never asked, and SAs are not polled once registered
      expect(existsSync(bin.argsFile) ? readFileSync(bin.argsFile, 'utf8') : '').not.toContain('swanctl');
      const polls = charon.seen.filter((p) => p.type === PACKET.CMD_REQUEST).length;
      await new Promise((r) => setTimeout(r, 500));
      expect(charon.seen.filter((p) => p.type === PACKET.CMD_REQUEST).length).toBe(polls);
    } finally {
      stream.close();
    }
    await waitFor(() => charon.connections() === 0, { what: 'the vici connection to close' });
  });
});
