/**
 * `npm run bench`: the agent's performance, one table. Every figure comes with a baseline
 * measured in the same run on the same machine, and the ratio between them:
 *   - GET of a 500-rule mwan3 list (autocannon) against a bare node:http server sending the same bytes;
 *   - POST of a rule (median, p99), embedded engine and bin/sdewan-uci as SDEWAN_UCI_BIN, against an
 *     atomic rewrite (temp + fsync + rename) of the same file, sampled in turns (bench/writes.ts);
 *   - the write and the GET of the list at 50, 500 and 5,000 rules;
 *   - with SDEWAN_BENCH_UCI set, the agent on a real uci against that uci's own batch+commit;
 *   - reloads caused by 500 sequential writes, with reload delays of 200 and 50 ms, against one per write;
 *   - resident memory after the load, against a bare node:http server after the same load;
 *   - start to ready, against `node -e ""` with the same node flags;
 *   - the UCI layer's rows (bench/uci.ts);
 *   - the CPU of a /metrics scrape with 10 WANs and 50 SAs, against prom-client rendering an empty registry (bench/metrics.ts).
 * The targets apply to the agent as the image runs it (the single-file bundle with the node
 * flags of its init script); `npm start`'s figures are shown beside them for comparison.
 * A benchmark, not a test: nothing here fails a build; the `ok` column compares with the targets.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { repoRoot } from '../test/helpers/agent.js';
import { MWAN3, call, login, spawnAgent } from '../test/hardening/lib.js';
import { imageNodeFlags } from '../test/image/support.js';
import { benchMetrics } from './metrics.js';
import { benchUci } from './uci.js';
import { type Row, fmtMs, percentiles, renderTable, sample } from './table.js';
import { PASSWORD, fmtRatio, growthRows, latencyRows, postsAndRewrites, realUciRows, reloadRow, stop, workspace } from './writes.js';

const LIST_SIZE = 500;
const LOAD_SECONDS = 4;
const LOAD_CONNECTIONS = 10;
const GET_ROUNDS = 3;
const POSTS_EMBEDDED = 200;
const POSTS_PROCESS = 60;
const SEQUENTIAL_WRITES = 500;
const STARTS = 7;
const SETTLE_MS = 12_000;

const MiB = 1024 * 1024;
function getRow(label: string, agentRps: number, bareRps: number, bytes: number): Row {
  return {
    name: `GET ${LIST_SIZE} mwan3 rules (${(bytes / 1024).toFixed(0)} KiB), req/s, ${label}`,
    value: agentRps.toFixed(0),
    baseline: `bare node:http ${bareRps.toFixed(0)}`,
    ratio: fmtRatio(agentRps / bareRps),
    target: '>= 0.5x',
    ok: agentRps / bareRps >= 0.5,
  };
}

/** A resident-memory row; `target` false for a figure shown for comparison only. */
function memoryRow(name: string, agent: Resident, bare: Resident, target = true): Row {
  const mib = (r: Resident) => `${(r.total / MiB).toFixed(1)} MiB (private ${(r.anon / MiB).toFixed(1)})`;
  return {
    name,
    value: mib(agent),
    baseline: `bare node:http ${mib(bare)}`,
    ratio: fmtRatio(agent.total / bare.total),
    ...(target ? { target: '<= 80 MiB', ok: agent.total <= 80 * MiB } : { target: '(comparison)' }),
  };
}


/**
 * Resident memory of a process, in bytes: all of it (VmRSS, the target's measure) and its
 * private part (RssAnon: heaps and stacks, without the pages of the node binary and its
 * libraries, which differ from one node build to another and are shared).
 */
