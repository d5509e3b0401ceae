/**
 * The agent on a uci program (SDEWAN_UCI_BIN), as on OpenWRT, through wrapper scripts around
 * bin/sdewan-uci: one uci process per write and none per read; a commit judged by uci's exit
 * status, its own messages and the file, not by any stderr; and two agents on one config
 * directory that keep each other's writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, makeTempDir, repoRoot, startAgent, waitFor } from '../helpers/agent.js';
import { MWAN3, mwan3Rule } from '../hardening/lib.js';
import { parseUci } from '../../src/uci/index.js';

const CLI = path.join(repoRoot(), 'bin', 'sdewan-uci');
const LOADER_WARNING = "ERROR: ld.so: object '/lib/libsetlbf.so' from LD_PRELOAD cannot be preloaded (cannot open shared object file): ignored.";

/**
 * A `uci` that is what the agent runs: it logs its start to <dir>/starts, reads its input, logs
 * to <dir>/calls when it was given a batch (else to <dir>/idle), and runs `body` on that input.
 * The agent starts the next write's process ahead (src/uci/runner-binary.ts): one waits.
 */
function wrapper(dir: string, body: string): string {
  const file = path.join(dir, 'uci');
  const script = [
    '#!/bin/sh',
    `echo "$*" >> '${dir}/starts'`,
    `in='${dir}/in.'$$`,
    'cat > "$in"',
    'exec < "$in"',
    `if [ -s "$in" ]; then echo "$*" >> '${dir}/calls'; else echo "$*" >> '${dir}/idle'; fi`,
    body,
  ];
  fs.writeFileSync(file, `${script.join('\n')}\n`, { mode: 0o755 });
  return file;
}
const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const calls = (dir: string) => lines(path.join(dir, 'calls'));
const starts = (dir: string) => lines(path.join(dir, 'starts'));

const rulesOf = (text: string) => parseUci(text, 'mwan3').sections.filter((s) => s.type === 'rule').map((s) => s.name);

describe('through a uci program', () => {
  let dir: string;
  let agent: Agent;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-uci-wrap-');
    agent = await startAgent({ env: { SDEWAN_UCI_BIN: wrapper(dir, `exec '${CLI}' "$@"`) } });
  });
  afterAll(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs one uci process per write (batch and commit together), none for reads or refused writes', async () => {
    for (let i = 0; i < 4; i++) expect((await agent.request('POST', `${MWAN3}/rules`, mwan3Rule(`w${i}`, i))).status).toBe(201);
    expect((await agent.request('PUT', `${MWAN3}/rules/w1`, { ...mwan3Rule('w1', 1), dest_port: '999' })).status).toBe(200);
    expect((await agent.request('DELETE', `${MWAN3}/rules/w2`)).status).toBe(200);
    expect(calls(dir)).toHaveLength(6);
    expect(new Set(calls(dir))).toEqual(new Set([`-c ${agent.confdir} -t ${path.join(agent.dir, 'save')} batch`]));
    // reads, the read-back of a write, a conflict and a bad body start no process
    expect((await agent.request('GET', `${MWAN3}/rules`)).json.rules.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['w0', 'w1', 'w3']));
    expect((await agent.request('GET', `${MWAN3}/rules/w1`)).json.dest_port).toBe('999');
    expect((await agent.request('POST', `${MWAN3}/rules`, mwan3Rule('w0', 0))).status).toBe(409);
    expect((await agent.request('POST', `${MWAN3}/rules`, { name: 'bad', policy: 'balanced', proto: 'nonsense' })).status).toBe(400);
    expect(calls(dir)).toHaveLength(6);
    expect(rulesOf(agent.readFile('mwan3'))).toEqual(expect.arrayContaining(['w0', 'w1', 'w3']));
    expect(rulesOf(agent.readFile('mwan3'))).not.toContain('w2');
    // besides them, at most the next write's process, waiting on its input
    expect(starts(dir).length).toBeLessThanOrEqual(7);
  });

  it('leaves the waiting process to end without doing anything when the agent stops', async () => {
    expect((await agent.request('POST', `${MWAN3}/rules`, mwan3Rule('last', 9))).status).toBe(201);
    await waitFor(() => starts(dir).length === calls(dir).length + 1 || undefined, { what: 'the next write\'s process' });
    const before = agent.readFile('mwan3');
    agent.process.kill('SIGTERM');
    await agent.exited;
    await waitFor(() => lines(path.join(dir, 'idle')).length === 1 || undefined, { what: 'the waiting process ending on its closed input' });
    expect(starts(dir).length).toBe(calls(dir).length + 1);
    expect(agent.readFile('mwan3')).toBe(before);
  });
});

