/**
 * The write side of `npm run bench`: POST latency against an atomic rewrite of the same file
 * (sampled in turns, so that a busier stretch of a shared machine reaches both), its growth
 * with the size of the config, the agent on a real uci against that uci's own batch+commit,
 * and the reloads a stream of writes causes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { atomicWriteFileSync } from '../src/uci/atomic.js';
import { makeRecordingInitd, repoRoot } from '../test/helpers/agent.js';
import { type AgentProcess, MWAN3, call, login, mwan3Rule, spawnAgent } from '../test/hardening/lib.js';
import { type Row, fmtMs, percentiles } from './table.js';

export const PASSWORD = 'bench-password';

export const fmtRatio = (r: number) => `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`;

/** `n` rules as the workspace adds them. */
function rulesText(n: number, prefix = 'list'): string {
  let rules = '';
  for (let i = 0; i < n; i++) {
    rules += `\nconfig rule '${prefix}${i}'\n\toption use_policy 'balanced'\n\toption proto 'tcp'\n\toption dest_port '${1 + i}'\n\toption family 'ipv4'\n`;
  }
  return rules;
}

/** A config dir from uci-fixtures with `extraRules` more mwan3 rules, and its own init.d. */
export function workspace(root: string, label: string, extraRules = 0): Record<string, string> {
  const dir = path.join(root, label);
  const confdir = path.join(dir, 'config');
  cpSync(path.join(repoRoot(), 'uci-fixtures'), confdir, { recursive: true });
  if (extraRules > 0) writeFileSync(path.join(confdir, 'mwan3'), readFileSync(path.join(confdir, 'mwan3'), 'utf8') + rulesText(extraRules));
  mkdirSync(path.join(dir, 'save'));
  makeRecordingInitd(path.join(dir, 'init.d'));
  return {
    SDEWAN_CONFDIR: confdir,
    SDEWAN_SAVEDIR: path.join(dir, 'save'),
    SDEWAN_INITD: path.join(dir, 'init.d'),
    SDEWAN_SWANCTL_DIR: path.join(dir, 'swanctl'),
    SDEWAN_AUTH: 'static',
    SDEWAN_USER: 'root',
    SDEWAN_PASSWORD: PASSWORD,
    SDEWAN_UCI_BIN: 'embedded',
    NODE_ENV: 'production',
  };
}

export async function stop(agent: AgentProcess): Promise<void> {
  agent.child.kill('SIGTERM');
  await agent.exited;
}

const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

/**
 * A plain keep-alive HTTP/1.1 client on one connection, for the timed requests: what a
 * controller's client costs, not more (global fetch adds some 0.2–0.4 ms per request of its
 * own here, measured against a bare node:http server, which the write rows would charge to
 * the agent).
 */
