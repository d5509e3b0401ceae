// Runs README.md's ```sh test blocks as written, with curl, against a started agent.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, startAgent, type Agent } from '../helpers/agent.js';

const run = promisify(execFile);

/** The fenced blocks whose info string is `sh test`, in order. */
export function testedShellBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const re = /^```sh test[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}

describe('README', () => {
  const readme = readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
  let agent: Agent;
  let cwd: string;
  beforeAll(async () => {
    agent = await startAgent();
    cwd = makeTempDir('sdewan-readme-');
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('names the set-up-and-run and the test commands', () => {
    expect(readme).toContain('```sh\nnpm ci && npm start\n```');
    expect(readme).toContain('```sh\nnpm test\n```');
    const ci = readFileSync(path.join(repoRoot(), '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm test$/m);
  });

  it('documents every setting', () => {
    for (const name of ['HOST', 'PORT', 'SDEWAN_CONFDIR', 'SDEWAN_SAVEDIR', 'SDEWAN_UCI_BIN', 'SDEWAN_INITD', 'SDEWAN_AUTH',
      'SDEWAN_USER', 'SDEWAN_PASSWORD', 'SDEWAN_SHADOW', 'SDEWAN_SESSION_TTL', 'SDEWAN_TLS_CERT', 'SDEWAN_TLS_KEY',
      'SDEWAN_RELOAD_DELAY_MS', 'LOG_LEVEL']) {
      expect(readme).toContain(`| \`${name}\` |`);
    }
  });

  it('curl examples work as written', async () => {
    const blocks = testedShellBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const script = ['set -euo pipefail', ...blocks].join('\n');
    const { stdout } = await run('bash', ['-c', script], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AGENT: agent.url, PASSWORD: agent.password },
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('302');
    expect(stdout).toContain('"services"');
    expect(stdout).toContain('"policies"');
    expect(stdout).toContain('balanced');
    expect(stdout).toContain('{"name":"web","policy":"balanced","dest_port":"80","proto":"tcp"}{"name":"web","policy":"balanced","dest_port":"80","proto":"tcp"}{"message":"success"}');
    // the tunnel is answered without its private and pre-shared keys, once created and once read
    const tunnel =
      '{"name":"wg0","listen_port":"51820","addresses":["10.77.0.1/24"],"peers":[{"name":"site-b","public_key":"mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs=","endpoint":"10.98.0.2:51820","allowed_ips":["10.77.0.2/32","192.168.20.0/24"],"route_allowed_ips":"1"}]}';
    expect(stdout).toContain(`${tunnel}${tunnel}{"message":"success"}`);
    expect(stdout).not.toContain('OGs4TMmDca8V2MjmxtYU2zCkZBQvi2vUXeXPDev+gn8=');
    expect(stdout).not.toContain('iLUBWGbAcWF4u9dsAZCQN50Juj32AMPPaewsNEbcJ24=');
    expect(agent.logs()).not.toContain('OGs4TMmDca8V2MjmxtYU2zCkZBQvi2vUXeXPDev+gn8=');
    expect(agent.logs()).not.toContain('iLUBWGbAcWF4u9dsAZCQN50Juj32AMPPaewsNEbcJ24=');
    expect(lines.at(-1)).toMatch(/302$/);
    // the example logged out: the cookie jar's session is gone
    const after = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/services', undefined, {
      cookie: `sysauth=${/sysauth\t([0-9a-f]{32})/.exec(readFileSync(path.join(cwd, 'cookies.txt'), 'utf8'))?.[1] ?? ''}`,
    });
    expect(after.status).toBe(403);
  });
});
