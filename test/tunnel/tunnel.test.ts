// A real IPsec tunnel between two sites, configured only through the REST API:
// REST API -> UCI -> swanctl.conf -> charon (IKEv2) -> ESP, on plain Linux (SDEWAN_PLATFORM=linux).
//
// Two network namespaces joined by a veth pair (site A 10.99.0.1, site B 10.99.0.2), each with
// an inner subnet (a second veth pair: 192.168.10.1/24 on A, 192.168.20.1/24 on B), its own
// charon (test/reference/strongswan/README.md: kernel-libipsec userspace ESP, bypass-lan off,
// its own /run through `unshare -m`, its own vici socket) and its own agent. The test reaches
// each agent through a management veth pair from this namespace.
//
// Needs root and Debian's strongswan-charon, strongswan-swanctl, libcharon-extra-plugins and
// iputils-ping (CI has them), and a build (`npx tsc -p .`).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, waitFor, type Agent } from '../helpers/agent.js';
import { wireTwoSites } from '../helpers/netns.js';
import { hasProgram, isRoot, runsWith } from '../helpers/requirements.js';

const CHARON = '/usr/lib/ipsec/charon';
const LIBIPSEC_PLUGIN = '/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so';
const IPSEC = '/cgi-bin/luci/sdewan/ipsec/v1';
const STATUS = '/cgi-bin/luci/sdewan/v1/status';

const suffix = randomBytes(3).toString('hex');
const mgmtNet = `10.97.${randomInt(1, 255)}`;

interface Site {
  key: 'a' | 'b';
  ns: string;
  /** On the link between the sites. */
  addr: string;
  inner: string;
  innerNet: string;
  /** The management veth: this namespace's end and the site's end (where its agent listens). */
  mgmtHost: string;
  mgmtHostAddr: string;
  mgmtSiteAddr: string;
  dir: string;
  vici: string;
  charon?: ChildProcess;
  charonExit?: Promise<void>;
  agent?: Agent;
}

let root: string;
const sites: Site[] = [];
const createdNs: string[] = [];
const createdLinks: string[] = [];

const inNs = (site: Site, cmd: string, ...args: string[]) =>
  execa('ip', ['netns', 'exec', site.ns, cmd, ...args], { reject: false, timeout: 30_000 });

function site(key: 'a' | 'b', n: number): Site {
  const dir = path.join(root, key);
  return {
    key,
    ns: `sdw-tun${key}-${suffix}`,
    addr: `10.99.0.${n}`,
    inner: `192.168.${n * 10}.1`,
    innerNet: `192.168.${n * 10}.0/24`,
    mgmtHost: `sdwm${key}${suffix}`,
    mgmtHostAddr: `${mgmtNet}.${n * 4 - 3}`,
    mgmtSiteAddr: `${mgmtNet}.${n * 4 - 2}`,
    dir,
    vici: `unix://${path.join(dir, 'charon.vici')}`,
  };
}

function strongswanConf(s: Site): string {
  return `# charon of test site ${s.key}
charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    kernel-libipsec {
      load = yes
    }
    bypass-lan {
      load = no
    }
    vici {
      socket = ${s.vici}
    }
  }
  filelog {
    charon {
      path = ${path.join(s.dir, 'charon.log')}
      default = 1
      ike = 2
      flush_line = yes
    }
  }
}
`;
}

