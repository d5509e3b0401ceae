// Shared pieces of the hardening suites (and of bench/run.ts): API paths, valid objects of
// every kind, config-dir snapshots checked with the project's UCI parser, init.d scripts that
// misbehave on demand, and an agent process restarted on the same config directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { parseUci } from '../../src/uci/index.js';
import type { UciPackage } from '../../src/uci/types.js';
import { httpClient, mainScript, repoRoot, waitFor, WaitAbort } from '../helpers/agent.js';

export const LUCI = '/cgi-bin/luci';
export const MWAN3 = `${LUCI}/sdewan/mwan3/v1`;
export const FIREWALL = `${LUCI}/sdewan/firewall/v1`;
export const IPSEC = `${LUCI}/sdewan/ipsec/v1`;
export const SERVICES = `${LUCI}/sdewan/v1`;

/** The packages the API writes. */
export const WRITTEN = ['mwan3', 'firewall', 'ipsec', 'network'] as const;

// --- valid objects of every kind (the shipped uci-fixtures hold their references) ----------

export const mwan3Rule = (name: string, i = 0) => ({ name, policy: 'balanced', proto: 'tcp', dest_port: String(1 + (i % 65535)), family: 'ipv4' });
export const firewallRule = (name: string, i = 0) => ({ name, src: 'wan', proto: 'tcp', dest_port: String(1 + (i % 65535)), target: 'ACCEPT', family: 'ipv4' });
export const firewallZone = (name: string) => ({ name, network: ['lan'], input: 'ACCEPT', output: 'ACCEPT', forward: 'REJECT' });
export const ipsecProposal = (name: string) => ({ name, encryption_algorithm: 'aes128', hash_algorithm: 'sha256', dh_group: 'modp2048' });

const ipsecFixture = (file: string) => readFileSync(path.join(repoRoot(), 'test/ipsec/fixtures', file)).toString('base64');
/** A remote authenticated by certificates: its write stages a certificate, a private key and a CA. */
export const pubkeyRemote = (name: string, proposal = 'base-prop') => ({
  name, type: 'VTI-based', gateway: '10.0.0.9', authentication_method: 'pubkey', local_identifier: 'CN=host', remote_identifier: 'CN=hub',
  crypto_proposal: [proposal], local_public_cert: ipsecFixture('host.pem'), local_private_cert: ipsecFixture('host.key'), shared_ca: ipsecFixture('ca.pem'),
  connections: [{ name: `${name}-c`, conn_type: 'tunnel', mode: 'start', local_subnet: '192.168.1.0/24', remote_subnet: '10.30.0.0/24', crypto_proposal: [proposal] }],
});

// --- a valid object of every kind --------------------------------------------------------------

/** A network config with an interface for the probe mwan3 interface. */
export const NETWORK = ['loopback', 'lan', 'wan', 'wanb', 'probe']
  .map((name, i) => `\nconfig interface '${name}'\n${name === 'loopback' ? "\toption device 'lo'\n" : ''}\toption proto 'static'\n\toption ipaddr '10.0.${i}.1'\n\toption netmask '255.255.255.0'\n`)
  .join('')
  .concat('\n');

/**
 * A valid object of every kind, each field set, keyed by prefix and collection (the bad-input
 * probes start from these). Needs NETWORK as the network config and the proposal `base-prop`.
 */
