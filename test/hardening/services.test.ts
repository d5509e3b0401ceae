// Service scripts that fail or hang: the API says so (5xx with the script's message) and keeps
// serving. With SDEWAN_ROLLBACK=1 a write whose reload fails is undone and answered with a 5xx.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, makeTempDir, runAgentUntilExit, startAgent, waitFor } from '../helpers/agent.js';
import { FIREWALL, MWAN3, SERVICES, firewallRule, makeScriptedInitd, mwan3Rule, parseConfigDir, snapshotDir } from './lib.js';

const RELOAD_DELAY_MS = 50;

function scripted() {
  const dir = makeTempDir('sdewan-initd-');
  return { dir, ...makeScriptedInitd(path.join(dir, 'init.d')) };
}

/**
 * An agent over scripted init scripts for the tests of one describe block: started before
 * them, stopped after, with the scripts back to succeeding after each test.
 */
function agentWithScriptedServices(env: Record<string, string> = {}) {
  const s = {} as { agent: Agent; initd: ReturnType<typeof scripted> };
  beforeAll(async () => {
    s.initd = scripted();
    s.agent = await startAgent({
      initd: path.join(s.initd.dir, 'init.d'),
      env: { ...env, SDEWAN_RELOAD_DELAY_MS: String(RELOAD_DELAY_MS), SDEWAN_SERVICE_TIMEOUT_MS: '1500' },
    });
  });
  afterAll(async () => {
    await s.agent?.stop();
    rmSync(s.initd.dir, { recursive: true, force: true });
  });
  afterEach(() => {
    s.initd.fail(undefined);
    s.initd.hang(false);
  });
  return s;
}

describe('failing and hanging service scripts', () => {
  const s = agentWithScriptedServices();

  it('answers a failing explicit action with a 500 carrying the script message, and keeps serving', async () => {
    s.initd.fail('mwan3: cannot load rules: table 42 busy');
    const res = await s.agent.request('PUT', `${SERVICES}/service/mwan3`, { action: 'restart' });
    expect(res.status).toBe(500);
    expect(res.json.message).toContain('table 42 busy');
    expect((await s.agent.request('GET', `${MWAN3}/policies`)).status).toBe(200);
    const status = await s.agent.request('GET', `${SERVICES}/status/services`);
    expect(status.json.status.mwan3).toMatchObject({ ok: false, trigger: 'explicit' });
    expect(status.json.status.mwan3.message).toContain('table 42 busy');
    s.initd.fail(undefined);
    expect((await s.agent.request('PUT', `${SERVICES}/service/mwan3`, { action: 'restart' })).status).toBe(200);
  });

  it('answers a hanging action with a 504 after the timeout, serving other requests meanwhile', async () => {
    s.initd.hang(true);
    const before = s.initd.calls().length;
    const hung = s.agent.request('PUT', `${SERVICES}/service/firewall`, { action: 'reload' });
    let settled = false;
    void hung.finally(() => (settled = true));
    // the script is running (it logged its call) and the agent still answers
    await waitFor(() => s.initd.calls().length > before, { what: 'the script to start' });
    for (let i = 0; i < 5; i++) {
      expect((await s.agent.request('GET', `${FIREWALL}/zones`)).status).toBe(200);
      expect((await s.agent.request('GET', `${MWAN3}/rules`)).status).toBe(200);
    }
    expect(settled).toBe(false);
    const res = await hung;
    expect(res.status).toBe(504);
    expect(res.json.message).toMatch(/firewall reload failed/);
    expect((await s.agent.request('GET', `${SERVICES}/services`)).status).toBe(200);
  });

  it('without SDEWAN_ROLLBACK, a write whose reload fails stays and is answered 2xx; the failure shows in the status', async () => {
    s.initd.fail('firewall: fw4 refused the ruleset');
    const before = s.initd.calls().length;
    const res = await s.agent.request('POST', `${FIREWALL}/rules`, firewallRule('kept-rule', 1));
    expect(res.status).toBe(201);
    await waitFor(async () => (await s.agent.request('GET', `${SERVICES}/status/services`)).json.status.firewall?.trigger === 'auto' && s.initd.calls().length > before, {
      what: 'the automatic reload',
    });
    const status = (await s.agent.request('GET', `${SERVICES}/status/services`)).json.status.firewall;
    expect(status).toMatchObject({ ok: false, trigger: 'auto' });
    expect(status.message).toContain('fw4 refused the ruleset');
    expect((await s.agent.request('GET', `${FIREWALL}/rules/kept-rule`)).json).toEqual(firewallRule('kept-rule', 1));
  });
});