export function keepAliveClient(url: string, cookie: string): { request(method: string, reqPath: string, body?: unknown): Promise<{ status: number; text: string }>; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    request: (method, reqPath, body) =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const headers: Record<string, string | number> = { cookie, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) };
        const req = http.request(`${url}${reqPath}`, { method, agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(data);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * `n` sequential POSTs of new rules, each followed by an atomic rewrite (temp + fsync + rename)
 * of a copy of the config file as the POST left it: the two samples, in milliseconds.
 */
export async function postsAndRewrites(agent: AgentProcess, env: Record<string, string>, n: number, prefix: string, scratch: string): Promise<{ post: number[]; atomic: number[] }> {
  const client = keepAliveClient(agent.url, await login(agent.url, 'root', PASSWORD));
  const file = path.join(env.SDEWAN_CONFDIR!, 'mwan3');
  const copy = path.join(scratch, `rewrite-${prefix}`);
  const post: number[] = [];
  const atomic: number[] = [];
  for (let i = -10; i < n; i++) {
    const body = mwan3Rule(`${prefix}${i + 10}`, i + 10);
    const t = process.hrtime.bigint();
    const res = await client.request('POST', `${MWAN3}/rules`, body);
    const postMs = since(t);
    if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${res.text}`);
    const bytes = readFileSync(file);
    const t2 = process.hrtime.bigint();
    // the syncs of the agent's commit and of libuci's: the temporary file fsynced and renamed,
    // the directory not synced
    atomicWriteFileSync(copy, bytes, { syncDir: false });
    const atomicMs = since(t2);
    if (i >= 0) {
      post.push(postMs);
      atomic.push(atomicMs);
    }
  }
  client.close();
  return { post, atomic };
}

export function latencyRows(label: string, s: { post: number[]; atomic: number[] }, targets?: { median: number; p99: number }): Row[] {
  const a = percentiles(s.post);
  const b = percentiles(s.atomic);
  const row = (what: 'median' | 'p99'): Row => {
    const ratio = a[what] / b[what];
    return {
      name: `POST rule, ${label}: ${what}`,
      value: fmtMs(a[what]),
      baseline: `atomic rewrite ${fmtMs(b[what])}`,
      ratio: fmtRatio(ratio),
      ...(targets ? { target: `<= ${targets[what]}x`, ok: ratio <= targets[what] } : {}),
    };
  };
  return [row('median'), row('p99')];
}

/** Median of `n` sequential GETs of the rule list. */
async function getMedian(agent: AgentProcess, n: number): Promise<{ ms: number; bytes: number }> {
  const client = keepAliveClient(agent.url, await login(agent.url, 'root', PASSWORD));
  const ms: number[] = [];
  let bytes = 0;
  for (let i = -5; i < n; i++) {
    const t = process.hrtime.bigint();
    const res = await client.request('GET', `${MWAN3}/rules`);
    if (i >= 0) ms.push(since(t));
    if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
    bytes = res.text.length;
  }
  client.close();
  return { ms: percentiles(ms).median, bytes };
}

/** The write and the GET of the list at 50, 500 and 5,000 rules, side by side. */
export async function growthRows(root: string, log: (m: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const seen: { rules: number; file: number; post: number; get: number }[] = [];
  for (const [rules, posts] of [[50, 100], [500, 100], [5000, 40]] as const) {
    log(`growth: ${rules} rules`);
    const env = workspace(root, `growth-${rules}`, rules - 2);
    const agent = await spawnAgent(env, { quiet: true });
    const get = await getMedian(agent, 30);
    const s = await postsAndRewrites(agent, env, posts, 'g', root);
    await stop(agent);
    const file = readFileSync(path.join(env.SDEWAN_CONFDIR!, 'mwan3')).length;
    const post = percentiles(s.post).median;
    const atomic = percentiles(s.atomic).median;
    seen.push({ rules, file, post, get: get.ms });
    rows.push({
      name: `growth, ${rules.toLocaleString('en')} rules (file ${(file / 1024).toFixed(0)} KiB): POST median / GET list median`,
      value: `${fmtMs(post)} / ${fmtMs(get.ms)}`,
      baseline: `atomic rewrite ${fmtMs(atomic)}`,
      ratio: fmtRatio(post / atomic),
    });
  }
  const first = seen[0]!;
  const last = seen[seen.length - 1]!;
  const fileGrowth = last.file / first.file;
  const postGrowth = last.post / first.post;
  const getGrowth = last.get / first.get;
  rows.push({
    name: `growth, 50 -> 5,000 rules: POST x${postGrowth.toFixed(1)}, GET x${getGrowth.toFixed(1)}`,
    value: `x${Math.max(postGrowth, getGrowth).toFixed(1)}`,
    baseline: `file x${fileGrowth.toFixed(1)}`,
    ratio: fmtRatio(Math.max(postGrowth, getGrowth) / fileGrowth),
    target: '<= 1x (no faster than the file)',
    ok: postGrowth <= fileGrowth && getGrowth <= fileGrowth,
  });
  return rows;
}

/**
 * With SDEWAN_BENCH_UCI naming a real uci program (OpenWRT's, built for this machine): the
 * agent's POST on it against that uci alone running the same kind of batch and its commit,
 * on a 300-rule config, the two sampled in turns.
 */
export async function realUciRows(root: string, log: (m: string) => void): Promise<Row[]> {
  const bin = process.env.SDEWAN_BENCH_UCI;
  const name = 'POST rule, 300 rules, real uci (SDEWAN_BENCH_UCI): median';
  if (!bin) return [{ name, value: 'skipped', baseline: 'SDEWAN_BENCH_UCI unset' }];
  log(`the agent on ${bin}, 300 rules`);
  const ld = process.env.LD_LIBRARY_PATH;
  const env = { ...workspace(root, 'real-uci', 298), SDEWAN_UCI_BIN: bin, ...(ld ? { LD_LIBRARY_PATH: ld } : {}) };
  const agent = await spawnAgent(env, { quiet: true });
  const client = keepAliveClient(agent.url, await login(agent.url, 'root', PASSWORD));
  // uci alone: one process, a rule's batch and its commit, on a copy of the same config;
  // sampled in turns with the agent's POSTs, so that a busier stretch reaches both
  const own = workspace(root, 'real-uci-alone', 298);
  const post: number[] = [];
  const alone: number[] = [];
  for (let i = -5; i < 60; i++) {
    const body = mwan3Rule(`r${i + 5}`, i + 5);
    const t = process.hrtime.bigint();
    const res = await client.request('POST', `${MWAN3}/rules`, body);
    const postMs = since(t);
    if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${res.text}`);
    const batch = `set mwan3.u${i + 5}=rule\nset mwan3.u${i + 5}.use_policy='balanced'\nset mwan3.u${i + 5}.proto='tcp'\nset mwan3.u${i + 5}.dest_port='${i + 6}'\nset mwan3.u${i + 5}.family='ipv4'\ncommit mwan3\n`;
    const t2 = process.hrtime.bigint();
    execFileSync(bin, ['-c', own.SDEWAN_CONFDIR!, '-t', own.SDEWAN_SAVEDIR!, 'batch'], { input: batch, stdio: ['pipe', 'ignore', 'inherit'] });
    const aloneMs = since(t2);
    if (i >= 0) {
      post.push(postMs);
      alone.push(aloneMs);
    }
  }
  // The same POSTs back to back: the process of the next write starts while the agent would
  // otherwise be idle (src/uci/runner-binary.ts); here it is never idle, for comparison.
  const burst: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = process.hrtime.bigint();
    const res = await client.request('POST', `${MWAN3}/rules`, mwan3Rule(`b${i}`, i));
    if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${res.text}`);
    burst.push(since(t));
  }
  client.close();
  await stop(agent);
  const a = percentiles(post).median;
  const b = percentiles(alone).median;
  const c = percentiles(burst.slice(5)).median;
  return [
    { name, value: fmtMs(a), baseline: `uci batch+commit alone ${fmtMs(b)}`, ratio: fmtRatio(a / b), target: '<= 1.3x', ok: a / b <= 1.3 },
    { name: 'POST rule, real uci, back to back (no pause between writes): median', value: fmtMs(c), baseline: `uci batch+commit alone ${fmtMs(b)}`, ratio: fmtRatio(c / b), target: '(comparison)' },
  ];
}

/** Reloads caused by `writes` sequential PUTs with the given reload delay. */
export async function reloadRow(root: string, writes: number, delayMs: number): Promise<Row> {
  const env: Record<string, string> = { ...workspace(root, `reloads-${delayMs}`), SDEWAN_RELOAD_DELAY_MS: String(delayMs) };
  const agent = await spawnAgent(env, { quiet: true });
  const cookie = await login(agent.url, 'root', PASSWORD);
  const t0 = Date.now();
  for (let i = 0; i < writes; i++) {
    const res = await call(agent.url, cookie, 'PUT', `${MWAN3}/rules/seq${i}`, mwan3Rule(`seq${i}`, i));
    if (res.status !== 200) throw new Error(`PUT answered ${res.status}: ${res.text}`);
  }
  const writesMs = Date.now() - t0;
  // the last window closes at most 5 s after the reload before it: wait past that
  await new Promise((r) => setTimeout(r, 6000));
  await stop(agent);
  const calls = readFileSync(path.join(env.SDEWAN_INITD!, 'calls.log'), 'utf8').split('\n').filter((l) => l !== '');
  return {
    name: `reloads for ${writes} sequential writes (${(writesMs / 1000).toFixed(1)} s), delay ${delayMs} ms`,
    value: String(calls.length),
    baseline: `one per write ${writes}`,
    ratio: fmtRatio(calls.length / writes),
    target: '<= 3',
    ok: calls.length <= 3,
  };
}
