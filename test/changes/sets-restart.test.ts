// Pending change sets across an agent restart (SIGKILL, then a new process on the same
// directories): one whose deadline passed while the agent was down is rolled back at start,
// byte for byte; one still within its deadline stays pending, holds its package and is rolled
// back by the re-armed timer; a confirmed one stays.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AgentProcess, call, firewallRule, ipsecProposal, IPSEC, login, MWAN3, mwan3Rule, snapshotDir, spawnAgent } from '../hardening/lib.js';
import { restartableAgentDir, waitFor } from '../helpers/agent.js';

const CHANGES = '/cgi-bin/luci/sdewan/v1/changes';

describe('pending change sets across a restart', () => {
  const { dir, confdir, password, env } = restartableAgentDir('sdewan-sets-restart-');
  let agent: AgentProcess | undefined;
  const kill = async () => {
    agent!.child.kill('SIGKILL');
    await agent!.exited;
    agent = undefined;
  };
  afterAll(async () => {
    if (agent) await kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back at start what expired while down, re-arms the others, keeps the confirmed', { timeout: 90_000 }, async () => {
    agent = await spawnAgent(env);
    let cookie = await login(agent.url, 'root', password);
    const apply = async (body: unknown) => {
      const res = await call(agent!.url, cookie, 'POST', CHANGES, body);
      expect(res.status, res.text).toBe(200);
      return res.json as { id: string; deadline: string };
    };
    const state = async (id: string) => (await call(agent!.url, cookie, 'GET', `${CHANGES}/${id}`)).json.state as string;

    // confirmed: stays
    const kept = await apply({
      rollback_after: 600,
      changes: [
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('kept1', 1) },
        { method: 'POST', path: 'firewall/v1/rules', body: firewallRule('kept2', 2) },
      ],
    });
    expect((await call(agent.url, cookie, 'POST', `${CHANGES}/${kept.id}/confirm`)).json.state).toBe('confirmed');
    const beforeExpired = snapshotDir(confdir);
    // expires while the agent is down
    const expired = await apply({
      rollback_after: 1,
      changes: [
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('gone1', 3) },
        { method: 'DELETE', path: 'mwan3/v1/rules/https' },
        { method: 'PUT', path: 'firewall/v1/rules/gone2', body: firewallRule('gone2', 4) },
      ],
    });
    const beforeLater = snapshotDir(confdir);
    // still pending after the restart (unless the restart outlasted it)
    const later = await apply({ rollback_after: 15, changes: [{ method: 'POST', path: 'ipsec/v1/proposals', body: ipsecProposal('later') }] });
    expect(snapshotDir(confdir).get('ipsec')?.equals(beforeLater.get('ipsec')!)).toBe(false);
    await kill();

    // down until the first deadline has passed
    await waitFor(() => Date.now() > Date.parse(expired.deadline) + 50, { timeoutMs: 10_000, what: 'the first deadline' });
    agent = await spawnAgent(env);
    cookie = await login(agent.url, 'root', password);
    expect(await state(expired.id)).toBe('rolled_back');
    expect(await state(kept.id)).toBe('confirmed');
    const now = snapshotDir(confdir);
    for (const pkg of ['mwan3', 'firewall']) expect(now.get(pkg)?.equals(beforeExpired.get(pkg)!), pkg).toBe(true);
    expect(now.get('mwan3')!.toString()).toContain("'kept1'");

    const laterState = await state(later.id);
    if (Date.now() < Date.parse(later.deadline)) {
      // answered before its deadline: the set was pending, and holds ipsec
      expect(laterState).toBe('pending');
      const held = await call(agent.url, cookie, 'POST', `${IPSEC}/proposals`, ipsecProposal('other'));
      if (Date.now() < Date.parse(later.deadline)) expect([held.status, held.text]).toEqual([409, expect.stringContaining(later.id)]);
      // mwan3 and firewall are free again
      expect((await call(agent.url, cookie, 'POST', `${MWAN3}/rules`, mwan3Rule('free', 5))).status).toBe(201);
    }
    await waitFor(async () => (await state(later.id)) === 'rolled_back', { timeoutMs: 40_000, what: 'the re-armed rollback' });
    expect(snapshotDir(confdir).get('ipsec')?.equals(beforeLater.get('ipsec')!)).toBe(true);
    // no journal or temporary file left
    expect(readdirSync(path.join(dir, 'save', 'changes')).filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(readdirSync(confdir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
