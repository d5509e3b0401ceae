// Change sets over a real socket, on a started agent: validation on the state the earlier
// changes produce (naming the index), all or nothing, one reload per service, the rollback
// timer and its confirmation, and the 409 of a write to a package a pending set holds.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotDir } from '../hardening/lib.js';
import { startAgent, waitFor, type Agent } from '../helpers/agent.js';

const CHANGES = '/cgi-bin/luci/sdewan/v1/changes';
const MWAN3 = '/cgi-bin/luci/sdewan/mwan3/v1';
const FIREWALL = '/cgi-bin/luci/sdewan/firewall/v1';

const mwan3Rule = (name: string, policy = 'balanced', port = '8080') => ({ name, policy, proto: 'tcp', dest_port: port, family: 'ipv4' });
const firewallRule = (name: string, port = '8080') => ({ name, src: 'wan', proto: 'tcp', dest_port: port, target: 'ACCEPT', family: 'ipv4' });

describe('change sets', () => {
  let agent: Agent;
  /** The init scripts' calls (script name first) since `from`. */
  const callsSince = (from: number) => agent.callsLog().slice(from);
  const scripts = (calls: string[]) => calls.map((c) => c.split(' ')[0]).sort();
  const configDir = () => snapshotDir(agent.confdir);
  const expectSameFiles = (before: Map<string, Buffer>) => {
    const now = configDir();
    expect([...now.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, bytes] of before) expect(now.get(name)?.equals(bytes), name).toBe(true);
  };
  const apply = (body: unknown) => agent.request('POST', CHANGES, body);

  beforeAll(async () => {
    // SDEWAN_ROLLBACK: a write is answered once the reloads it caused ran, so calls.log is final
    agent = await startAgent({ env: { SDEWAN_ROLLBACK: '1' } });
  });
  afterAll(async () => agent?.stop());

  it('validates each change on the state the earlier ones produce', async () => {
    // alone, the rule's policy does not exist; after change 0 it does
    const ok = await apply({
      changes: [
        { method: 'POST', path: 'mwan3/v1/policies', body: { name: 'pset', members: [{ interface: 'wan', metric: '1', weight: '2' }] } },
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('rset', 'pset') },
      ],
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.results[1]).toEqual({ name: 'rset', policy: 'pset', proto: 'tcp', dest_port: '8080', family: 'ipv4' });
    expect(ok.json.state).toBe('confirmed');

    // a rule created by change 0 exists for change 1: a second POST of it is a conflict
    const before = configDir();
    const dup = await apply({
      changes: [
        { method: 'POST', path: 'firewall/v1/rules', body: firewallRule('fwdup') },
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('dup') },
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('dup') },
      ],
    });
    expect(dup.status).toBe(409);
    expect(dup.json.message).toMatch(/^changes\.2: /);
    expectSameFiles(before);

    // a rule deleted by change 0 is gone for change 1
    const gone = await apply({
      changes: [
        { method: 'DELETE', path: 'mwan3/v1/rules/rset' },
        { method: 'PUT', path: 'mwan3/v1/rules/rset2', body: mwan3Rule('rset2', 'pset') },
        { method: 'DELETE', path: 'mwan3/v1/rules/rset' },
      ],
    });
    expect(gone.status).toBe(404);
    expect(gone.json.message).toBe('changes.2: Not found');
    expectSameFiles(before);
  });

  it('refuses the whole set when one change is invalid, naming its index and field', async () => {
    const before = configDir();
    const res = await apply({
      changes: [
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('never1') },
        { method: 'PUT', path: 'firewall/v1/rules/never2', body: firewallRule('never2') },
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('never3', 'no_such_policy') },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^changes\.2: Field\[policy\] checked failed: /);
    // a schema error of the body, then errors of the envelope
    const bad = await apply({ changes: [{ method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('x') }, { method: 'POST', path: 'mwan3/v1/rules', body: { name: 'y', proto: 7 } }] });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^changes\.1: Field\[\w+\] checked failed: /);
    const method = await apply({ changes: [{ method: 'GET', path: 'mwan3/v1/rules' }] });
    expect(method.json.message).toMatch(/^Field\[changes\.0\.method\] checked failed: /);
    const where = await apply({ changes: [{ method: 'DELETE', path: 'mwan3/v1/rules/https' }, { method: 'DELETE', path: 'mwan3/v9/rules/https' }] });
    expect(where.json.message).toMatch(/^Field\[changes\.1\.path\] checked failed: names no collection/);
    // a merge patch is validated whole, on the state the earlier changes produce
    const patch = await apply({ changes: [{ method: 'PATCH', path: 'mwan3/v1/rules/https', body: { dest_port: '70000' } }] });
    expect(patch.status).toBe(400);
    expect(patch.json.message).toMatch(/^changes\.0: Field\[dest_port\] checked failed: /);
    const missing = await apply({ changes: [{ method: 'PATCH', path: 'mwan3/v1/rules/nope', body: { dest_port: '1' } }] });
    expect(missing.status).toBe(404);
    const renamed = await apply({ changes: [{ method: 'PUT', path: 'mwan3/v1/rules/https', body: mwan3Rule('other') }] });
    expect(renamed.json.message).toMatch(/^changes\.0: Field\[name\] checked failed: /);
    const remotePatch = await apply({ changes: [{ method: 'PATCH', path: 'ipsec/v1/remotes/r', body: { gateway: '10.0.0.1' } }] });
    expect(remotePatch.json.message).toMatch(/^changes\.0: PATCH of remotes is not supported in a change set/);
    const uri = await apply({ changes: [{ method: 'POST', path: 'mwan3/v1/rules/https', body: mwan3Rule('https') }] });
    expect(uri.json.message).toBe('changes.0: Bad request URI');
    const after = await apply({ changes: [{ method: 'DELETE', path: 'mwan3/v1/rules/https' }], rollback_after: 601 });
    expect(after.json.message).toMatch(/^Field\[rollback_after\] checked failed: /);
    const none = await apply({ changes: [] });
    expect(none.json.message).toMatch(/^Field\[changes\] checked failed: /);
    expectSameFiles(before);
    // nothing was reloaded for refused sets
  });

  it('takes merge patches of objects, the earlier changes of the set included', async () => {
    const set = await apply({
      changes: [
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('patched') },
        { method: 'PATCH', path: 'mwan3/v1/rules/patched', body: { dest_port: '9090', family: null } },
      ],
    });
    expect(set.status).toBe(200);
    expect(set.json.results[1]).toEqual({ name: 'patched', policy: 'balanced', proto: 'tcp', dest_port: '9090' });
    expect((await agent.request('GET', `${MWAN3}/rules/patched`)).json).toEqual({ name: 'patched', policy: 'balanced', proto: 'tcp', dest_port: '9090' });
    expect((await apply({ changes: [{ method: 'DELETE', path: 'mwan3/v1/rules/patched' }] })).status).toBe(200);
  });

  it('commits every package together and reloads each service once', async () => {
    const from = agent.callsLog().length;
    const res = await apply({
      changes: [
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('both1', 'balanced', '81') },
        { method: 'PUT', path: 'firewall/v1/rules/both2', body: firewallRule('both2', '82') },
        { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('both3', 'balanced', '83') },
        { method: 'POST', path: 'nat/v1/nats', body: { name: 'both4', target: 'MASQUERADE', dest: 'lo', src_ip: '10.0.0.0/8', proto: 'tcp', index: '1' } },
        { method: 'DELETE', path: 'firewall/v1/rules/both2' },
        { method: 'PUT', path: 'firewall/v1/rules/both2', body: firewallRule('both2', '84') },
      ],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json.packages).toEqual(['firewall', 'mwan3']);
    expect(res.json.results[0]).toEqual(mwan3Rule('both1', 'balanced', '81'));
    expect(res.json.results[1]).toEqual(firewallRule('both2', '84')); // as read back after the whole set
    expect(res.json.results[4]).toEqual({ message: 'success' });
    expect(scripts(callsSince(from))).toEqual(['firewall', 'mwan3']);
    expect(agent.readFile('mwan3')).toContain("config rule 'both3'");
    expect((await agent.request('GET', `${FIREWALL}/rules/both2`)).json).toEqual(firewallRule('both2', '84'));
    expect((await agent.request('GET', `${CHANGES}/${res.json.id}`)).json).toMatchObject({ id: res.json.id, state: 'confirmed', packages: ['firewall', 'mwan3'] });
  });

  it('rolls a set back byte for byte when it is not confirmed in time, and keeps a confirmed one', async () => {
    const before = configDir();
    const from = agent.callsLog().length;
    const res = await apply({
      rollback_after: 2,
      changes: [
        { method: 'DELETE', path: 'mwan3/v1/rules/https' },
        { method: 'POST', path: 'firewall/v1/rules', body: firewallRule('temporary') },
      ],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.state).toBe('pending');
    const deadline = Date.parse(res.json.deadline);
    expect(deadline - Date.parse(res.json.created_at)).toBe(2000);
    const applied = agent.readFile('mwan3');
    // (read before the deadline, unless the machine is that slow)
    if (Date.now() < deadline) expect(applied).not.toContain("'https'");
    const done = await waitFor(async () => {
      const r = await agent.request('GET', `${CHANGES}/${res.json.id}`);
      return r.json.state === 'rolled_back' ? r.json : undefined;
    }, { timeoutMs: 30_000, what: 'the rollback' });
    expect(Date.parse(done.rolled_back_at)).toBeGreaterThanOrEqual(Date.parse(res.json.deadline));
    expectSameFiles(before);
    // the reloads of the set, then those of its rollback
    await waitFor(() => callsSince(from).length >= 4, { timeoutMs: 30_000, what: 'the reloads of the rollback' });
    expect(scripts(callsSince(from))).toEqual(['firewall', 'firewall', 'mwan3', 'mwan3']);
    const late = await agent.request('POST', `${CHANGES}/${res.json.id}/confirm`);
    expect(late.status).toBe(409);

    const kept = await apply({ rollback_after: 5, changes: [{ method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('kept') }] });
    const confirmed = await agent.request('POST', `${CHANGES}/${kept.json.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.state).toBe('confirmed');
    // past its deadline: still there
    await waitFor(() => Date.now() > Date.parse(kept.json.deadline) + 500, { timeoutMs: 10_000, what: 'the deadline' });
    expect((await agent.request('GET', `${MWAN3}/rules/kept`)).status).toBe(200);
    expect((await agent.request('GET', `${CHANGES}/${kept.json.id}`)).json.state).toBe('confirmed');
  });

  it('refuses with 409 any other write to a package a pending set holds', async () => {
    const res = await apply({ rollback_after: 600, changes: [{ method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('held') }] });
    expect(res.status).toBe(200);
    const id = res.json.id as string;
    const before = readFileSync(path.join(agent.confdir, 'mwan3'));
    const single = await agent.request('POST', `${MWAN3}/rules`, mwan3Rule('other'));
    expect(single.status).toBe(409);
    expect(single.json.message).toContain(id);
    const del = await agent.request('DELETE', `${MWAN3}/policies/wan_wanb`);
    expect(del.status).toBe(409);
    const set = await apply({ changes: [{ method: 'POST', path: 'firewall/v1/rules', body: firewallRule('free') }, { method: 'POST', path: 'mwan3/v1/rules', body: mwan3Rule('other') }] });
    expect(set.status).toBe(409);
    expect(set.json.message).toContain(id);
    expect(readFileSync(path.join(agent.confdir, 'mwan3')).equals(before)).toBe(true);
    expect(agent.readFile('firewall')).not.toContain("'free'");
    // another package is free
    expect((await agent.request('POST', `${FIREWALL}/rules`, firewallRule('free'))).status).toBe(201);
    expect((await agent.request('POST', `${CHANGES}/${id}/confirm`)).json.state).toBe('confirmed');
    expect((await agent.request('POST', `${MWAN3}/rules`, mwan3Rule('other'))).status).toBe(201);
  });

  it('answers 404 for an unknown set and 405 for other methods', async () => {
    expect((await agent.request('GET', `${CHANGES}/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await agent.request('POST', `${CHANGES}/00000000-0000-0000-0000-000000000000/confirm`)).status).toBe(404);
    const get = await agent.request('GET', CHANGES);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