interface Resident {
  total: number;
  anon: number;
}
function rss(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} for ${pid}`);
    return Number(m[1]) * 1024;
  };
  return { total: kB('VmRSS'), anon: kB('RssAnon') };
}

/** A bare node:http server, in its own process, answering every request with the file's bytes. */
async function bareServer(bodyFile: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const script = [
    "const http = require('node:http');",
    "const body = require('node:fs').readFileSync(process.argv[1]);",
    "const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }); res.end(body); });",
    "server.listen(0, '127.0.0.1', () => console.log(server.address().port));",
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script, bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function requestsPerSecond(url: string, headers: Record<string, string> = {}): Promise<number> {
  // a short warm-up, then the measured run
  await autocannon({ url, headers, connections: LOAD_CONNECTIONS, duration: 1 });
  const r = await autocannon({ url, headers, connections: LOAD_CONNECTIONS, duration: LOAD_SECONDS });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return r.requests.average;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bench-'));
  const rows: Row[] = [];
  const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
  try {
    // --- GET of a 500-rule list, then POST latency and memory ---------------------------------
    // Three servers side by side: the bare node:http baseline, the agent of `npm start`, and the
    // agent as the image runs it (the single-file bundle with the node flags of its init script).
    const flags = imageNodeFlags();
    execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'bundle.mjs'), '--outdir', path.join(root, 'bundle')], { stdio: 'ignore' });
    const imageArgs = [...flags, path.join(root, 'bundle', 'sdewan-agent.mjs')];
    const listEnv = workspace(root, 'list', LIST_SIZE - 2);
    const agent = await spawnAgent(listEnv, { quiet: true });
    const deployed = await spawnAgent(workspace(root, 'deployed', LIST_SIZE - 2), { quiet: true, args: imageArgs });
    const cookie = await login(agent.url, 'root', PASSWORD);
    const deployedCookie = await login(deployed.url, 'root', PASSWORD);
    const list = await call(agent.url, cookie, 'GET', `${MWAN3}/rules`);
    if (list.status !== 200 || list.json.rules.length !== LIST_SIZE) throw new Error(`expected ${LIST_SIZE} rules, got ${list.json?.rules?.length}`);
    const bodyFile = path.join(root, 'rules.json');
    writeFileSync(bodyFile, list.text);
    const bare = await bareServer(bodyFile);

    // The rounds alternate between the three, so that a slower or faster stretch of a shared
    // machine reaches all of them; each figure is the median of its rounds.
    log(`GET of ${LIST_SIZE} rules (autocannon, ${LOAD_CONNECTIONS} connections, ${LOAD_SECONDS} s, ${GET_ROUNDS} rounds each)`);
    const rps: Record<'bare' | 'agent' | 'deployed', number[]> = { bare: [], agent: [], deployed: [] };
    for (let round = 0; round < GET_ROUNDS; round++) {
      rps.bare.push(await requestsPerSecond(bare.url));
      rps.agent.push(await requestsPerSecond(`${agent.url}${MWAN3}/rules`, { cookie }));
      rps.deployed.push(await requestsPerSecond(`${deployed.url}${MWAN3}/rules`, { cookie: deployedCookie }));
    }
    const bareRss = rss(bare.pid);
    await bare.stop();
    const bareRps = percentiles(rps.bare).median;
    rows.push(getRow('npm start', percentiles(rps.agent).median, bareRps, list.text.length));
    rows.push(getRow('the agent as the image runs it', percentiles(rps.deployed).median, bareRps, list.text.length));

    log(`POST latency, embedded engine (${POSTS_EMBEDDED} sequential)`);
    rows.push(...latencyRows(`${LIST_SIZE} rules, embedded engine`, await postsAndRewrites(agent, listEnv, POSTS_EMBEDDED, 'e', root), { median: 4, p99: 10 }));
    const agentRss = rss(agent.pid);
    await stop(agent);

    // The same writes against the agent as deployed, then its resident memory, at once and once
    // V8's memory reducer has given pages back after a few idle seconds (what the router lives
    // with between bursts).
    const deployedEnv = { SDEWAN_CONFDIR: path.join(root, 'deployed', 'config') };
    rows.push(...latencyRows(`${LIST_SIZE} rules, embedded engine, the agent as the image runs it`, await postsAndRewrites(deployed, deployedEnv, POSTS_EMBEDDED, 'b', root), { median: 4, p99: 10 }));
    const deployedRss = rss(deployed.pid);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settledRss = rss(deployed.pid);
    await stop(deployed);
    rows.push(memoryRow('resident memory right after the load (VmRSS), the agent as the image runs it', deployedRss, bareRss));
    rows.push(memoryRow(`resident memory ${SETTLE_MS / 1000} s after the load, the agent as the image runs it`, settledRss, bareRss));
    rows.push(memoryRow('resident memory right after the load, npm start (V8 defaults)', agentRss, bareRss, false));

    log(`POST latency, bin/sdewan-uci as SDEWAN_UCI_BIN (${POSTS_PROCESS} sequential)`);
    const procEnv = workspace(root, 'process', LIST_SIZE - 2);
    const procAgent = await spawnAgent({ ...procEnv, SDEWAN_UCI_BIN: path.join(repoRoot(), 'bin', 'sdewan-uci') }, { quiet: true });
    rows.push(...latencyRows(`${LIST_SIZE} rules, uci process (bin/sdewan-uci)`, await postsAndRewrites(procAgent, procEnv, POSTS_PROCESS, 'p', root)));
    await stop(procAgent);
    rows.push(...(await realUciRows(root, log)));

    rows.push(...(await growthRows(root, log)));

    // --- reloads caused by 500 sequential writes, at the shipped reload delay and at 50 ms -------
    for (const delay of [200, 50]) {
      log(`${SEQUENTIAL_WRITES} sequential writes, reload delay ${delay} ms, counting reloads`);
      rows.push(await reloadRow(root, SEQUENTIAL_WRITES, delay));
    }

    // --- start to ready -------------------------------------------------------------------------
    log(`start to ready (${STARTS} starts)`);
    const startEnv = workspace(root, 'start');
    const readyMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const a = await spawnAgent(startEnv, { quiet: true });
      readyMs.push(a.readyMs);
      await stop(a);
    }
    // the single-file bundle, run the way the image's init script runs it
    const bundleReadyMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const a = await spawnAgent(startEnv, { quiet: true, args: imageArgs });
      bundleReadyMs.push(a.readyMs);
      await stop(a);
    }
    // Baselines: an empty node program started with the same node flags (any V8 flag makes node
    // compile its own internal modules instead of using their code cache: ~40 ms here).
    const emptyStart = async (flags: string[]) => percentiles(await sample(STARTS, () => execFileSync(process.execPath, [...flags, '-e', '']), 1)).median;
    for (const [label, sampleMs, nodeFlags, target] of [
      ['the agent as the image runs it', bundleReadyMs, flags, true],
      ['npm start (node dist/src/main.js)', readyMs, [], false],
    ] as const) {
      const ready = percentiles([...sampleMs]).median;
      const bare = await emptyStart([...nodeFlags]);
      rows.push({
        name: `start to ready (median), ${label}`,
        value: fmtMs(ready),
        baseline: `node ${nodeFlags.length > 0 ? 'NODE_FLAGS ' : ''}-e "" ${fmtMs(bare)}`,
        ratio: fmtRatio(ready / bare),
        ...(target ? { target: '<= 300 ms', ok: ready <= 300 } : { target: '(comparison)' }),
      });
    }

    log('UCI layer (bench/uci.ts)');
    rows.push(...(await benchUci()));

    log('a scrape of /metrics (bench/metrics.ts)');
    rows.push(...(await benchMetrics()));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(renderTable(rows));
  console.log(`\nThe agent as the image runs it: the single-file bundle, node ${imageNodeFlags().join(' ')} (NODE_FLAGS of openwrt-image/etc/init.d/sdewan-agent).`);
  console.log('Resident memory: VmRSS, and in brackets its private part (RssAnon), without the pages of the node binary.');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