describe('SDEWAN_ROLLBACK=1', () => {
  const s = agentWithScriptedServices({ SDEWAN_ROLLBACK: '1' });

  it('answers a write only after its reload succeeded', async () => {
    const before = s.initd.calls().length;
    const res = await s.agent.request('POST', `${MWAN3}/rules`, mwan3Rule('good', 1));
    expect(res.status).toBe(201);
    // the reload already ran when the answer came
    expect(s.initd.calls().slice(before)).toEqual(['mwan3 restart']);
  });

  it('rolls a create back when its reload fails, answers 500 with the message, and schedules nothing else', async () => {
    const files = snapshotDir(s.agent.confdir);
    s.initd.fail('mwan3: rule rejected by iptables');
    const before = s.initd.calls().length;
    const res = await s.agent.request('POST', `${MWAN3}/rules`, mwan3Rule('doomed', 2));
    expect(res.status).toBe(500);
    expect(res.json.message).toContain('rule rejected by iptables');
    expect(res.json.message).toContain('rolled back');
    expect(s.agent.readFile('mwan3')).toBe(files.get('mwan3')!.toString('utf8'));
    expect((await s.agent.request('GET', `${MWAN3}/rules/doomed`)).status).toBe(404);
    // one failed reload, and no second one for the rollback: wait for several reload windows
    await new Promise((r) => setTimeout(r, RELOAD_DELAY_MS * 6));
    expect(s.initd.calls().slice(before)).toEqual(['mwan3 restart']);
    parseConfigDir(s.agent.confdir);
  });

  it('rolls a replace back to the previous version', async () => {
    const original = firewallRule('edit-me', 10);
    expect((await s.agent.request('POST', `${FIREWALL}/rules`, original)).status).toBe(201);
    const file = s.agent.readFile('firewall');
    s.initd.fail('firewall: bad port');
    const res = await s.agent.request('PUT', `${FIREWALL}/rules/edit-me`, { ...original, dest_port: '9999', target: 'DROP' });
    expect(res.status).toBe(500);
    expect(res.json.message).toContain('bad port');
    expect(s.agent.readFile('firewall')).toBe(file);
    s.initd.fail(undefined);
    expect((await s.agent.request('GET', `${FIREWALL}/rules/edit-me`)).json).toEqual(original);
  });

  it('rolls back on a hanging reload too (504), and serves meanwhile', async () => {
    const file = s.agent.readFile('mwan3');
    s.initd.hang(true);
    const before = s.initd.calls().length;
    const pending = s.agent.request('DELETE', `${MWAN3}/rules/good`);
    await waitFor(() => s.initd.calls().length > before, { what: 'the reload to start' });
    // committed, waiting for its reload: the agent answers, and shows the change
    expect((await s.agent.request('GET', `${MWAN3}/rules/good`)).status).toBe(404);
    expect((await s.agent.request('GET', `${FIREWALL}/zones`)).status).toBe(200);
    const res = await pending;
    expect(res.status).toBe(504);
    expect(res.json.message).toContain('rolled back');
    expect(s.agent.readFile('mwan3')).toBe(file);
    expect((await s.agent.request('GET', `${MWAN3}/rules/good`)).json).toEqual(mwan3Rule('good', 1));
  });

  it('keeps working once the service recovers', async () => {
    const res = await s.agent.request('PUT', `${MWAN3}/rules/after`, mwan3Rule('after', 3));
    expect(res.status).toBe(200);
    expect((await s.agent.request('GET', `${MWAN3}/rules/after`)).json).toEqual(mwan3Rule('after', 3));
  });
});

describe('the SDEWAN_ROLLBACK setting', () => {
  it('refuses a value that is not a boolean, naming the setting', async () => {
    const end = await runAgentUntilExit({ env: { SDEWAN_ROLLBACK: 'maybe' } });
    expect(end.code).toBe(2);
    expect(end.logs).toContain('SDEWAN_ROLLBACK');
  });
});
