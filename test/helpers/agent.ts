// Starts the real agent (node dist/src/main.js) in a temporary directory and talks to it
// over real HTTP. Run `npx tsc -p .` first: the process runs the compiled JavaScript.
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StartOptions {
  /** Extra or overriding environment of the agent; '' unsets a default. */
  env?: Record<string, string>;
  /** Extra/override files put into the temp confdir, by package name. */
  config?: Record<string, string>;
  /** Directory copied to the confdir (default: uci-fixtures). */
  fixtures?: string;
  /**
   * 'record' (default): a temp dir with fake init scripts mwan3, firewall, swanctl, network that
   * append "<script> <args>" lines to <initd>/calls.log and exit 0. Otherwise a directory.
   */
  initd?: 'record' | string;
  /** How long to wait for the agent to be ready (default 20 s). */
  timeoutMs?: number;
  /** PEM of the CA that signed the agent's TLS certificate (HTTPS agents only). */
  ca?: string;
  /**
   * A command the node process is run under, e.g. ['ip', 'netns', 'exec', 'ns1'] to start
   * the agent inside a network namespace (the prefix must exec node in place, so that
   * signals reach the agent).
   */
  commandPrefix?: string[];
  /** The script node runs and its arguments (default: dist/src/main.js, no arguments). */
  script?: { path: string; args?: string[] };
}

export interface AgentResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when the body is not JSON. */
  json: any;
}

export interface RequestOptions {
  /** Cookie header to send instead of the helper's own session; '' sends no cookie. */
  cookie?: string;
  headers?: Record<string, string>;
  /** Raw body sent as is (no content type added unless given in headers). */
  raw?: string;
}