export const VALID: Record<string, Record<string, unknown>> = {
  '/sdewan/mwan3/v1/policies': { name: 'probe', members: [{ interface: 'wan', metric: '1', weight: '2' }] },
  '/sdewan/mwan3/v1/slapolicies': { name: 'probe', members: [{ interface: 'wan', metric: '1', weight: '2' }], sla: { latency_ms: '100', jitter_ms: '20', loss_percent: '5' } },
  '/sdewan/mwan3/v1/rules': {
    name: 'probe', policy: 'balanced', src_ip: '10.0.0.0/8', src_port: '22', dest_ip: '10.1.0.1', dest_port: '443',
    proto: 'tcp', family: 'ipv4', sticky: '1', timeout: '60', ipset: 'set1', logging: '1',
  },
  '/sdewan/mwan3/v1/interfaces': { name: 'probe', enabled: '1', family: 'ipv4', track_ip: ['8.8.8.8', '1.1.1.1'], reliability: '1', count: '1', up: '3', down: '5' },
  '/sdewan/mwan3/v1/members': { name: 'probe', interface: 'wan', metric: '1', weight: '1' },
  '/sdewan/firewall/v1/zones': {
    name: 'probe', network: ['lan'], input: 'ACCEPT', output: 'ACCEPT', forward: 'REJECT', masq: '1', masq_src: ['10.0.0.0/8'],
    masq_dest: ['!10.1.0.0/16'], family: 'ipv4', subnet: ['192.168.5.0/24'], extra_src: '-m comment --comment probe', etra_dest: '-m comment --comment probe',
  },
  '/sdewan/firewall/v1/rules': {
    name: 'probe', src: 'wan', src_ip: '10.0.0.1', src_port: '1024', proto: 'tcp', dest: 'lan', dest_ip: '192.168.1.2', dest_port: '22',
    target: 'MARK', set_mark: '0x10', family: 'ipv4', extra: '-m comment --comment probe',
  },
  '/sdewan/firewall/v1/forwardings': { name: 'probe', src: 'lan', dest: 'wan', family: 'ipv4' },
  '/sdewan/firewall/v1/redirects': {
    name: 'probe', src: 'wan', src_ip: '10.0.0.1', src_dport: '8080', proto: 'tcp', dest: 'lan', dest_ip: '192.168.1.10', dest_port: '80',
    target: 'DNAT', family: 'ipv4',
  },
  // lo: the one device every machine that runs this test has
  '/sdewan/nat/v1/nats': { name: 'probe', target: 'MASQUERADE', dest: 'lo', src_ip: '10.0.0.0/8', proto: 'tcp', index: '1' },
  '/sdewan/networkfirewall/v1/rules': { name: 'probe', src: 'lo', src_ip: '10.0.0.1', proto: 'tcp', dest_port: '22', target: 'DROP', family: 'ipv4' },
  '/sdewan/route/v1/routes': { name: 'probe', dst: '10.99.0.0/16', src: '127.0.0.1', gw: '127.0.0.2', dev: 'lo', table: 'cnf' },
  '/sdewan/rule/v1/rules': { name: 'probe', src: '10.0.0.0/8', dst: '10.1.0.0/16', flag: true, prio: '100', fwmark: '0x10', table: '40' },
  '/sdewan/application/v1/applications': { name: 'probe', iplist: '10.0.0.5,10.0.0.6' },
  '/sdewan/ipsec/v1/proposals': ipsecProposal('probe'),
  '/sdewan/wireguard/v1/tunnels': {
    name: 'wgprobe', private_key: 'cPrObEkEyPrObEkEyPrObEkEyPrObEkEyPrObEkEy0A=', listen_port: '51820', addresses: ['10.77.0.1/24', 'fd77::1/64'], mtu: '1420',
    peers: [
      {
        name: 'probe-peer', public_key: 'pUbLiCkEyPuBlIcKeYpUbLiCkEyPuBlIcKeYpUbLiA0=', preshared_key: 'pSkPrObEpSkPrObEpSkPrObEpSkPrObEpSkPrObEpw0=',
        endpoint: '10.0.0.2:51820', allowed_ips: ['10.77.0.2/32', '192.168.20.0/24'], persistent_keepalive: '25', route_allowed_ips: '1',
      },
    ],
  },
  '/sdewan/ipsec/v1/remotes': {
    name: 'probe', type: 'VTI-based', gateway: '10.0.0.2', authentication_method: 'psk', pre_shared_key: 'probe-key-Zq81xTb',
    local_identifier: 'local', remote_identifier: 'remote', crypto_proposal: ['base-prop'], force_crypto_proposal: '0',
    connections: [
      {
        name: 'probe-conn', conn_type: 'tunnel', mode: 'start', local_subnet: '192.168.1.0/24', remote_subnet: '10.10.0.0/24',
        local_sourceip: '%config', remote_sourceip: '10.10.0.5', local_updown: '/etc/updown', remote_updown: '/etc/updown',
        local_firewall: 'yes', remote_firewall: 'yes', crypto_proposal: ['base-prop'], mark: '42', if_id: '7',
      },
    ],
  },
};

/**
 * An object as the API answers it: without the fields its schema marks `writeOnly` (a
 * WireGuard tunnel's private key, its peers' pre-shared keys), at any depth.
 */
export function readBack(schema: z.ZodType, obj: unknown): unknown {
  const walk = (js: Record<string, any> | undefined, v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((item) => walk(js?.items, item));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      const prop = js?.properties?.[k];
      if (prop?.writeOnly === true) continue;
      out[k] = walk(prop, item);
    }
    return out;
  };
  return walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, any>, obj);
}

// --- the config directory -----------------------------------------------------------------

/** Every regular file of the directory (not recursive), by name, as bytes. */
export function snapshotDir(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) out.set(entry.name, readFileSync(path.join(dir, entry.name)));
  }
  return out;
}

/** Every regular file under the directory, by relative path, as bytes. */
export function snapshotTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), readFileSync(full));
  }
  return out;
}

/** Names of files that differ between two snapshots (added, removed or changed). */
export function changedFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => !(a.get(n)?.equals(b.get(n) ?? Buffer.alloc(0)) && b.has(n) && a.has(n))).sort();
}

/**
 * Parses every config file of the directory with the project's UCI parser (throws, naming the
 * file, on the first that does not parse). Files the atomic writer leaves while it works
 * (dot files) are not configs and are skipped.
 */
