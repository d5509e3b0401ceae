// Runs README.md's ```sh test blocks as written, with curl, against a started agent.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot, startAgent, type Agent } from '../helpers/agent.js';

const run = promisify(execFile);
const METRICS_TOKEN = 'readme-metrics-token-0123';

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
    agent = await startAgent({ env: { SDEWAN_METRICS_TOKEN: METRICS_TOKEN } });
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
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AGENT: agent.url, PASSWORD: agent.password, METRICS_TOKEN },
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('302');
    expect(stdout).toContain('"services"');
    expect(stdout).toContain('"policies"');
    expect(stdout).toContain('balanced');
    expect(stdout).toContain('{"name":"web","policy":"balanced","dest_port":"80","proto":"tcp"}{"name":"web","policy":"balanced","dest_port":"80","proto":"tcp"}{"message":"success"}');
    // conditional requests: 304 while unchanged, the merge patch's answer, then 412 for the stale ETag
    expect(stdout).toContain('304\n{"name":"ssh","policy":"balanced","dest_port":"2222","proto":"tcp"}\n{"message":');
    expect(stdout).toMatch(/"\}412\n/);
    // the change set, confirmed
    expect(stdout).toMatch(/\{"id":"[0-9a-f-]{36}","state":"confirmed",.*"packages":\["firewall","mwan3"\],"services":\["firewall","mwan3"\],"confirmed_at":"[^"]+"\}/);
    // the SLA policy: created as sent, its status (no mwan3 here: nothing measured), deleted
    const gold = '{"name":"gold","members":[{"interface":"wan","metric":"1","weight":"3"},{"interface":"wanb","metric":"2","weight":"1"}],"sla":{"latency_ms":"100","jitter_ms":"20","loss_percent":"5"}}';
    expect(stdout).toContain(`${gold}{"name":"gold","sla":{"latency_ms":"100","jitter_ms":"20","loss_percent":"5"},"source":"none","members":[{"interface":"wan","metric":"1","weight":"3","mwan3_status":"unknown","online":false,"in_use":false,"latency_ms":null`);
    expect(agent.readFile('mwan3')).not.toContain('sdewan_sla');
    // the networks: wan with its device, its zone and the mwan3 policies over it
    expect(stdout).toContain('{"name":"wan","proto":"dhcp","device":"eth1","state":');
    expect(stdout).toMatch(/"name":"wan",[^}]*"used_by":\{"mwan3_interface":true,"mwan3_policies":\["balanced","wan_wanb"\],"firewall_zones":\["wan"\],"wireguard_tunnels":\[\],"ipsec":false\}/);
    // the event stream replayed the rule's creation and deletion, and mwan3's reload or restart
    // (the explicit restart takes the place of a reload still waiting)
    expect(stdout).toContain('event: config\ndata: {"kind":"mwan3/rules","name":"web","change":"created","source":"api"}');
    expect(stdout).toContain('event: config\ndata: {"kind":"mwan3/rules","name":"web","change":"deleted","source":"api"}');
    expect(stdout).toMatch(/event: reload\ndata: \{"service":"mwan3","action":"(reload|restart)","trigger":"(auto|explicit)","ok":true/);
    // the metrics, with the bearer token
    // mwan3 written 7 times: the rule web and the SLA policy gold (each created, deleted), the rule
    // ssh (created, patched; the stale DELETE wrote nothing) and the change set
    expect(stdout).toContain('sdewan_config_writes_total{config="mwan3"} 7');
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
