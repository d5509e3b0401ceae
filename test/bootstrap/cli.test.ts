// The command line through bin/sdewan-agent, as a real process (run `npx tsc -p .` first).
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const bin = path.join(repo, 'bin', 'sdewan-agent');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bootstrap-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshConfdir(name: string): string {
  const confdir = path.join(dir, name);
  cpSync(path.join(repo, 'uci-fixtures'), confdir, { recursive: true });
  return confdir;
}

const cleanEnv = () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(SDEWAN_|LOG_LEVEL|NODE_OPTIONS|VITEST)/.test(k)) env[k] = v;
  return { ...env, NODE_ENV: 'test' };
};

async function cli(args: string[], env: Record<string, string> = {}) {
  const res = await execa(bin, args, { reject: false, env: { ...cleanEnv(), ...env }, extendEnv: false, timeout: 30_000 });
  const records = res.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; [k: string]: unknown });
  return { code: res.exitCode, stdout: res.stdout, stderr: res.stderr, records };
}

const files = (confdir: string) =>
  ['network', 'mwan3'].map((pkg) => {
    const st = statSync(path.join(confdir, pkg));
    return { pkg, text: readFileSync(path.join(confdir, pkg), 'utf8'), mtimeMs: st.mtimeMs };
  });

describe('sdewan-agent bootstrap', () => {
  it('logs a missing annotations file as an error, writes nothing and exits 0', async () => {
    const confdir = freshConfdir('missing');
    const before = files(confdir);
    const missing = path.join(dir, 'no-such-file');
    const r = await cli(['bootstrap', '--annotations', missing, '--confdir', confdir, '--savedir', path.join(dir, 'save1'), '--uci-bin', 'embedded']);
    expect(r.code).toBe(0);
    const errors = r.records.filter((x) => x.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe(`bootstrap: annotations file ${missing} does not exist; network, mwan3 and firewall left unchanged`);
    expect(files(confdir)).toEqual(before);
  });

  it('exits 1 on bad input with --strict', async () => {
    const confdir = freshConfdir('strict');
    const bad = path.join(dir, 'bad.annotations');
    writeFileSync(bad, 'k8s.plugin.opnfv.org/nfn-network="{\\"interface\\": 5}"');
    const r = await cli(['bootstrap', '--strict', '--annotations', bad, '--confdir', confdir, '--savedir', path.join(dir, 'save2'), '--uci-bin', 'embedded']);
    expect(r.code).toBe(1);
    expect(r.records.find((x) => x.level === 50)?.msg).toMatch(/field interface should be a list of interfaces/);
  });

  it('reads its paths from the environment and reports interfaces the host lacks', async () => {
    const confdir = freshConfdir('env');
    const annotations = path.join(dir, 'absent.annotations');
    writeFileSync(
      annotations,
      'k8s.plugin.opnfv.org/nfn-network="{\\"type\\": \\"ovn4nfv\\", \\"interface\\": [{\\"name\\": \\"x\\", \\"interface\\": \\"sdwnabsent0\\", \\"ipAddress\\": \\"10.1.1.1/24\\"}]}"',
    );
    const before = files(confdir);
    const r = await cli(['bootstrap'], { SDEWAN_ANNOTATIONS: annotations, SDEWAN_CONFDIR: confdir, SDEWAN_SAVEDIR: path.join(dir, 'save3'), SDEWAN_UCI_BIN: 'embedded' });
    expect(r.code).toBe(0);
    expect(r.records.find((x) => x.level === 40)).toMatchObject({
      device: 'sdwnabsent0',
      msg: 'bootstrap: interface sdwnabsent0 (network x): named in the annotation but not present in the pod; not configured',
    });
    expect(r.records.at(-1)?.msg).toBe('bootstrap: network, mwan3 and firewall already up to date');
    expect(files(confdir)).toEqual(before);
  });

  it('exits 1 with a log line when the config cannot be written', async () => {
    const annotations = path.join(dir, 'lo.annotations');
    writeFileSync(annotations, 'k8s.plugin.opnfv.org/nfn-network="{\\"interface\\": [{\\"name\\": \\"loop\\", \\"interface\\": \\"lo\\"}]}"');
    const notADir = path.join(dir, 'plain-file');
    writeFileSync(notADir, '');
    const r = await cli(['bootstrap', '--annotations', annotations, '--confdir', notADir, '--savedir', path.join(dir, 'save4'), '--uci-bin', 'embedded']);
    expect(r.code).toBe(1);
    expect(r.records.at(-1)?.msg).toBe('bootstrap: writing the network, mwan3 and firewall configs failed');
  });

  it('refuses unknown options and commands with the usage', async () => {
    const opt = await cli(['bootstrap', '--confdri', '/tmp']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/Unknown option '--confdri'[\s\S]*Usage:/);
    const cmd = await cli(['frobnicate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "frobnicate"');
  });

  it('refuses a uci program it cannot run, as the agent does (SDEWAN_UCI_BIN)', async () => {
    const missing = await cli(['bootstrap', '--uci-bin', 'no-such-uci']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('invalid setting SDEWAN_UCI_BIN: "no-such-uci" not found on PATH');
    const notExecutable = path.join(dir, 'not-executable-uci');
    writeFileSync(notExecutable, '');
    const file = await cli(['bootstrap', '--uci-bin', notExecutable]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('is not an executable file');
  });
});

describe('bin/sdewan-agent', () => {
  it('finds the package through a symlink and prints the version', async () => {
    const link = path.join(dir, 'bin-link');
    symlinkSync(bin, link);
    const res = await execa(link, ['--version'], { reject: false });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toBe((JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
