import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WireguardImplementation } from '../config.js';
import type { RunResult } from '../services/run.js';
import type { ServiceAction } from '../services/table.js';
import { parseWgDump } from '../status/wireguard.js';
import type { UciPackage } from '../uci/types.js';
import { canonicalPrefix, desiredTunnels, wgConfig, type DesiredTunnel } from './desired.js';

/**
 * The WireGuard tunnels of the network config on plain Linux, where no netifd runs the
 * wireguard protocol handler: the agent applies them itself at each reload of `network`, as
 * the handler would, with `ip` and `wg` (argument arrays, no shell):
 *
 * - an interface the agent makes is marked with the link alias MARK; a marked link whose
 *   tunnel is gone is deleted (links the agent did not make are never touched: a tunnel whose
 *   name is taken by one fails, with a message);
 * - a missing interface is made with the kernel module (`ip link add <if> type wireguard`) or
 *   with wireguard-go (`wireguard-go <if>`), as SDEWAN_WIREGUARD says (auto: the module when
 *   the kernel has it);
 * - `wg syncconf <if> <file>` sets the keys, port and peers without ending the sessions of
 *   peers that stay; the file (it holds the keys) is written 0600 into a private temporary
 *   directory and removed right after. A pre-shared key or keepalive that went is cleared
 *   with `wg set` (syncconf leaves them);
 * - the MTU, the link up, the addresses (exactly those of the config), and a route per
 *   allowed IP of the peers with route_allowed_ips (routes of proto static on the interface:
 *   exactly those).
 *
 * stop deletes every marked interface. Each command shares the action's time budget.
 */
export const MARK = 'sdewan-agent wireguard';

export interface LinuxWireguardOptions {
  readNetwork(): Promise<UciPackage>;
  implementation: Exclude<WireguardImplementation, 'off'>;
  ipBin?: string;
  wgBin?: string;
  wireguardGoBin?: string;
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export type WireguardRunner = (action: ServiceAction, opts: { timeoutMs: number }) => Promise<RunResult>;

class StepFailed extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

interface Link {
  ifname: string;
  ifalias?: string;
}

interface Budget {
  deadline: number;
}

const MESSAGE_CHARS = 500;

export function createLinuxWireguard(opts: LinuxWireguardOptions): WireguardRunner {
  const ipBin = opts.ipBin ?? 'ip';
  const wgBin = opts.wgBin ?? 'wg';
  const goBin = opts.wireguardGoBin ?? 'wireguard-go';
  /** Whether `ip link add type wireguard` works here (asked once, in auto mode). */
  let kernelModule: boolean | undefined;

  /** Runs one command; `quiet`: its output is not quoted (wg quotes a config line it refuses, and it may hold a key). */
  async function run(budget: Budget, file: string, args: string[], what: string, env?: NodeJS.ProcessEnv, quiet = false): Promise<string> {
    const { execa } = await import('execa');
    const timeout = Math.max(1, budget.deadline - Date.now());
    const r = await execa(file, args, {
      reject: false,
      stdin: 'ignore',
      timeout,
      forceKillAfterDelay: 1000,
      ...(env ? { env, extendEnv: false } : {}),
    });
    if (r.exitCode === 0 && !r.failed) return r.stdout;
    if (r.timedOut) throw new StepFailed(`${what}: ${file} timed out`, true);
    if ((r as { code?: string }).code === 'ENOENT') throw new StepFailed(`${what}: ${file} not found`);
    const output = quiet ? '' : (r.stderr || r.stdout).trim().slice(-MESSAGE_CHARS);
    throw new StepFailed(`${what}: ${file} exit status ${r.exitCode ?? '?'}${output ? `: ${output}` : ''}`);
  }

  const ip = (b: Budget, what: string, ...args: string[]) => run(b, ipBin, args, what);
  const wg = (b: Budget, what: string, ...args: string[]) => run(b, wgBin, args, what);

  async function links(b: Budget): Promise<Link[]> {
    return JSON.parse((await ip(b, 'listing links', '-j', 'link', 'show')) || '[]') as Link[];
  }

  /** wireguard-go daemonizes; without LOG_LEVEL its daemon keeps none of our pipes open. */
  function goEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (k !== 'LOG_LEVEL' && !k.startsWith('WG_')) env[k] = v;
    return env;
  }

  async function createLink(b: Budget, name: string): Promise<void> {
    const kernel = async () => ip(b, `creating ${name}`, 'link', 'add', 'dev', name, 'type', 'wireguard');
    const userspace = async () => run(b, goBin, [name], `creating ${name} with wireguard-go`, goEnv());
    if (opts.implementation === 'kernel') await kernel();
    else if (opts.implementation === 'userspace') await userspace();
    else if (kernelModule === false) await userspace();
    else {
      try {
        await kernel();
        kernelModule = true;
      } catch (err) {
        if (err instanceof StepFailed && err.timedOut) throw err;
        kernelModule = false;
        opts.log?.info({ interface: name }, 'no WireGuard kernel module: using wireguard-go');
        await userspace();
      }
    }
    await ip(b, `marking ${name}`, 'link', 'set', 'dev', name, 'alias', MARK);
  }

  /** Makes the link hold exactly `want` of one kind (addresses, routes) through `add` and `del`. */
  async function sync(current: string[], want: string[], add: (v: string) => Promise<unknown>, del: (v: string) => Promise<unknown>): Promise<void> {
    for (const v of current) if (!want.includes(v)) await del(v);
    for (const v of want) if (!current.includes(v)) await add(v);
  }