export function parseConfigDir(dir: string): Map<string, UciPackage> {
  const out = new Map<string, UciPackage>();
  for (const [name, bytes] of snapshotDir(dir)) {
    if (name.startsWith('.')) continue;
    try {
      out.set(name, parseUci(bytes, { name, file: path.join(dir, name) }));
    } catch (err) {
      throw new Error(`${name} does not parse: ${(err as Error).message}\n${bytes.toString('utf8')}`);
    }
  }
  return out;
}

// --- init scripts ---------------------------------------------------------------------------

/**
 * Writes the three init scripts. Each appends "<script> <args>" to <dir>/calls.log, then:
 * with <dir>/fail present, prints the file's content on stderr and exits 1; with <dir>/hang
 * present, sleeps for a minute (until the agent's timeout kills it).
 */
export function makeScriptedInitd(dir: string): { calls: () => string[]; fail: (message: string | undefined) => void; hang: (on: boolean) => void } {
  mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'calls.log');
  for (const name of ['mwan3', 'firewall', 'swanctl']) {
    const file = path.join(dir, name);
    writeFileSync(
      file,
      [
        '#!/bin/sh',
        `dir='${dir}'`,
        `echo "${name} $*" >> "$dir/calls.log"`,
        'if [ -e "$dir/fail" ]; then cat "$dir/fail" >&2; exit 1; fi',
        'if [ -e "$dir/hang" ]; then sleep 60; fi',
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(file, 0o755);
  }
  return {
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : []),
    fail: (message) => {
      const f = path.join(dir, 'fail');
      if (message === undefined) rmIfExists(f);
      else writeFileSync(f, `${message}\n`);
    },
    hang: (on) => {
      const f = path.join(dir, 'hang');
      if (on) writeFileSync(f, '');
      else rmIfExists(f);
    },
  };
}

function rmIfExists(file: string): void {
  rmSync(file, { force: true });
}

// --- an agent process on a fixed config directory ----------------------------------------------

export interface AgentProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
  /** Milliseconds from spawn to the first 200 of /readyz (polled every 2 ms). */
  readyMs: number;
}

/**
 * Starts `node dist/src/main.js` with exactly `env` (plus HOST/PORT for 127.0.0.1 and an
 * ephemeral port) and waits for /readyz. Unlike startAgent, the directories are the caller's:
 * the same confdir can be used by one process after another.
 */
export async function spawnAgent(
  env: Record<string, string>,
  opts: {
    timeoutMs?: number;
    quiet?: boolean;
    /** node arguments (default: dist/src/main.js) */
    args?: string[];
    /** The node binary (default: the one running this process). */
    node?: string;
    /** A command node runs under, e.g. setpriv's to drop root (it must exec node in place). */
    prefix?: string[];
    /** The /readyz status that means started (default 200; 503 for an agent meant to be unready). */
    readyStatus?: number;
  } = {},
): Promise<AgentProcess> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const started = process.hrtime.bigint();
  const command = [...(opts.prefix ?? []), opts.node ?? process.execPath, ...(opts.args ?? [mainScript()])];
  const child = spawn(command[0]!, command.slice(1), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  let done = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((done = true), resolve())));
  try {
    const url = await waitFor(
      () => {
        if (done) throw new WaitAbort('agent exited before listening');
        return listeningUrl(out);
      },
      { timeoutMs, intervalMs: 2, what: 'the agent to listen' },
    );
    const client = httpClient();
    await waitFor(async () => (await client(`${url}/readyz`, { method: 'GET' })).status === (opts.readyStatus ?? 200), { timeoutMs, intervalMs: 2, what: '/readyz' });
    const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (opts.quiet) {
      // keep the pipes flowing, but stop collecting (a load run writes a line per request)
      for (const stream of [child.stdout!, child.stderr!]) {
        stream.removeAllListeners('data');
        stream.resume();
      }
      out += '[output after ready not kept]\n';
    }
    return { url, pid: child.pid!, child, exited, output: () => out, readyMs };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${(err as Error).message}\n--- agent output ---\n${out}`);
  }
}

/** The URL of the agent's "listening" log line, once it is there. */
function listeningUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const rec = JSON.parse(line) as { msg?: unknown; url?: unknown };
      if (rec.msg === 'listening' && typeof rec.url === 'string') return rec.url;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

/** Logs in and answers the `sysauth=...` cookie. */
export async function login(url: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${url}${LUCI}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ luci_username: user, luci_password: password }).toString(),
  });
  await res.arrayBuffer();
  const m = /^sysauth=([^;]*)/.exec(res.headers.getSetCookie()[0] ?? '');
  if (res.status !== 302 || !m) throw new Error(`login answered ${res.status}`);
  return `sysauth=${m[1]}`;
}

/** A JSON request with a cookie; the status and the parsed body (undefined when not JSON). */
export async function call(url: string, cookie: string, method: string, reqPath: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${url}${reqPath}`, {
    method,
    redirect: 'manual',
    headers: body === undefined ? { cookie } : { cookie, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** A small seeded PRNG (mulberry32), so that a failing random run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
