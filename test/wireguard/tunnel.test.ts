// A real WireGuard tunnel between two sites, configured only through the REST API, on plain
// Linux (SDEWAN_PLATFORM=linux): REST API -> /etc/config/network -> the agent's reload of
// `network` -> ip + wg (wireguard-go: this kernel may have no WireGuard module) -> a ping.
//
// Two network namespaces joined by a veth pair (site A 10.98.0.1, site B 10.98.0.2), each with
// an inner subnet (192.168.10.1/24 on A, 192.168.20.1/24 on B, routed through the tunnel by
// route_allowed_ips) and its own agent, reached by the test through a management veth pair.
// Site A uses wireguard-go explicitly (SDEWAN_WIREGUARD=userspace), site B chooses (auto).
//
// Needs root, iproute2, Debian's wireguard-tools and wireguard-go, iputils-ping (CI has them),
// and a build (`npx tsc -p .`).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../packages/client/src/index.js';
import { startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { wireTwoSites } from '../helpers/netns.js';
import { hasProgram, isRoot, runsWith } from '../helpers/requirements.js';

const WIREGUARD = '/cgi-bin/luci/sdewan/wireguard/v1';
const STATUS = '/cgi-bin/luci/sdewan/v1/status';
const MARK = 'sdewan-agent wireguard';

const suffix = randomBytes(3).toString('hex');
const mgmtNet = `10.96.${randomInt(1, 255)}`;

interface Site {
  key: 'a' | 'b';
  ns: string;
  addr: string;
  /** The tunnel's address on this site, and the tunnel (interface) name. */
  tunnelAddr: string;
  tunnel: string;
  inner: string;
  innerNet: string;
  mgmtHost: string;
  mgmtHostAddr: string;
  mgmtSiteAddr: string;
  privateKey: string;
  publicKey: string;
  agent?: Agent;
}

const sites: Site[] = [];
const createdNs: string[] = [];
const createdLinks: string[] = [];
const psk = async () => (await execa('wg', ['genpsk'])).stdout.trim();
let presharedKey: string;

const inNs = (site: Site, cmd: string, ...args: string[]) => execa('ip', ['netns', 'exec', site.ns, cmd, ...args], { reject: false, timeout: 30_000 });
const ping = (from: Site, src: string, dst: string) => inNs(from, 'ping', '-n', '-c', '1', '-W', '1', '-I', src, dst);

async function site(key: 'a' | 'b', n: number): Promise<Site> {
  const privateKey = (await execa('wg', ['genkey'])).stdout.trim();
  const publicKey = (await execa('wg', ['pubkey'], { input: privateKey })).stdout.trim();
  return {
    key,
    ns: `sdw-wg${key}-${suffix}`,
    addr: `10.98.0.${n}`,
    tunnelAddr: `10.77.0.${n}`,
    // the name of the tunnel to the other site; unique per run: wireguard-go's sockets are in /var/run/wireguard
    tunnel: `wg${key === 'a' ? 'b' : 'a'}${suffix}`,
    inner: `192.168.${n * 10}.1`,
    innerNet: `192.168.${n * 10}.0/24`,
    mgmtHost: `sdwgm${key}${suffix}`,
    mgmtHostAddr: `${mgmtNet}.${n * 4 - 3}`,
    mgmtSiteAddr: `${mgmtNet}.${n * 4 - 2}`,
    privateKey,
    publicKey,
  };
}

/** Each side knows the other's endpoint (either can start a handshake); A keeps the path open. */
function tunnelBody(local: Site, peer: Site, withSecrets = true) {
  return {
    name: local.tunnel,
    ...(withSecrets ? { private_key: local.privateKey } : {}),
    listen_port: '51820',
    addresses: [`${local.tunnelAddr}/24`],
    peers: [
      {
        name: `site-${peer.key}`,
        public_key: peer.publicKey,
        ...(withSecrets ? { preshared_key: presharedKey } : {}),
        endpoint: `${peer.addr}:51820`,
        ...(local.key === 'a' ? { persistent_keepalive: '5' } : {}),
        allowed_ips: [`${peer.tunnelAddr}/32`, peer.innerNet],
        route_allowed_ips: '1',
      },
    ],
  };
}

interface TunnelStatus {
  name: string;
  state: string;
  public_key?: string;
  listen_port?: number;
  peers: Array<{ name: string; public_key: string; latest_handshake?: string; latest_handshake_age?: number; transfer_rx: number; transfer_tx: number; endpoint?: string }>;
}

async function wireguardStatus(s: Site): Promise<TunnelStatus[]> {
  const r = await s.agent!.request('GET', `${STATUS}/wireguard`);
  expect(r.status, r.text).toBe(200);
  expect(r.json.name).toBe('wireguard');
  return r.json.status;
}

/** The links of a namespace the agent marked as its own. */
async function markedLinks(s: Site): Promise<string[]> {
  const r = await inNs(s, 'ip', '-j', 'link', 'show');
  return (JSON.parse(r.stdout || '[]') as Array<{ ifname: string; ifalias?: string }>).filter((l) => l.ifalias === MARK).map((l) => l.ifname);
}

/** The destinations of the routes of proto static through a site's tunnel. */
async function staticRoutes(s: Site): Promise<string[]> {
  const r = await inNs(s, 'ip', 'route', 'show', 'dev', s.tunnel, 'proto', 'static');
  return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(' ')[0]!);
}

