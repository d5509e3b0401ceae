// The shadow and ubus password checks, through the real agent's login.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startAgent, type Agent } from '../helpers/agent.js';

async function loginStatus(agent: Agent, user: string, password: string): Promise<number> {
  const res = await agent.request('POST', '/cgi-bin/luci', undefined, {
    cookie: '',
    raw: new URLSearchParams({ luci_username: user, luci_password: password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return res.status;
}

describe('shadow password check', () => {
  let agent: Agent;
  let dir: string;
  let shadow: string;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-shadow-');
    shadow = path.join(dir, 'shadow');
    writeFileSync(shadow, 'daemon:*:0:0:99999:7:::\nroot:!:19000:0:99999:7:::\n');
    agent = await startAgent({ env: { SDEWAN_AUTH: 'shadow', SDEWAN_SHADOW: shadow, SDEWAN_PASSWORD: '' } });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a locked account cannot log in', async () => {
    expect(await loginStatus(agent, 'root', '')).toBe(403);
  });

  it.each(['1', '5', '6'])('verifies $%s$ hashes made by openssl passwd (file re-read at each login)', async (method) => {
    const password = `pw-${method}-${Math.random().toString(36).slice(2)}`;
    const hash = execFileSync('openssl', ['passwd', `-${method}`, password], { encoding: 'utf8' }).trim();
    expect(hash.startsWith(`$${method}$`)).toBe(true);
    writeFileSync(shadow, `daemon:*:0:0:99999:7:::\nroot:${hash}:19000:0:99999:7:::\nnobody:*:0:0:99999:7:::\n`);
    expect(await loginStatus(agent, 'root', password)).toBe(302);
    expect(await loginStatus(agent, 'root', `${password}-wrong`)).toBe(403);
  });
});

describe('ubus password check', () => {
  let agent: Agent;
  let dir: string;
  beforeAll(async () => {
    dir = makeTempDir('sdewan-ubus-');
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    // a stand-in for rpcd: session login succeeds for root/letmein only; calls are recorded
    writeFileSync(
      path.join(bin, 'ubus'),
      `#!/bin/sh
printf '%s\\n' "$*" >> '${dir}/ubus.log'
if [ "$1 $2 $3" = "call session login" ]; then
  case "$4" in
    '{"username":"root","password":"letmein"}') echo '{"ubus_rpc_session":"0123456789abcdef0123456789abcdef","timeout":300}'; exit 0 ;;
    *) echo 'Command failed: Permission denied' >&2; exit 6 ;;
  esac
fi
exit 0
`,
    );
    chmodSync(path.join(bin, 'ubus'), 0o755);
    agent = await startAgent({
      env: { SDEWAN_AUTH: 'ubus', SDEWAN_PASSWORD: '', PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in when rpcd grants a session, and destroys that session again', async () => {
    expect(await loginStatus(agent, 'root', 'letmein')).toBe(302);
    expect(await loginStatus(agent, 'root', 'nope')).toBe(403);
    const calls = readFileSync(path.join(dir, 'ubus.log'), 'utf8').trim().split('\n');
    expect(calls).toEqual([
      'call session login {"username":"root","password":"letmein"}',
      'call session destroy {"ubus_rpc_session":"0123456789abcdef0123456789abcdef"}',
      'call session login {"username":"root","password":"nope"}',
    ]);
  });
});
