/**
 * `npm run bench`: the agent's performance, one table. Every figure comes with a baseline
 * measured in the same run on the same machine, and the ratio between them:
 *   - GET of a 500-rule mwan3 list (autocannon) against a bare node:http server sending the same bytes;
 *   - POST of a rule (median, p99), embedded engine and bin/sdewan-uci as SDEWAN_UCI_BIN, against an
 *     atomic rewrite (temp + fsync + rename) of the same file, sampled in turns (bench/writes.ts);
 *   - the write and the GET of the list at 50, 500 and 5,000 rules;
 *   - with SDEWAN_BENCH_UCI set, the agent on a real uci against that uci's own batch+commit;
 *   - reloads caused by 500 sequential writes, with reload delays of 200 and 50 ms, against one per write;
 *   - the agent as the image runs it on Node 20, 22 and 24 (bench/nodes.ts): GET req/s, resident
 *     memory right after the load and start to ready, against a bare node:http server and
 *     `node -e ""` on the same node with the same flags;
 *   - `npm start`'s resident memory and start to ready, for comparison;
 *   - the UCI layer's rows (bench/uci.ts);
 *   - the CPU of a /metrics scrape with 10 WANs and 50 SAs, against prom-client rendering an empty registry (bench/metrics.ts).
 * The targets apply to the agent as the image runs it (the single-file bundle with the node
 * flags of its init script); `npm start`'s figures are shown beside them for comparison.
 * A benchmark, not a test: nothing here fails a build; the `ok` column compares with the targets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../test/helpers/agent.js';
import { MWAN3, call, login, spawnAgent } from '../test/hardening/lib.js';
import { imageNodeFlags } from '../test/image/support.js';
import { benchMetrics } from './metrics.js';
import { bareServer, benchAllNodes, fmtResident, requestsPerSecond, rss } from './nodes.js';
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

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bench-'));
  const rows: Row[] = [];
  const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
  try {
    // --- GET of a 500-rule list, then POST latency ---------------------------------------------
    // `npm start` against the bare node:http baseline (both with node's defaults); the agent as
    // the image runs it (the single-file bundle with the node flags of its init script) for the
    // POST rows here, and on Node 20, 22 and 24 in bench/nodes.ts (GET, memory, start).
    const flags = imageNodeFlags();
    execFileSync(process.execPath, [path.join(repoRoot(), 'scripts', 'bundle.mjs'), '--outdir', path.join(root, 'bundle')], { stdio: 'ignore' });
    const imageArgs = [...flags, path.join(root, 'bundle', 'sdewan-agent.mjs')];
    const listEnv = workspace(root, 'list', LIST_SIZE - 2);
    const agent = await spawnAgent(listEnv, { quiet: true });
    const deployed = await spawnAgent(workspace(root, 'deployed', LIST_SIZE - 2), { quiet: true, args: imageArgs });
    const cookie = await login(agent.url, 'root', PASSWORD);
    const list = await call(agent.url, cookie, 'GET', `${MWAN3}/rules`);
    if (list.status !== 200 || list.json.rules.length !== LIST_SIZE) throw new Error(`expected ${LIST_SIZE} rules, got ${list.json?.rules?.length}`);
    const bodyFile = path.join(root, 'rules.json');
    writeFileSync(bodyFile, list.text);
    const bare = await bareServer(bodyFile);

    // The rounds alternate between the two, so that a slower or faster stretch of a shared
    // machine reaches both; each figure is the median of its rounds.
    log(`GET of ${LIST_SIZE} rules (autocannon, ${LOAD_CONNECTIONS} connections, ${LOAD_SECONDS} s, ${GET_ROUNDS} rounds each)`);
    const rps: Record<'bare' | 'agent', number[]> = { bare: [], agent: [] };
    for (let round = 0; round < GET_ROUNDS; round++) {
      rps.bare.push(await requestsPerSecond(bare.url, {}, LOAD_SECONDS));
      rps.agent.push(await requestsPerSecond(`${agent.url}${MWAN3}/rules`, { cookie }, LOAD_SECONDS));
    }
    const bareRss = rss(bare.pid);
    await bare.stop();
    rows.push(getRow('npm start', percentiles(rps.agent).median, percentiles(rps.bare).median, list.text.length));

    log(`POST latency, embedded engine (${POSTS_EMBEDDED} sequential)`);
    rows.push(...latencyRows(`${LIST_SIZE} rules, embedded engine`, await postsAndRewrites(agent, listEnv, POSTS_EMBEDDED, 'e', root), { median: 4, p99: 10 }));
    const agentRss = rss(agent.pid);
    await stop(agent);

    // The same writes against the agent as the image runs it.
    const deployedEnv = { SDEWAN_CONFDIR: path.join(root, 'deployed', 'config') };
    rows.push(...latencyRows(`${LIST_SIZE} rules, embedded engine, the agent as the image runs it`, await postsAndRewrites(deployed, deployedEnv, POSTS_EMBEDDED, 'b', root), { median: 4, p99: 10 }));
    await stop(deployed);
    rows.push({
      name: 'resident memory right after the GET+POST load (VmRSS), npm start (V8 defaults)',
      value: fmtResident(agentRss),
      baseline: `bare node:http ${fmtResident(bareRss)}`,
      ratio: fmtRatio(agentRss.total / bareRss.total),
      target: '(comparison)',
    });

    // --- the agent as the image runs it on Node 20, 22 and 24: GET, memory, start to ready ------
    rows.push(...(await benchAllNodes(path.join(root, 'bundle', 'sdewan-agent.mjs'), flags, root, log)));

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

    // --- start to ready of npm start (the image's: bench/nodes.ts) ------------------------------
    log(`start to ready, npm start (${STARTS} starts)`);
    const startEnv = workspace(root, 'start');
    const readyMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const a = await spawnAgent(startEnv, { quiet: true });
      readyMs.push(a.readyMs);
      await stop(a);
    }
    const ready = percentiles(readyMs).median;
    const empty = percentiles(await sample(STARTS, () => execFileSync(process.execPath, ['-e', '']), 1)).median;
    rows.push({ name: 'start to ready (median), npm start (node dist/src/main.js)', value: fmtMs(ready), baseline: `node -e "" ${fmtMs(empty)}`, ratio: fmtRatio(ready / empty), target: '(comparison)' });

    log('UCI layer (bench/uci.ts)');
    rows.push(...(await benchUci()));

    log('a scrape of /metrics (bench/metrics.ts)');
    rows.push(...(await benchMetrics()));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(renderTable(rows));
  console.log(`\nThe agent as the image runs it: the single-file bundle, node ${imageNodeFlags().join(' ')} (NODE_FLAGS of openwrt-image/etc/init.d/sdewan-agent);`);
  console.log('its baselines (bare node:http, node -e "") run on the same node with the same flags. Node 22 and 24: SDEWAN_BENCH_NODES, else npm (bench/nodes.ts).');
  console.log('Resident memory: VmRSS, and in brackets its private part (RssAnon), without the pages of the node binary.');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