/** charon in the site's namespace, with its own /run (its pid file) and its own settings. */
async function startCharon(s: Site): Promise<void> {
  const conf = path.join(s.dir, 'strongswan.conf');
  writeFileSync(conf, strongswanConf(s));
  const child = spawn('ip', ['netns', 'exec', s.ns, 'unshare', '-m', 'sh', '-c', `mount -t tmpfs none /run && exec ${CHARON}`], {
    env: { ...process.env, STRONGSWAN_CONF: conf },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  let exited = false;
  s.charon = child;
  s.charonExit = new Promise((resolve) => child.once('exit', () => ((exited = true), resolve())));
  await waitFor(
    async () => {
      if (exited) throw new Error(`charon of site ${s.key} exited: ${out}`);
      const r = await execa('swanctl', ['--stats', '--uri', s.vici], { reject: false, timeout: 5000 });
      return r.exitCode === 0;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: `charon of site ${s.key}` },
  );
}

async function stopCharon(s: Site): Promise<void> {
  const child = s.charon;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await s.charonExit;
  clearTimeout(timer);
}

const ping = (from: Site, to: Site) => inNs(from, 'ping', '-n', '-c', '1', '-W', '1', '-I', from.inner, to.inner);

interface RemoteStatus {
  name: string;
  state: string;
  configured: boolean;
  child_sas: Array<{ name: string; state: string; bytes_in: number; bytes_out: number; packets_in: number; packets_out: number }>;
}

/** The ipsec module: {"InitConnection", "details"}, ICN's shape. */
async function ipsecModule(s: Site): Promise<{ InitConnection: string; details: Array<RemoteStatus & { missing_children?: string[] }> }> {
  const r = await s.agent!.request('GET', `${STATUS}/ipsec`);
  expect(r.status).toBe(200);
  expect(r.json.name).toBe('ipsec');
  expect(Object.keys(r.json.status)).toEqual(['InitConnection', 'details']);
  return r.json.status;
}

async function ipsecStatus(s: Site): Promise<RemoteStatus[]> {
  return (await ipsecModule(s)).details;
}

const proposal = { name: 'p1', encryption_algorithm: 'aes128', hash_algorithm: 'sha256', dh_group: 'modp3072' };
const psk = randomBytes(18).toString('base64url');

function remoteBody(local: Site, peer: Site, mode: 'start' | 'add' | 'route') {
  return {
    name: `site-${peer.key}`,
    type: 'policy-based',
    gateway: peer.addr,
    authentication_method: 'psk',
    pre_shared_key: psk,
    local_identifier: `site-${local.key}.example`,
    remote_identifier: `site-${peer.key}.example`,
    crypto_proposal: ['p1'],
    connections: [{ name: 'net', conn_type: 'tunnel', mode, local_subnet: local.innerNet, remote_subnet: peer.innerNet, crypto_proposal: ['p1'] }],
  };
}

/**
 * A root CA, an overlay CA it signs and a certificate per site the overlay CA signs (RSA: the
 * Debian charon has no openssl plugin for ECDSA), encoded as ICN's central controller (scc)
 * sends them: the base64 of each certificate's PEM cut after its END line, the CA chain root
 * first joined with `___`, the base64 of the key file.
 */
function sccCertificates(dir: string, names: string[]): { sharedCa: string; sites: Record<string, { cert: string; key: string }> } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(path.join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  const rsa = ['-newkey', 'rsa:2048', '-nodes'];
  openssl('req', '-x509', ...rsa, '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=sdewan-controller', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE');
  openssl('req', ...rsa, '-keyout', 'overlay.key', '-out', 'overlay.csr', '-subj', '/CN=overlay1-cert');
  openssl('x509', '-req', '-in', 'overlay.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'overlay.crt', '-days', '2', '-extfile', 'ca.ext');
  const firstCert = (file: string) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const end = '-----END CERTIFICATE-----';
    return Buffer.from(text.slice(0, text.indexOf(end) + end.length)).toString('base64');
  };
  const sites: Record<string, { cert: string; key: string }> = {};
  for (const name of names) {
    openssl('req', ...rsa, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}-cert`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'overlay.crt', '-CAkey', 'overlay.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2');
    sites[name] = { cert: firstCert(`${name}.crt`), key: readFileSync(path.join(dir, `${name}.key`)).toString('base64') };
  }
  return { sharedCa: `${firstCert('root.crt')}___${firstCert('overlay.crt')}`, sites };
}

/** Outside CI, skipped without root or strongSwan, naming what is missing; under CI=true it always runs. */
const RUNS = runsWith('a two-site IPsec tunnel', {
  'root (network namespaces)': isRoot,
  'ip (iproute2)': hasProgram('ip'),
  [`${CHARON} (strongswan-charon)`]: existsSync(CHARON),
  [`${LIBIPSEC_PLUGIN} (libcharon-extra-plugins)`]: existsSync(LIBIPSEC_PLUGIN),
  'swanctl (strongswan-swanctl)': hasProgram('swanctl'),
  'ping (iputils-ping)': hasProgram('ping'),
});

describe.runIf(RUNS)('a two-site IPsec tunnel configured through the API', () => {
  let a: Site;
  let b: Site;

  beforeAll(async () => {
    for (const file of [CHARON, LIBIPSEC_PLUGIN]) {
      if (!existsSync(file)) throw new Error(`${file} missing: install strongswan-charon, strongswan-swanctl, libcharon-extra-plugins and iputils-ping`);
    }
    for (const prog of ['swanctl', 'ping']) {
      const r = await execa('sh', ['-c', 'command -v "$0"', prog], { reject: false });
      if (r.exitCode !== 0) throw new Error(`${prog} not on PATH: install strongswan-swanctl and iputils-ping`);
    }
    root = mkdtempSync(path.join(os.tmpdir(), 'sdewan-tunnel-'));
    a = site('a', 1);
    b = site('b', 2);
    sites.push(a, b);

    for (const s of sites) mkdirSync(s.dir);
    await wireTwoSites([a, b], { ns: createdNs, links: createdLinks });

    for (const s of sites) await startCharon(s);
    for (const s of sites) {
      s.agent = await startAgent({
        commandPrefix: ['ip', 'netns', 'exec', s.ns],
        env: {
          HOST: s.mgmtSiteAddr,
          SDEWAN_PLATFORM: 'linux',
          SDEWAN_VICI_URI: s.vici,
          SDEWAN_SWANCTL_DIR: path.join(s.dir, 'swanctl'),
          SDEWAN_RELOAD_DELAY_MS: '50',
        },
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
    for (const s of sites) await stopCharon(s).catch(() => undefined);
    for (const ns of createdNs) await execa('ip', ['netns', 'del', ns], { reject: false });
    for (const link of createdLinks) await execa('ip', ['link', 'del', link], { reject: false });
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  /** The logs to show when something does not come up. */
  const diagnostics = () =>
    sites
      .map((s) => {
        const log = path.join(s.dir, 'charon.log');
        const charon = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-40).join('\n') : '(no charon log)';
        return `--- site ${s.key} agent ---\n${s.agent?.logs().slice(-3000) ?? ''}\n--- site ${s.key} charon ---\n${charon}`;
      })
      .join('\n');

  it('before any configuration, the inner subnets cannot reach each other', async () => {
    expect((await ping(a, b)).exitCode).not.toBe(0);
    for (const s of sites) expect(await ipsecStatus(s)).toEqual([]);
  }, 60_000);

  it('carries a ping from 192.168.10.1 to 192.168.20.1 once both sites are configured through the API', async () => {
    for (const s of sites) {
      const created = await s.agent!.request('POST', `${IPSEC}/proposals`, proposal);
      expect(created.status, created.text).toBe(201);
    }
    // B answers (route: trap policies), A starts the tunnel
    const rb = await b.agent!.request('POST', `${IPSEC}/remotes`, remoteBody(b, a, 'route'));
    expect(rb.status, rb.text).toBe(201);
    // B's reload runs after its answer: A must not knock before B's charon has the connection
    await waitFor(async () => (await execa('swanctl', ['--list-conns', '--raw', '--uri', b.vici], { reject: false })).stdout.includes('site_a {'), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: "site B's connection to be loaded",
    });
    const ra = await a.agent!.request('POST', `${IPSEC}/sites`, remoteBody(a, b, 'start'));
    expect(ra.status, ra.text).toBe(201);

    try {
      await waitFor(async () => (await ping(a, b)).exitCode === 0, { timeoutMs: 20_000, intervalMs: 200, what: 'a ping through the tunnel' });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${diagnostics()}`);
    }

    // what the agents wrote: swanctl.conf with the secret, readable by root only
    const confA = path.join(a.dir, 'swanctl', 'swanctl.conf');
    expect(statSync(confA).mode & 0o777).toBe(0o600);
    const textA = readFileSync(confA, 'utf8');
    expect(textA).toContain('      net {\n        local_ts = 192.168.10.0/24\n        remote_ts = 192.168.20.0/24\n        start_action = start\n');
    expect(textA).toContain(`  ike-site_b {\n    secret = "${psk}"\n    id1 = "site-a.example"\n    id2 = "site-b.example"\n  }`);
    expect(readFileSync(path.join(b.dir, 'swanctl', 'swanctl.conf'), 'utf8')).toContain('        start_action = trap\n');
    for (const s of sites) {
      const services = await s.agent!.request('GET', `${STATUS}/services`);
      expect(services.json.status.ipsec).toMatchObject({ action: 'reload', trigger: 'auto', ok: true });
    }
  }, 60_000);

  it('shows the SA up on both sites, with its traffic counters', async () => {
    const [sa] = (await ipsecStatus(a)).filter((r) => r.name === 'site-b');
    expect(sa).toMatchObject({ name: 'site-b', state: 'up', configured: true, initiator: true, local_addr: a.addr, remote_addr: b.addr });
    const child = sa!.child_sas.find((c) => c.name === 'net');
    expect(child).toMatchObject({ state: 'INSTALLED', local_ts: [a.innerNet], remote_ts: [b.innerNet] });
    expect(child!.packets_out).toBeGreaterThan(0);
    expect(child!.bytes_out).toBeGreaterThan(0);
    expect(child!.packets_in).toBeGreaterThan(0);
    expect(child!.bytes_in).toBeGreaterThan(0);

    // A starts its tunnel and it is up; B only answers: nothing for the controller to restart
    for (const s of sites) expect((await ipsecModule(s)).InitConnection).toBe('success');

    const [peer] = await ipsecStatus(b);
    expect(peer).toMatchObject({ name: 'site-a', state: 'up', configured: true, initiator: false, local_id: 'site-b.example', remote_id: 'site-a.example' });
    expect(peer!.child_sas[0]!.packets_in).toBeGreaterThan(0);
    expect(peer!.child_sas[0]!.bytes_in).toBeGreaterThan(0);
  }, 60_000);

  it('stop and start of the ipsec service act on the loaded configuration', async () => {
    const stop = await a.agent!.request('PUT', '/cgi-bin/luci/sdewan/v1/service/ipsec', { action: 'stop' });
    expect(stop.status, stop.text).toBe(200);
    expect((await ipsecStatus(a)).map((r) => r.state)).toEqual(['down']);
    // stopped on purpose: the tunnel is missing, but the controller must not restart ipsec
    expect(await ipsecModule(a)).toMatchObject({ InitConnection: 'success', details: [{ name: 'site-b', missing_children: ['net'] }] });
    await waitFor(async () => (await ipsecStatus(b))[0]?.state === 'down', { timeoutMs: 10_000, intervalMs: 100, what: "site B's SA to go" });
    expect((await ping(a, b)).exitCode).not.toBe(0);

    const start = await a.agent!.request('PUT', '/cgi-bin/luci/sdewan/v1/service/ipsec', { action: 'start' });
    expect(start.status, start.text).toBe(200);
    expect((await ipsecStatus(a))[0]).toMatchObject({ name: 'site-b', state: 'up' });
    await waitFor(async () => (await ping(a, b)).exitCode === 0, { timeoutMs: 20_000, intervalMs: 200, what: 'the ping after start' });
  }, 60_000);

  it('DELETE of the remote through the API takes the tunnel down', async () => {
    const del = await a.agent!.request('DELETE', `${IPSEC}/remotes/site-b`);
    expect(del.status, del.text).toBe(200);
    // A no longer has the connection nor an SA; B's SA was deleted by A's DELETE
    await waitFor(async () => (await ipsecStatus(a)).length === 0, { timeoutMs: 10_000, intervalMs: 100, what: "site A's SA to go" });
    await waitFor(async () => (await ipsecStatus(b))[0]?.state === 'down', { timeoutMs: 10_000, intervalMs: 100, what: "site B's SA to go" });
    expect((await ping(a, b)).exitCode).not.toBe(0);
    expect(readFileSync(path.join(a.dir, 'swanctl', 'swanctl.conf'), 'utf8')).not.toContain('site_b');
  }, 60_000);

  it('DELETE on the answering side ends the SA as well (charon keeps the SAs of an unloaded connection it did not start)', async () => {
    const ra = await a.agent!.request('POST', `${IPSEC}/remotes`, remoteBody(a, b, 'start'));
    expect(ra.status, ra.text).toBe(201);
    await waitFor(async () => (await ping(a, b)).exitCode === 0, { timeoutMs: 20_000, intervalMs: 200, what: 'the ping through the new tunnel' });

    const del = await b.agent!.request('DELETE', `${IPSEC}/sites/site-a`);
    expect(del.status, del.text).toBe(200);
    await waitFor(async () => (await ipsecStatus(b)).length === 0, { timeoutMs: 10_000, intervalMs: 100, what: "site B's SA to go" });
    await waitFor(async () => (await ipsecStatus(a))[0]?.state === 'down', { timeoutMs: 10_000, intervalMs: 100, what: "site A's SA to go" });
    expect((await ping(a, b)).exitCode).not.toBe(0);
    // A starts a tunnel that is gone: the CNF status poller of the controller restarts ipsec on "fail"
    expect(await ipsecModule(a)).toMatchObject({ InitConnection: 'fail', details: [{ name: 'site-b', state: 'down', missing_children: ['net'] }] });
  }, 60_000);

  it('a pubkey tunnel with certificates as scc sends them (shared_ca a ___-joined chain: root, overlay CA)', async () => {
    // A still has site-b from the test before: it goes first
    expect((await a.agent!.request('DELETE', `${IPSEC}/remotes/site-b`)).status).toBe(200);
    const certDir = path.join(root, 'certs');
    mkdirSync(certDir);
    const certs = sccCertificates(certDir, ['hub-a', 'hub-b']);
    const body = (local: Site, peer: Site, mode: 'start' | 'route') => ({
      name: `hub-${peer.key}`,
      type: 'policy-based',
      gateway: peer.addr,
      authentication_method: 'pubkey',
      local_public_cert: certs.sites[`hub-${local.key}`]!.cert,
      local_private_cert: certs.sites[`hub-${local.key}`]!.key,
      shared_ca: certs.sharedCa,
      local_identifier: `CN=hub-${local.key}-cert`,
      remote_identifier: `CN=hub-${peer.key}-cert`,
      crypto_proposal: ['p1'],
      force_crypto_proposal: '0',
      connections: [{ name: 'lan', conn_type: 'tunnel', mode, local_subnet: local.innerNet, remote_subnet: peer.innerNet, crypto_proposal: ['p1'] }],
    });
    const rb = await b.agent!.request('POST', `${IPSEC}/remotes`, body(b, a, 'route'));
    expect(rb.status, rb.text).toBe(201);
    expect(rb.json.shared_ca).toBe(certs.sharedCa);
    await waitFor(async () => (await execa('swanctl', ['--list-conns', '--raw', '--uri', b.vici], { reject: false })).stdout.includes('hub_a {'), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: "site B's connection to be loaded",
    });
    const ra = await a.agent!.request('POST', `${IPSEC}/remotes`, body(a, b, 'start'));
    expect(ra.status, ra.text).toBe(201);
    try {
      await waitFor(async () => (await ping(a, b)).exitCode === 0, { timeoutMs: 20_000, intervalMs: 200, what: 'a ping through the pubkey tunnel' });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${diagnostics()}`);
    }
    // both CA certificates are loaded as authorities, and the peer was authenticated by its certificate
    const authorities = await execa('swanctl', ['--list-authorities', '--uri', a.vici], { reject: false });
    expect(authorities.stdout).toContain('hub_b:');
    expect(authorities.stdout).toContain('hub_b_ca1:');
    const [sa] = (await ipsecStatus(a)).filter((r) => r.name === 'hub-b');
    expect(sa).toMatchObject({ state: 'up', local_id: 'CN=hub-a-cert', remote_id: 'CN=hub-b-cert' });
  }, 90_000);
});
