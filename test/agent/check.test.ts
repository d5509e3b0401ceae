// `sdewan-agent check`, `--help` and `serve --help` through bin/sdewan-agent, as processes
// (run `npx tsc -p .` first).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTING_OPTIONS } from '../../src/config.js';
import { repoRoot } from '../helpers/agent.js';

const repo = repoRoot();
const bin = path.join(repo, 'bin', 'sdewan-agent');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanEnv = () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(SDEWAN_|LOG_LEVEL|HOST|PORT|NODE_OPTIONS|VITEST)/.test(k)) env[k] = v;
  return env;
};
const run = (args: string[], env: Record<string, string> = {}) =>
  execa(bin, args, { reject: false, env: { ...cleanEnv(), SDEWAN_UCI_BIN: 'embedded', ...env }, extendEnv: false, cwd: dir, timeout: 30_000 });

function confdir(name: string): string {
  const d = path.join(dir, name);
  cpSync(path.join(repo, 'uci-fixtures'), d, { recursive: true });
  return d;
}

describe('sdewan-agent check', () => {
  it('exits 0 when the settings are valid and every managed UCI file parses', async () => {
    const c = confdir('good');
    const r = await run(['check'], { SDEWAN_CONFDIR: c });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`ok: settings: confdir ${c}, platform linux, auth static, uci embedded`);
    for (const pkg of ['firewall', 'ipsec', 'mwan3', 'network']) expect(r.stdout).toMatch(new RegExp(`^ok: ${c}/${pkg}: (parses|absent)`, 'm'));
  });

  it('lists a broken file as file:line and a refused setting, and exits 1', async () => {
    const c = confdir('broken');
    const firewall = path.join(c, 'firewall');
    const mwan3 = path.join(c, 'mwan3');
    const before = readFileSync(firewall, 'utf8');
    writeFileSync(firewall, `${before}\nconfig rule\n\toption name 'unterminated\n`);
    writeFileSync(mwan3, "config interface 'wan'\n\toption enabled '1'\n\tbogus line here\n");
    const r = await run(['check'], { SDEWAN_CONFDIR: c, PORT: 'eighty' });
    expect(r.exitCode).toBe(1);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('problem: '));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('problem: invalid setting PORT: expected an integer from 0 to 65535 (got "eighty")');
    const lines = before.split('\n').length;
    expect(problems[1]).toMatch(new RegExp(`^problem: ${firewall}:${lines + 2}: `));
    expect(problems[2]).toMatch(new RegExp(`^problem: ${mwan3}:3: `));
    expect(r.stderr).toContain('sdewan-agent check: 3 problems');
    // nothing was changed
    expect(readFileSync(firewall, 'utf8')).toBe(`${before}\nconfig rule\n\toption name 'unterminated\n`);
  });

  it('a TLS key that does not load is a problem of its setting', async () => {
    const key = path.join(dir, 'not-a-key.pem');
    writeFileSync(key, 'nope\n');
    const r = await run(['check'], { SDEWAN_CONFDIR: confdir('tls'), SDEWAN_TLS_CERT: key, SDEWAN_TLS_KEY: key });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`problem: invalid setting SDEWAN_TLS_CERT: ${JSON.stringify(key)} is not a PEM certificate`);
  });

  it('the development default: a config directory not made yet is not a problem', async () => {
    const r = await run(['check']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`ok: ${path.join(dir, 'var', 'config')}: not there yet`);
  });
});

describe('--help', () => {
  it.each([['--help'], ['serve', '--help'], ['serve', '-h']])('%s lists every setting with its UCI option and exits 0', async (...args) => {
    const r = await run(args);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Usage:');
    expect(r.stdout).toContain('sdewan-agent check');
    for (const [name, option] of Object.entries(SETTING_OPTIONS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} .*UCI option ${option}$`, 'm'));
    expect(r.stdout).toMatch(/^ {2}PORT +port to listen on \(0: any free port\); default 8080; UCI option port$/m);
  });
});
