// Sections a write generates beside its object's own (a policy's `<policy>_<interface>`
// members, a remote's connections and address pools) never take over a section that exists
// and is not the object's: the create is a 409 and every file stays as it was. And a write
// that drops such a section (a PUT with fewer members) removes it.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { type Agent, startAgent } from '../helpers/agent.js';
import { LUCI, NETWORK, VALID, changedFiles, ipsecProposal, snapshotTree } from './lib.js';

type Obj = Record<string, unknown>;

/** More objects whose writes generate sections the VALID ones do not (an address pool). */
const VARIANTS: Record<string, Obj[]> = {
  '/sdewan/mwan3/v1/policies': [{ name: 'two', members: [{ interface: 'wan', metric: '1', weight: '2' }, { interface: 'wanb', metric: '2', weight: '1' }] }],
  '/sdewan/ipsec/v1/remotes': [
    {
      name: 'pooled', type: 'VTI-based', gateway: '10.0.0.3', authentication_method: 'psk', pre_shared_key: 'pool-key',
      connections: [{ name: 'road', conn_type: 'tunnel', mode: 'start', local_subnet: '192.168.1.0/24', remote_sourceip: '10.20.0.0/24', crypto_proposal: ['base-prop'] }],
    },
  ],
};

/** The named sections a batch creates: `set pkg.section=type` lines. */
function createdSections(batch: string, pkg: string): Array<{ section: string; type: string }> {
  const out: Array<{ section: string; type: string }> = [];
  for (const m of batch.matchAll(new RegExp(`^set ${pkg}\\.([A-Za-z0-9_]+)=([A-Za-z0-9_]+)$`, 'gm'))) out.push({ section: m[1]!, type: m[2]! });
  return out;
}

describe('generated section names', () => {
  let agent: Agent;
  const files = () => new Map([...snapshotTree(agent.dir)].filter(([f]) => !f.startsWith('init.d/')));

  beforeAll(async () => {
    agent = await startAgent({ config: { network: NETWORK } });
    expect((await agent.request('POST', `${LUCI}/sdewan/ipsec/v1/proposals`, ipsecProposal('base-prop'))).status).toBe(201);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('refuses with 409 a create whose generated sections exist and are not its own, for every kind', async () => {
    const tried: string[] = [];
    for (const def of resources) {
      const kind = `${def.prefix}/${def.collection}`;
      const url = `${LUCI}${kind}`;
      expect(VALID[kind], `a valid ${kind}`).toBeDefined();
      for (const obj of [VALID[kind]!, ...(VARIANTS[kind] ?? [])]) {
        const dry = await agent.request('POST', `${url}?dry_run=1`, obj);
        expect(dry.status, `${kind} dry run: ${dry.text}`).toBe(200);
        for (const { section, type } of createdSections(dry.json.batch as string, def.config)) {
          // a hand-made section of the same type and name, then the create
          const file = path.join(agent.confdir, def.config);
          const original = readFileSync(file);
          appendFileSync(file, `\nconfig ${type} '${section}'\n\toption hand 'made'\n`);
          const before = files();
          const res = await agent.request('POST', url, obj);
          const label = `${kind} ${JSON.stringify(obj.name)} over a hand-made ${type} '${section}' -> ${res.status} ${res.text}`;
          expect(res.status, label).toBe(409);
          expect(typeof res.json?.message, label).toBe('string');
          expect(changedFiles(before, files()), label).toEqual([]);
          writeFileSync(file, original);
          tried.push(`${type} ${section}`);
        }
      }
    }
    // the classes this is about were among the cases
    expect(tried).toEqual(expect.arrayContaining(['member probe_wan', 'member two_wanb', 'tunnel probe_conn', 'pools road_pool', 'remote pooled']));
  });

  it('never takes over, nor deletes, a standalone member named like a policy member', async () => {
    const member = await agent.request('POST', `${LUCI}/sdewan/mwan3/v1/members`, { name: 'own_wan', interface: 'wan', metric: '3', weight: '4' });
    expect(member.status).toBe(201);
    const res = await agent.request('POST', `${LUCI}/sdewan/mwan3/v1/policies`, { name: 'own', members: [{ interface: 'wan', metric: '1', weight: '1' }] });
    expect(res.status, res.text).toBe(409);
    expect((await agent.request('GET', `${LUCI}/sdewan/mwan3/v1/members/own_wan`)).json).toEqual(member.json);
    expect((await agent.request('GET', `${LUCI}/sdewan/mwan3/v1/policies/own`)).status).toBe(404);
    expect((await agent.request('DELETE', `${LUCI}/sdewan/mwan3/v1/members/own_wan`)).status).toBe(200);
  });

  it('removes the member sections a PUT of a policy drops', async () => {
    const url = `${LUCI}/sdewan/mwan3/v1/policies`;
    const members = [{ interface: 'wan', metric: '1', weight: '2' }, { interface: 'wanb', metric: '2', weight: '1' }];
    const memberSections = () => [...agent.readFile('mwan3').matchAll(/^config member '(shrink_[a-z]+)'/gm)].map((m) => m[1]);
    expect((await agent.request('POST', url, { name: 'shrink', members })).status).toBe(201);
    expect(memberSections()).toEqual(['shrink_wan', 'shrink_wanb']);

    let res = await agent.request('PUT', `${url}/shrink`, { members: [members[1]] });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ name: 'shrink', members: [members[1]] });
    expect(memberSections()).toEqual(['shrink_wanb']);

    res = await agent.request('PUT', `${url}/shrink`, { members: [] });
    expect(res.status, res.text).toBe(200);
    expect(memberSections()).toEqual([]);

    expect((await agent.request('PUT', `${url}/shrink`, { members })).status).toBe(200);
    expect((await agent.request('DELETE', `${url}/shrink`)).status).toBe(200);
    expect(memberSections()).toEqual([]);
  });

  it('keeps the members a policy lists but did not generate, through a PUT that drops them and a DELETE', async () => {
    // the shipped `balanced` lists two standalone members, one shared with `wan_wanb`
    const url = `${LUCI}/sdewan/mwan3/v1`;
    const before = (await agent.request('GET', `${url}/members`)).json.members as Obj[];
    expect(before.map((m) => m.name)).toEqual(expect.arrayContaining(['wan_m1_w3', 'wanb_m1_w2']));
    const res = await agent.request('PUT', `${url}/policies/balanced`, { members: [{ interface: 'wan', metric: '1', weight: '1' }] });
    expect(res.status, res.text).toBe(200);
    const after = (await agent.request('GET', `${url}/members`)).json.members as Obj[];
    expect(after.filter((m) => m.name !== 'balanced_wan')).toEqual(before);
    // its own generated member goes with a PUT that drops it; the standalone ones stay
    expect((await agent.request('PUT', `${url}/policies/balanced`, { members: [{ interface: 'wanb', metric: '1', weight: '2' }] })).status).toBe(200);
    const last = (await agent.request('GET', `${url}/members`)).json.members as Obj[];
    expect(last.map((m) => m.name)).not.toContain('balanced_wan');
    expect(last.filter((m) => m.name !== 'balanced_wanb')).toEqual(before);
  });
});