  async function addresses(b: Budget, name: string): Promise<string[]> {
    const out = JSON.parse((await ip(b, `reading the addresses of ${name}`, '-j', 'addr', 'show', 'dev', name)) || '[]') as Array<{
      addr_info?: Array<{ local?: string; prefixlen?: number; scope?: string }>;
    }>;
    return out
      .flatMap((l) => l.addr_info ?? [])
      .filter((a) => a.scope !== 'link' && a.local !== undefined)
      .map((a) => canonicalPrefix(`${a.local}/${a.prefixlen}`) ?? '')
      .filter((a) => a !== '');
  }

  async function routes(b: Budget, name: string, family: '-4' | '-6'): Promise<string[]> {
    const out = JSON.parse((await ip(b, `reading the routes of ${name}`, '-j', family, 'route', 'show', 'dev', name, 'proto', 'static')) || '[]') as Array<{ dst?: string }>;
    return out
      .map((r) => (r.dst === 'default' ? (family === '-4' ? '0.0.0.0/0' : '::/0') : canonicalPrefix(r.dst ?? '')))
      .filter((r): r is string => r !== undefined);
  }

  async function syncconf(b: Budget, t: DesiredTunnel): Promise<void> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-wg-'));
    try {
      const file = path.join(dir, `${t.name}.conf`);
      writeFileSync(file, wgConfig(t), { mode: 0o600 });
      await run(b, wgBin, ['syncconf', t.name, file], `configuring ${t.name} (wg syncconf refused the keys, port or peers of the network config)`, undefined, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // syncconf keeps a pre-shared key or keepalive the config no longer has
    const dump = parseWgDump(await wg(b, `reading ${t.name}`, 'show', t.name, 'dump'));
    for (const running of dump.peers) {
      const want = t.peers.find((p) => p.publicKey === running.publicKey);
      if (!want) continue;
      const args: string[] = [];
      if (running.hasPresharedKey && want.presharedKey === undefined) args.push('preshared-key', '/dev/null');
      if (running.persistentKeepalive !== undefined && want.persistentKeepalive === undefined) args.push('persistent-keepalive', '0');
      if (args.length > 0) await wg(b, `configuring ${t.name}`, 'set', t.name, 'peer', running.publicKey, ...args);
    }
  }

  async function applyTunnel(b: Budget, t: DesiredTunnel, existing: Link | undefined): Promise<void> {
    if (existing && existing.ifalias !== MARK) throw new StepFailed(`${t.name}: a device of that name exists that the agent did not make`);
    if (!t.privateKey) throw new StepFailed(`${t.name}: no private key in the network config`);
    if (!existing) await createLink(b, t.name);
    if (t.mtu !== undefined) await ip(b, `setting the MTU of ${t.name}`, 'link', 'set', 'dev', t.name, 'mtu', t.mtu);
    await syncconf(b, t);
    await ip(b, `bringing ${t.name} up`, 'link', 'set', 'dev', t.name, 'up');
    await sync(
      await addresses(b, t.name),
      t.addresses,
      (a) => ip(b, `adding an address to ${t.name}`, 'addr', 'add', a, 'dev', t.name),
      (a) => ip(b, `removing an address of ${t.name}`, 'addr', 'del', a, 'dev', t.name),
    );
    const wanted = [...new Set(t.peers.flatMap((p) => p.routes))];
    const current = [...(await routes(b, t.name, '-4')), ...(await routes(b, t.name, '-6'))];
    await sync(
      current,
      wanted,
      (r) => ip(b, `adding a route through ${t.name}`, 'route', 'replace', r, 'dev', t.name, 'proto', 'static'),
      (r) => ip(b, `removing a route through ${t.name}`, 'route', 'del', r, 'dev', t.name, 'proto', 'static'),
    );
  }

  async function apply(b: Budget, stop: boolean): Promise<RunResult> {
    const tunnels = stop ? [] : desiredTunnels(await opts.readNetwork());
    let present: Link[];
    try {
      present = await links(b);
    } catch (err) {
      // without `ip` there is nothing the agent made to remove
      if (tunnels.length === 0 && err instanceof StepFailed && / not found$/.test(err.message)) return { ok: true, timedOut: false };
      throw err;
    }
    const problems: string[] = [];
    let timedOut = false;
    const attempt = async (step: () => Promise<void>) => {
      try {
        await step();
      } catch (err) {
        if (!(err instanceof StepFailed)) throw err;
        problems.push(err.message);
        timedOut ||= err.timedOut;
      }
    };
    const names = new Set(tunnels.map((t) => t.name));
    for (const link of present) {
      if (link.ifalias !== MARK || names.has(link.ifname)) continue;
      await attempt(async () => {
        await ip(b, `removing ${link.ifname}`, 'link', 'del', 'dev', link.ifname);
        opts.log?.info({ interface: link.ifname }, 'WireGuard interface removed');
      });
    }
    for (const t of tunnels) await attempt(() => applyTunnel(b, t, present.find((l) => l.ifname === t.name)));
    if (problems.length > 0) return { ok: false, timedOut, message: `wireguard: ${problems.join('; ')}` };
    return { ok: true, timedOut: false, ...(tunnels.length > 0 ? { message: `wireguard: ${tunnels.length} tunnel(s) applied` } : {}) };
  }

  return async (action, { timeoutMs }) => {
    const budget = { deadline: Date.now() + timeoutMs };
    try {
      return await apply(budget, action === 'stop');
    } catch (err) {
      if (err instanceof StepFailed) return { ok: false, timedOut: err.timedOut, message: `wireguard: ${err.message}` };
      throw err;
    }
  };
}