describe('a uci whose stderr carries a loader warning, exiting 0', () => {
  let dir: string;
  let agent: Agent;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-uci-noise-');
    agent = await startAgent({ env: { SDEWAN_UCI_BIN: wrapper(dir, `echo "${LOADER_WARNING}" >&2\nexec '${CLI}' "$@"`) } });
  });
  afterAll(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commits: the write is answered 2xx, reads back, and the warning is logged without request values', async () => {
    const rule = { ...mwan3Rule('noisy', 7), dest_port: '4242' };
    const res = await agent.request('POST', `${MWAN3}/rules`, rule);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'noisy', dest_port: '4242' });
    expect(rulesOf(agent.readFile('mwan3'))).toContain('noisy');
    // the log comes through a pipe: it may trail the answer
    const warning = await waitFor(() => agent.logRecords().find((r) => r.msg === 'uci printed more than its own messages'), { what: 'the warning' });
    expect(warning).toMatchObject({ level: 40, pkg: 'mwan3', exit: 0, stderr: [LOADER_WARNING] });
    expect(JSON.stringify(warning)).not.toContain('4242');
  });
});

describe('a uci that fails after writing the file', () => {
  let dir: string;
  let agent: Agent;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-uci-fail-');
    agent = await startAgent({ env: { SDEWAN_UCI_BIN: wrapper(dir, `'${CLI}' "$@"\necho "uci: I/O error" >&2\nexit 1`) } });
  });
  afterAll(async () => {
    await agent?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is answered 500 and the file is put back as it was: an error answer means nothing changed', async () => {
    const before = agent.readFile('mwan3');
    const res = await agent.request('POST', `${MWAN3}/rules`, mwan3Rule('lost', 3));
    expect(res.status).toBe(500);
    expect(calls(dir)).toHaveLength(1);
    expect(agent.readFile('mwan3')).toBe(before);
    expect((await agent.request('GET', `${MWAN3}/rules/lost`)).status).toBe(404);
    expect(agent.callsLog()).toEqual([]);
  });
});

describe('two agents on one config directory', () => {
  const shared = makeTempDir('sdewan-two-');
  const confdir = path.join(shared, 'config');
  const savedir = path.join(shared, 'save');
  const agents: Agent[] = [];
  beforeAll(async () => {
    fs.cpSync(path.join(repoRoot(), 'uci-fixtures'), confdir, { recursive: true });
    const env = { SDEWAN_CONFDIR: confdir, SDEWAN_SAVEDIR: savedir, SDEWAN_UCI_BIN: 'embedded' };
    agents.push(...(await Promise.all([startAgent({ env }), startAgent({ env })])));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    fs.rmSync(shared, { recursive: true, force: true });
  });

  it('keep every write of both when writing at once', async () => {
    const PER_AGENT = 40;
    const writer = async (a: Agent, prefix: string) => {
      const lanes = [0, 1, 2].map(async (lane) => {
        for (let i = lane; i < PER_AGENT; i += 3) {
          const res = await a.request('POST', `${MWAN3}/rules`, mwan3Rule(`${prefix}${i}`, i));
          expect(res.status).toBe(201);
        }
      });
      await Promise.all(lanes);
    };
    await Promise.all([writer(agents[0]!, 'a'), writer(agents[1]!, 'b')]);
    const names = rulesOf(fs.readFileSync(path.join(confdir, 'mwan3'), 'utf8'));
    for (let i = 0; i < PER_AGENT; i++) {
      expect(names).toContain(`a${i}`);
      expect(names).toContain(`b${i}`);
    }
    for (const a of agents) {
      const listed = (await a.request('GET', `${MWAN3}/rules`)).json.rules.map((r: { name: string }) => r.name);
      expect(listed.filter((n: string) => /^[ab]\d+$/.test(n))).toHaveLength(2 * PER_AGENT);
    }
    expect(fs.readdirSync(savedir).filter((n) => n.includes('lock'))).toEqual([]);
  }, 60_000);
});