const RUNS = runsWith('a two-site WireGuard tunnel', {
  'root (network namespaces)': isRoot,
  'ip (iproute2)': hasProgram('ip'),
  'wg (wireguard-tools)': hasProgram('wg'),
  'wireguard-go': hasProgram('wireguard-go'),
  'ping (iputils-ping)': hasProgram('ping'),
});

describe.runIf(RUNS)('a two-site WireGuard tunnel configured through the API', () => {
  let a: Site;
  let b: Site;

  beforeAll(async () => {
    for (const prog of ['wg', 'wireguard-go', 'ping', 'ip']) {
      if (!hasProgram(prog)) throw new Error(`${prog} not on PATH: install iproute2, wireguard-tools, wireguard-go and iputils-ping`);
    }
    presharedKey = await psk();
    a = await site('a', 1);
    b = await site('b', 2);
    sites.push(a, b);
    await wireTwoSites([a, b], { ns: createdNs, links: createdLinks });
    for (const s of sites) {
      s.agent = await startAgent({
        commandPrefix: ['ip', 'netns', 'exec', s.ns],
        env: { HOST: s.mgmtSiteAddr, SDEWAN_PLATFORM: 'linux', SDEWAN_WIREGUARD: s.key === 'a' ? 'userspace' : 'auto', SDEWAN_RELOAD_DELAY_MS: '50' },
      });
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of sites) {
      try {
        await s.agent?.stop();
      } catch {
        // keep cleaning up
      }
    }
    // a wireguard-go daemon ends with its interface (and keeps the namespace alive until then)
    for (const s of sites) for (const link of await markedLinks(s).catch(() => [])) await inNs(s, 'ip', 'link', 'del', 'dev', link);
    for (const ns of createdNs) await execa('ip', ['netns', 'del', ns], { reject: false });
    for (const link of createdLinks) await execa('ip', ['link', 'del', link], { reject: false });
  }, 60_000);

  const diagnostics = async () => {
    const parts: string[] = [];
    for (const s of sites) {
      parts.push(`--- site ${s.key} agent ---\n${s.agent?.logs().slice(-3000) ?? ''}`);
      parts.push(`--- site ${s.key} wg ---\n${(await inNs(s, 'wg', 'show', 'all')).stdout}\n${(await inNs(s, 'ip', 'addr')).stdout}\n${(await inNs(s, 'ip', 'route')).stdout}`);
    }
    return parts.join('\n');
  };

  it('before any configuration, nothing crosses and there is no tunnel', async () => {
    expect((await ping(a, a.inner, b.inner)).exitCode).not.toBe(0);
    for (const s of sites) {
      expect(await wireguardStatus(s)).toEqual([]);
      expect(await markedLinks(s)).toEqual([]);
    }
  }, 60_000);

  it('carries a ping over the tunnel once both sites are configured through the API; the keys are not read back', async () => {
    for (const [local, peer] of [
      [b, a],
      [a, b],
    ] as const) {
      const body = tunnelBody(local, peer);
      const r = await local.agent!.request('POST', `${WIREGUARD}/tunnels`, body);
      expect(r.status, r.text).toBe(201);
      const { private_key: _key, ...shown } = body;
      const expected = { ...shown, peers: shown.peers.map(({ preshared_key: _psk, ...p }) => p) };
      expect(r.json).toEqual(expected);
      const got = await local.agent!.request('GET', `${WIREGUARD}/tunnels/${local.tunnel}`);
      expect(got.json).toEqual(expected);
      expect(got.text).not.toContain(local.privateKey);
      expect(got.text).not.toContain(presharedKey);
    }
    try {
      await waitFor(async () => (await ping(a, a.tunnelAddr, b.tunnelAddr)).exitCode === 0, { timeoutMs: 30_000, intervalMs: 200, what: 'a ping over the tunnel' });
      // the inner subnets, through the routes of route_allowed_ips
      await waitFor(async () => (await ping(a, a.inner, b.inner)).exitCode === 0, { timeoutMs: 10_000, intervalMs: 200, what: 'a ping between the inner subnets' });
      await waitFor(async () => (await ping(b, b.inner, a.inner)).exitCode === 0, { timeoutMs: 10_000, intervalMs: 200, what: 'a ping back' });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await diagnostics()}`);
    }
    for (const s of sites) {
      const peer = s === a ? b : a;
      expect(await markedLinks(s)).toEqual([s.tunnel]);
      expect(await staticRoutes(s)).toEqual([peer.tunnelAddr, peer.innerNet]);
      // wg has the pre-shared key the API was sent
      expect((await inNs(s, 'wg', 'show', s.tunnel, 'preshared-keys')).stdout.trim()).toBe(`${peer.publicKey}\t${presharedKey}`);
      const services = await s.agent!.request('GET', `${STATUS}/services`);
      expect(services.json.status.network).toMatchObject({ action: 'reload', trigger: 'auto', ok: true });
    }
    // site A was told to use wireguard-go: its interface is a tun device
    expect((await inNs(a, 'ip', '-d', 'link', 'show', a.tunnel)).stdout).toContain('tun type tun');
  }, 90_000);

  it('shows the handshake and the bytes sent and received per peer', async () => {
    for (const s of sites) {
      const peer = s === a ? b : a;
      const [t] = await wireguardStatus(s);
      expect(t).toMatchObject({ name: s.tunnel, state: 'up', public_key: s.publicKey, listen_port: 51820 });
      expect(t!.peers).toHaveLength(1);
      const p = t!.peers[0]!;
      expect(p).toMatchObject({ name: `site-${peer.key}`, public_key: peer.publicKey, endpoint: `${peer.addr}:51820` });
      expect(Date.parse(p.latest_handshake!)).toBeGreaterThan(Date.now() - 10 * 60_000);
      expect(p.latest_handshake_age).toBeGreaterThanOrEqual(0);
      expect(p.transfer_rx).toBeGreaterThan(0);
      expect(p.transfer_tx).toBeGreaterThan(0);
      expect(JSON.stringify(t)).not.toContain(s.privateKey);
      expect(JSON.stringify(t)).not.toContain(presharedKey);
    }
  }, 60_000);

  it('the typed client reads the tunnel (without its keys) and its status', async () => {
    const client = createClient({ url: b.agent!.url, password: b.agent!.password });
    try {
      const t = await client.wireguard.tunnels.get(b.tunnel);
      expect(t.private_key).toBeUndefined();
      expect(t.peers?.[0]).toMatchObject({ name: 'site-a', public_key: a.publicKey });
      expect(t.peers?.[0]?.preshared_key).toBeUndefined();
      const [status] = await client.status.get('wireguard');
      expect(status).toMatchObject({ name: b.tunnel, state: 'up', public_key: b.publicKey });
      expect(status!.peers[0]!.transfer_rx).toBeGreaterThan(0);
    } finally {
      await client.logout();
      await client.close();
    }
  }, 60_000);

  it('a PUT without the keys keeps them: the tunnel stays up with the new MTU', async () => {
    const r = await a.agent!.request('PUT', `${WIREGUARD}/tunnels/${a.tunnel}`, { ...tunnelBody(a, b, false), mtu: '1380' });
    expect(r.status, r.text).toBe(200);
    await waitFor(async () => (await inNs(a, 'ip', 'link', 'show', a.tunnel)).stdout.includes('mtu 1380'), { timeoutMs: 10_000, intervalMs: 100, what: 'the new MTU' });
    expect((await inNs(a, 'wg', 'show', a.tunnel, 'preshared-keys')).stdout.trim()).toBe(`${b.publicKey}\t${presharedKey}`);
    expect((await inNs(a, 'wg', 'show', a.tunnel, 'public-key')).stdout.trim()).toBe(a.publicKey);
    await waitFor(async () => (await ping(a, a.inner, b.inner)).exitCode === 0, { timeoutMs: 10_000, intervalMs: 200, what: 'a ping after the PUT' });
  }, 60_000);

  it('follows a PUT on both sides: a peer renamed without its pre-shared key has none, a dropped allowed IP loses its route', async () => {
    for (const [local, peer] of [
      [a, b],
      [b, a],
    ] as const) {
      const body = tunnelBody(local, peer, false);
      const [p] = body.peers;
      const changed = { ...body, peers: [{ ...p!, name: `${p!.name}-2`, allowed_ips: local === b ? [`${peer.tunnelAddr}/32`] : p!.allowed_ips }] };
      const r = await local.agent!.request('PUT', `${WIREGUARD}/tunnels/${local.tunnel}`, changed);
      expect(r.status, r.text).toBe(200);
    }
    for (const s of sites) {
      const peer = s === a ? b : a;
      await waitFor(async () => (await inNs(s, 'wg', 'show', s.tunnel, 'preshared-keys')).stdout.trim() === `${peer.publicKey}\t(none)`, {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: `site ${s.key}'s pre-shared key to go`,
      });
    }
    await waitFor(async () => (await staticRoutes(b)).join() === a.tunnelAddr, {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: "site B's route to A's inner subnet to go",
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${await diagnostics()}`);
    });
    expect((await ping(b, b.inner, a.inner)).exitCode).not.toBe(0);
    await waitFor(async () => (await ping(a, a.tunnelAddr, b.tunnelAddr)).exitCode === 0, { timeoutMs: 20_000, intervalMs: 200, what: 'a ping over the tunnel without pre-shared keys' });
    expect((await wireguardStatus(a))[0]!.peers[0]!.name).toBe('site-b-2');
  }, 60_000);

  it('leaves a device of a tunnel\'s name that it did not make alone, and says so in the reload', async () => {
    expect((await inNs(b, 'ip', 'link', 'add', 'wgzz', 'type', 'veth', 'peer', 'name', 'wgzz-peer')).exitCode).toBe(0);
    const r = await b.agent!.request('POST', `${WIREGUARD}/tunnels`, { name: 'wgzz', private_key: b.privateKey, listen_port: '51999' });
    expect(r.status, r.text).toBe(201);
    await waitFor(async () => (await b.agent!.request('GET', `${STATUS}/services`)).json.status.network?.ok === false, { timeoutMs: 10_000, intervalMs: 100, what: 'the failed reload' });
    const services = await b.agent!.request('GET', `${STATUS}/services`);
    expect(services.json.status.network.message).toContain('wgzz: a device of that name exists that the agent did not make');
    expect((await inNs(b, 'ip', '-d', 'link', 'show', 'wgzz')).stdout).toContain('veth');
    // the other tunnel was applied all the same
    expect(await markedLinks(b)).toEqual([b.tunnel]);
    expect((await b.agent!.request('DELETE', `${WIREGUARD}/tunnels/wgzz`)).status).toBe(200);
    await waitFor(async () => (await b.agent!.request('GET', `${STATUS}/services`)).json.status.network?.ok === true, { timeoutMs: 10_000, intervalMs: 100, what: 'the next reload' });
    expect((await inNs(b, 'ip', '-d', 'link', 'show', 'wgzz')).stdout).toContain('veth');
    await inNs(b, 'ip', 'link', 'del', 'wgzz');
  }, 60_000);

  it('stop of the network service takes the agent\'s interfaces down, start brings them back', async () => {
    const stop = await b.agent!.request('PUT', '/cgi-bin/luci/sdewan/v1/service/network', { action: 'stop' });
    expect(stop.status, stop.text).toBe(200);
    expect(await markedLinks(b)).toEqual([]);
    const start = await b.agent!.request('PUT', '/cgi-bin/luci/sdewan/v1/service/network', { action: 'start' });
    expect(start.status, start.text).toBe(200);
    expect(await markedLinks(b)).toEqual([b.tunnel]);
    // B's new interface has no session: it starts a handshake with the first packet it sends
    await waitFor(async () => (await ping(b, b.tunnelAddr, a.tunnelAddr)).exitCode === 0, { timeoutMs: 30_000, intervalMs: 200, what: 'a ping after start' });
  }, 60_000);

  it('DELETE through the API removes the interface (and its wireguard-go) and the tunnel is gone', async () => {
    const del = await a.agent!.request('DELETE', `${WIREGUARD}/tunnels/${a.tunnel}`);
    expect(del.status, del.text).toBe(200);
    await waitFor(async () => (await markedLinks(a)).length === 0, { timeoutMs: 10_000, intervalMs: 100, what: "site A's interface to go" });
    await waitFor(async () => !existsSync(`/var/run/wireguard/${a.tunnel}.sock`), { timeoutMs: 10_000, intervalMs: 100, what: 'wireguard-go to end' });
    expect((await ping(a, a.inner, b.inner)).exitCode).not.toBe(0);
    expect(await wireguardStatus(a)).toEqual([]);
    // B keeps its own
    expect(await markedLinks(b)).toEqual([b.tunnel]);
  }, 60_000);

  it('never logs a key', () => {
    for (const s of sites) {
      const logs = s.agent!.logs();
      expect(logs).toContain('service action done');
      for (const secret of [a.privateKey, b.privateKey, presharedKey]) expect(logs).not.toContain(secret);
    }
  });
});
