import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServiceAction } from '../services/table.js';
import type { RunResult } from '../services/run.js';
import { ikeSasFromEvents, ikeSasFromListSas, type IkeSa } from '../status/ike-sas.js';
import { atomicWriteFileSync } from '../uci/atomic.js';
import type { UciPackage } from '../uci/types.js';
import { RenderError, renderSwanctl, type RenderedSwanctl } from './render.js';
import { DEFAULT_VICI_URI, ViciError, viciListSas } from './vici.js';

/**
 * The `ipsec` service on plain Linux, where no /etc/init.d/swanctl turns the ipsec config into
 * swanctl.conf: the agent renders it (src/ipsec/render.ts) and loads it into the system's
 * running charon through its vici socket. The daemon itself is not started or stopped here.
 *
 * - reload: render (an invalid configuration is refused before anything is written), write
 *   swanctl.conf atomically with mode 0600 (it holds the pre-shared keys), then
 *   `swanctl --load-all --clear --noprompt --file <it>`: connections, pools and authorities not
 *   in the file are unloaded, credentials replaced. Unloading a connection ends the SAs charon
 *   started for it, not those it answered, so every IKE SA whose connection is no longer
 *   loaded is terminated as well.
 * - start: reload, then initiate each child of mode start that is neither up nor being
 *   established (charon initiates a newly loaded connection itself, but loading an unchanged
 *   one again does not initiate it again); waits until each is up, within the time budget.
 * - stop: load an empty configuration (no connections, no credentials) and terminate the SAs.
 * - restart: stop, then start (an invalid configuration is refused before the stop).
 *
 * The SAs are listed over charon's vici socket (src/ipsec/vici.ts; swanctl when it cannot be
 * reached). Every swanctl call has an argument array and shares the action's time budget.
 */

