// `npm ci && npm start` on a fresh clone: the agent on its embedded default, the fixtures as
// its config, a generated password printed once, a wrong login answered 403. It listens on a
// port the system picks (PORT=0): 8080, the default (test/agent/config.test.ts), may be taken
// by a developer's own `npm start`.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, waitFor } from '../helpers/agent.js';

describe('npm start on a fresh checkout', () => {
  const dir = makeTempDir('sdewan-npm-start-');
  let output = '';
  let child: ReturnType<typeof spawn> | undefined;

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a wrong login with 403, on the fixtures, with a password printed once', async () => {
    // What a clone holds after `npm ci` (which builds dist/ through `prepare`).
    for (const entry of ['package.json', 'dist', 'uci-fixtures']) cpSync(path.join(repoRoot(), entry), path.join(dir, entry), { recursive: true });
    symlinkSync(path.join(repoRoot(), 'node_modules'), path.join(dir, 'node_modules'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SDEWAN_|HOST$|PORT$|LOG_LEVEL$)/.test(k)));
    child = spawn('npm', ['start'], { cwd: dir, env: { ...env, SDEWAN_INITD: dir, PORT: '0' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const url = await waitFor(async () => /"url":"(http:\/\/127\.0\.0\.1:[0-9]+)".*"msg":"listening"/.exec(output)?.[1], { what: 'the agent listening', timeoutMs: 20_000 });

    const res = await fetch(`${url}/cgi-bin/luci/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'luci_username=root&luci_password=wrong',
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-luci-login-required')).toBe('yes');

    const generated = output.match(/generated password for user root: (\S+?)"/g) ?? [];
    expect(generated).toHaveLength(1);
    const password = /generated password for user root: (\S+?)"/.exec(output)![1]!;
    const ok = await fetch(`${url}/cgi-bin/luci/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ luci_username: 'root', luci_password: password }).toString(),
      redirect: 'manual',
    });
    expect(ok.status).toBe(302);
    expect(readFileSync(path.join(dir, 'var', 'config', 'mwan3'), 'utf8')).toBe(readFileSync(path.join(repoRoot(), 'uci-fixtures', 'mwan3'), 'utf8'));
    expect(existsSync(path.join(dir, 'var', 'save'))).toBe(true);
  });
});