export interface Agent {
  url: string;
  dir: string;
  confdir: string;
  initd: string;
  password: string;
  /** The child process and its end. */
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  callsLog(): string[];
  logs(): string;
  /** Log lines that are JSON objects. */
  logRecords(): Record<string, unknown>[];
  login(user?: string, password?: string): Promise<string>;
  request(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<AgentResponse>;
  readFile(pkg: string): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The repository root (the directory of sdewan-agent's package.json). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'sdewan-agent') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('sdewan-agent package.json not found');
    dir = up;
  }
}

export function mainScript(): string {
  const main = path.join(repoRoot(), 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run \`npx tsc -p .\` first`);
  return main;
}

/** Thrown from a waitFor condition to stop waiting at once. */
export class WaitAbort extends Error {}

/** Polls `cond` until it returns a truthy value (returned) or the time is up (throws). */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      if (err instanceof WaitAbort) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError ? `: ${(lastError as Error).message}` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

export function makeTempDir(prefix = 'sdewan-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes fake init scripts that record their calls in <dir>/calls.log. */
export function makeRecordingInitd(dir: string, scripts = ['mwan3', 'firewall', 'swanctl', 'network']): void {
  mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'calls.log');
  for (const name of scripts) {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 0\n`);
    chmodSync(file, 0o755);
  }
}

export interface FetchLike {
  (url: string, init: { method: string; headers?: Record<string, string>; body?: string | undefined }): Promise<{
    status: number;
    headers: Headers;
    text: string;
  }>;
}

/** Global fetch (redirects not followed) for http; node:https with the given CA for https. */
export function httpClient(ca?: string): FetchLike {
  return async (url, init) => {
    if (url.startsWith('https:')) {
      return new Promise((resolve, reject) => {
        const req = https.request(url, { method: init.method, headers: init.headers, ca }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v === undefined) continue;
              for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
            }
            resolve({ status: res.statusCode ?? 0, headers, text });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(init.body);
      });
    }
    const res = await fetch(url, { ...init, redirect: 'manual' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
}

const INHERITED_DROP = /^(HOST|PORT|LOG_LEVEL|SDEWAN_.*|NODE_OPTIONS|VITEST.*)$/;

interface Prepared {
  opts: StartOptions;
  dir: string;
  confdir: string;
  initd: string;
  env: Record<string, string>;
}

function prepare(opts: StartOptions): Prepared {
  const dir = makeTempDir('sdewan-agent-');
  const confdir = path.join(dir, 'config');
  cpSync(opts.fixtures ?? path.join(repoRoot(), 'uci-fixtures'), confdir, { recursive: true });
  for (const [pkg, text] of Object.entries(opts.config ?? {})) writeFileSync(path.join(confdir, pkg), text);
  let initd: string;
  if (opts.initd === undefined || opts.initd === 'record') {
    initd = path.join(dir, 'init.d');
    makeRecordingInitd(initd);
  } else {
    initd = opts.initd;
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !INHERITED_DROP.test(k)) env[k] = v;
  Object.assign(env, {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    SDEWAN_CONFDIR: confdir,
    SDEWAN_SAVEDIR: path.join(dir, 'save'),
    SDEWAN_INITD: initd,
    SDEWAN_AUTH: 'static',
    SDEWAN_USER: 'root',
    SDEWAN_PASSWORD: randomBytes(12).toString('hex'),
    SDEWAN_RELOAD_DELAY_MS: '50',
    // reloads may follow each other at once: the tests of the interval set their own
    SDEWAN_RELOAD_INTERVAL_MS: '0',
    LOG_LEVEL: 'info',
    // the recording init.d stands for OpenWRT's scripts, swanctl included (linux: test/tunnel)
    SDEWAN_PLATFORM: 'openwrt',
    ...opts.env,
  });
  return { opts, dir, confdir, initd, env };
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function spawnAgent(p: Prepared): { child: ChildProcess; output: () => string; exited: Agent['exited'] } {
  const nodeArgs = p.opts.script ? [p.opts.script.path, ...(p.opts.script.args ?? [])] : [mainScript()];
  const [command, ...args] = [...(p.opts.commandPrefix ?? []), process.execPath, ...nodeArgs] as [string, ...string[]];
  const child = spawn(command, args, { cwd: p.dir, env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      // let the pipes drain before reporting
      setImmediate(() => resolve({ code, signal }));
    });
  });
  return { child, output: () => out, exited };
}

function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not JSON
    }
  }
  return out;
}

/** Runs the agent expecting it to stop by itself (e.g. a bad setting). */
export async function runAgentUntilExit(
  opts: StartOptions = {},
  timeoutMs = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; logs: string }> {
  const p = prepare(opts);
  const { child, output, exited } = spawnAgent(p);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const end = await exited;
    return { ...end, logs: output() };
  } finally {
    clearTimeout(timer);
    rmSync(p.dir, { recursive: true, force: true });
  }
}

export async function startAgent(opts: StartOptions = {}): Promise<Agent> {
  const p = prepare(opts);
  const { child, output, exited } = spawnAgent(p);
  let done = false;
  void exited.then(() => (done = true));

  const cleanup = async () => {
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(p.dir, { recursive: true, force: true });
  };

  let url: string;
  const client = httpClient(opts.ca);
  try {
    const listening = await waitFor(
      () => {
        if (done) throw new WaitAbort('agent exited before listening');
        const rec = jsonLines(output()).find((r) => r.msg === 'listening' && typeof r.url === 'string');
        return rec?.url as string | undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 20_000, what: 'the agent to listen', intervalMs: 10 },
    );
    const u = new URL(listening);
    if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
    url = u.origin;
    await waitFor(async () => (await client(`${url}/readyz`, { method: 'GET' })).status === 200, {
      timeoutMs: opts.timeoutMs ?? 20_000,
      what: '/readyz',
    });
  } catch (err) {
    await cleanup();
    throw new Error(`${(err as Error).message}\n--- agent output ---\n${output()}`);
  }

  let password = p.env.SDEWAN_PASSWORD ?? '';
  if (!password) {
    const m = /generated password for user \S+: ([A-Za-z0-9_-]+)/.exec(output());
    password = m?.[1] ?? '';
  }
  const user = p.env.SDEWAN_USER || 'root';
  let cookie: Promise<string> | undefined;

  const agent: Agent = {
    url,
    dir: p.dir,
    confdir: p.confdir,
    initd: p.initd,
    password,
    process: child,
    exited,
    callsLog() {
      const file = path.join(p.initd, 'calls.log');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    },
    logs: output,
    logRecords: () => jsonLines(output()),
    async login(u = user, pw = password) {
      const res = await client(`${url}/cgi-bin/luci`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ luci_username: u, luci_password: pw }).toString(),
      });
      if (res.status !== 302) throw new Error(`login failed with status ${res.status}`);
      const first = res.headers.getSetCookie()[0] ?? '';
      const m = /^sysauth=([^;]*)/.exec(first);
      if (!m) throw new Error(`login answered without a sysauth cookie: ${first}`);
      return `sysauth=${m[1]}`;
    },
    async request(method, reqPath, body, ropts = {}) {
      const headers: Record<string, string> = { ...ropts.headers };
      let sendCookie = ropts.cookie;
      if (sendCookie === undefined) {
        cookie ??= agent.login();
        sendCookie = await cookie;
      }
      if (sendCookie !== '') headers.cookie = sendCookie;
      let payload: string | undefined;
      if (ropts.raw !== undefined) payload = ropts.raw;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
      const res = await client(`${url}${reqPath}`, { method, headers, body: payload });
      const text = res.text;
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    readFile(pkg) {
      return readFileSync(path.join(p.confdir, pkg), 'utf8');
    },
    async stop(signal = 'SIGTERM') {
      if (!done) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(p.dir, { recursive: true, force: true });
    },
  };
  return agent;
}

/**
 * A temp directory for an agent that a test kills and starts again on the same files: a config
 * directory seeded from uci-fixtures, a save directory, recording init scripts, and the
 * environment of such an agent (static password, short reload delay).
 */
export function restartableAgentDir(prefix: string) {
  const dir = makeTempDir(prefix);
  const confdir = path.join(dir, 'config');
  const savedir = path.join(dir, 'save');
  const initd = path.join(dir, 'init.d');
  cpSync(path.join(repoRoot(), 'uci-fixtures'), confdir, { recursive: true });
  mkdirSync(savedir);
  makeRecordingInitd(initd);
  const password = `${prefix}password`;
  const env = {
    SDEWAN_CONFDIR: confdir,
    SDEWAN_SAVEDIR: savedir,
    SDEWAN_INITD: initd,
    SDEWAN_SWANCTL_DIR: path.join(dir, 'swanctl'),
    SDEWAN_AUTH: 'static',
    SDEWAN_USER: 'root',
    SDEWAN_PASSWORD: password,
    SDEWAN_RELOAD_DELAY_MS: '20',
  };
  return { dir, confdir, savedir, initd, password, env };
}
