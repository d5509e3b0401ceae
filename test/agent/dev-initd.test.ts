// Development without a router: with no SDEWAN_INITD off OpenWRT, the agent (as a process)
// creates ./var/initd with init scripts that record what they are asked, so service actions
// succeed and say what would have run.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config.js';
import { makeTempDir, startAgent, waitFor, type Agent } from '../helpers/agent.js';

const calls = (initd: string) => (existsSync(path.join(initd, 'calls.log')) ? readFileSync(path.join(initd, 'calls.log'), 'utf8').trim().split('\n') : []);

describe('var/initd, the development default of SDEWAN_INITD', () => {
  let agent: Agent;
  let initd: string;
  beforeAll(async () => {
    // '' is unset: the default, relative to the agent's working directory (its temp dir)
    agent = await startAgent({ env: { SDEWAN_INITD: '' } });
    initd = path.join(agent.dir, 'var', 'initd');
  });
  afterAll(async () => agent?.stop());

  it('is created on first start with a recording script per service, and says so', () => {
    for (const script of ['mwan3', 'firewall', 'swanctl', 'network']) expect(statSync(path.join(initd, script)).mode & 0o111).not.toBe(0);
    expect(agent.logRecords().find((r) => r.msg === 'no SDEWAN_INITD: service actions are recorded, not run')).toMatchObject({
      initd,
      scripts: ['mwan3', 'firewall', 'swanctl', 'network'],
    });
  });

  it('a service action succeeds, is recorded and says what would have run', async () => {
    const r = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/mwan3', { action: 'restart' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'success' });
    expect(calls(initd)).toEqual(['mwan3 restart']);
    // the log line reaches the agent's stdout pipe on its own schedule, maybe after the answer
    const done = await waitFor(() => agent.logRecords().find((r) => r.msg === 'service action done' && r.service === 'mwan3'), { what: "the 'service action done' log line" });
    expect(done.output).toBe('recorded, not run: /etc/init.d/mwan3 restart');
    const status = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/services');
    expect(status.json.status.mwan3).toMatchObject({ action: 'restart', ok: true, message: 'recorded, not run: /etc/init.d/mwan3 restart' });
  });

  it('the reload after a write is recorded too', async () => {
    const r = await agent.request('POST', '/cgi-bin/luci/sdewan/firewall/v1/zones', { name: 'devzone', network: ['lan'] });
    expect(r.status).toBe(201);
    await waitFor(() => calls(initd).includes('firewall reload'), { what: 'the firewall reload' });
  });
});

describe('SDEWAN_INITD given, or OpenWRT', () => {
  it('a directory that is given is used as it is, never created', async () => {
    const dir = makeTempDir('sdewan-initd-given-');
    const missing = path.join(dir, 'no-init.d');
    const agent = await startAgent({ initd: missing });
    try {
      const r = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/mwan3', { action: 'restart' });
      expect(r.status).toBe(500);
      expect(existsSync(missing)).toBe(false);
      expect(existsSync(path.join(agent.dir, 'var', 'initd'))).toBe(false);
    } finally {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on OpenWRT the default is /etc/init.d, not a recording one', () => {
    const cwd = makeTempDir('sdewan-initd-openwrt-');
    try {
      const s = loadSettings({ SDEWAN_CONFDIR: cwd, SDEWAN_UCI_BIN: 'embedded', SDEWAN_AUTH: 'static' }, { cwd, openwrt: true });
      expect([s.initd, s.seedInitd]).toEqual(['/etc/init.d', false]);
      const dev = loadSettings({ SDEWAN_UCI_BIN: 'embedded' }, { cwd, openwrt: false });
      expect([dev.initd, dev.seedInitd]).toEqual([path.join(cwd, 'var', 'initd'), true]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