export interface LinuxIpsecOptions {
  /** Reads the ipsec package (the agent's UCI store). */
  readIpsec(): Promise<UciPackage>;
  /** The swanctl.conf written and loaded. */
  swanctlConf: string;
  /** The swanctl tree of the certificates and keys (files are named by absolute path under it). */
  swanctlDir: string;
  /** charon's vici socket URI; swanctl's default when undefined. */
  viciUri: string | undefined;
  /** The swanctl program. */
  swanctlBin: string;
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export type IpsecRunner = (action: ServiceAction, opts: { timeoutMs: number }) => Promise<RunResult>;

const EMPTY_CONFIG = '# sdewan-agent: ipsec stopped\nconnections {\n}\n';
/** swanctl's complaints about its own environment, not about the request. */
const NOISE = /^(plugin '[^']*': failed to load|opening directory '[^']*' failed)/;
const MESSAGE_CHARS = 1000;

const PENDING_POLL_MS = 200;
const CHILD_UP = ['INSTALLED', 'UPDATING', 'REKEYING', 'REKEYED'];
const CHILD_PENDING = ['CREATED', 'INSTALLING', 'RETRYING'];
const IKE_PENDING = ['CREATED', 'CONNECTING'];

/** Whether a child of a connection is up, being established, or neither (to be initiated). */
export function childState(sas: readonly IkeSa[], ike: string, child: string): 'up' | 'pending' | 'absent' {
  const mine = sas.filter((sa) => sa.name === ike);
  const children = mine.flatMap((sa) => sa.childSas.filter((c) => c.name === child));
  if (children.some((c) => CHILD_UP.includes(c.state))) return 'up';
  if (children.some((c) => CHILD_PENDING.includes(c.state)) || mine.some((sa) => IKE_PENDING.includes(sa.state))) return 'pending';
  return 'absent';
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class ActionFailed extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** Where swanctl starts printing its usage after a failed command (`strongSwan 5.9.8 swanctl`, `usage:`). */
const USAGE_START = /^(strongSwan \S+ swanctl|usage:)$/;

/** The lines of one output stream, without the start-up noise and without the usage text. */
function causeLines(text: string): string[] {
  const lines = text.split('\n');
  const usage = lines.findIndex((l) => USAGE_START.test(l.trim()));
  return (usage === -1 ? lines : lines.slice(0, usage)).filter((l) => l.trim() !== '' && !NOISE.test(l));
}

/** The text a swanctl call printed: its cause, without start-up noise and usage text. */
export function swanctlMessage(stdout: string, stderr: string): string {
  return [...causeLines(stderr), ...causeLines(stdout)].join('\n').slice(-MESSAGE_CHARS);
}

export function createLinuxIpsec(opts: LinuxIpsecOptions): IpsecRunner {
  const uri = opts.viciUri ? ['--uri', opts.viciUri] : [];

  async function swanctl(args: string[], deadline: number): Promise<string> {
    const left = deadline - Date.now();
    if (left <= 0) throw new ActionFailed(`swanctl ${args[0]}: no time left`, true);
    const { execa } = await import('execa'); // loaded on first use: it weighs on the agent's start-up
    const r = await execa(opts.swanctlBin, [...args, ...uri], {
      reject: false,
      stdin: 'ignore',
      timeout: left,
      forceKillAfterDelay: 1000,
      maxBuffer: 8 * 1024 * 1024,
    });
    if (r.exitCode === 0 && !r.failed) return r.stdout;
    const what = `swanctl ${args[0]}`;
    if ((r as { code?: string }).code === 'ENOENT') throw new ActionFailed(`${opts.swanctlBin} not found`);
    if (r.timedOut) throw new ActionFailed(`${what} timed out`, true);
    const detail = swanctlMessage(r.stdout, r.stderr);
    const how = r.exitCode !== undefined ? `exit status ${r.exitCode}` : (r.shortMessage ?? 'failed');
    throw new ActionFailed(detail ? `${what}: ${how}: ${detail}` : `${what}: ${how}`);
  }

  /** The IKE SAs, over the vici socket; with swanctl when the socket cannot be reached. */
  async function listSas(deadline: number): Promise<IkeSa[]> {
    const left = deadline - Date.now();
    if (left <= 0) throw new ActionFailed('list-sas: no time left', true);
    try {
      return ikeSasFromEvents(await viciListSas(opts.viciUri ?? DEFAULT_VICI_URI, left));
    } catch (err) {
      if (!(err instanceof ViciError && err.unreachable)) throw new ActionFailed((err as Error).message);
    }
    return ikeSasFromListSas(await swanctl(['--list-sas', '--raw'], deadline));
  }

  /** Terminates the IKE SAs whose connection is not in `keep`; returns their names. */
  async function terminateStale(keep: readonly string[], deadline: number): Promise<string[]> {
    const stale = (await listSas(deadline)).filter((sa) => !keep.includes(sa.name));
    for (const sa of stale) {
      const which = sa.uniqueid !== undefined ? ['--ike-id', sa.uniqueid] : ['--ike', sa.name];
      // --force: send the DELETE and remove the SA without waiting for the peer's answer
      await swanctl(['--terminate', ...which, '--force'], deadline);
    }
    return stale.map((sa) => sa.name);
  }

  function render(pkg: UciPackage): RenderedSwanctl {
    try {
      return renderSwanctl(pkg, { swanctlDir: opts.swanctlDir });
    } catch (err) {
      if (err instanceof RenderError) throw new ActionFailed(err.message);
      throw err;
    }
  }

  async function loadFile(file: string, deadline: number): Promise<void> {
    await swanctl(['--load-all', '--clear', '--noprompt', '--file', file], deadline);
  }

  async function reload(deadline: number, pkg?: UciPackage): Promise<RenderedSwanctl> {
    const rendered = render(pkg ?? (await opts.readIpsec()));
    mkdirSync(path.dirname(opts.swanctlConf), { recursive: true, mode: 0o700 });
    atomicWriteFileSync(opts.swanctlConf, rendered.text, { mode: 0o600 });
    await loadFile(opts.swanctlConf, deadline);
    const terminated = await terminateStale(rendered.connections, deadline);
    opts.log?.info({ connections: rendered.connections, terminated }, 'ipsec: swanctl.conf loaded');
    return rendered;
  }

  async function start(deadline: number, pkg?: UciPackage): Promise<void> {
    const rendered = await reload(deadline, pkg);
    for (const { ike, child } of rendered.started) {
      for (;;) {
        const state = childState(await listSas(deadline), ike, child);
        if (state === 'up') break;
        if (state === 'pending') {
          // charon is establishing it already (it initiates a newly loaded connection itself):
          // a second initiation would be refused as a duplicate
          await delay(Math.min(PENDING_POLL_MS, Math.max(0, deadline - Date.now())));
          continue;
        }
        // swanctl detaches after --timeout (charon keeps trying); seconds, at least 1
        const seconds = Math.max(1, Math.floor((deadline - Date.now()) / 1000) - 1);
        await swanctl(['--initiate', '--child', child, '--ike', ike, '--timeout', String(seconds)], deadline);
        break;
      }
    }
  }

  async function stop(deadline: number): Promise<void> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-swanctl-'));
    try {
      const empty = path.join(dir, 'swanctl.conf');
      writeFileSync(empty, EMPTY_CONFIG, { mode: 0o600 });
      await loadFile(empty, deadline);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const terminated = await terminateStale([], deadline);
    opts.log?.info({ terminated }, 'ipsec: connections unloaded');
  }

  return async (action, { timeoutMs }) => {
    const deadline = Date.now() + timeoutMs;
    try {
      switch (action) {
        case 'reload':
          await reload(deadline);
          break;
        case 'start':
          await start(deadline);
          break;
        case 'stop':
          await stop(deadline);
          break;
        case 'restart': {
          const pkg = await opts.readIpsec();
          render(pkg); // an invalid configuration is refused before anything is stopped
          await stop(deadline);
          await start(deadline, pkg);
          break;
        }
      }
      return { ok: true, exitCode: 0, timedOut: false };
    } catch (err) {
      if (err instanceof ActionFailed) {
        const message = err.timedOut ? `timed out after ${timeoutMs} ms: ${err.message}` : err.message;
        return { ok: false, timedOut: err.timedOut, message };
      }
      return { ok: false, timedOut: false, message: err instanceof Error ? err.message : String(err) };
    }
  };
}
