// The routing collections over HTTP, with the agent in a network namespace whose devices
// net0 and net1 are veths (net1 holds the default route), as in a CNF pod. The init scripts
// record their calls: each committed write schedules `network reload`.
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, isClientError } from '../../packages/client/src/index.js';
import { type Agent, waitFor } from '../helpers/agent.js';
import { SAMPLE_APPLICATION, SAMPLE_ROUTE, SAMPLE_ROUTE_RULE } from '../helpers/samples.js';
import { agentInPodNamespace, type PodNamespace } from './netns.js';

const ROUTES = '/cgi-bin/luci/sdewan/route/v1/routes';
const RULES = '/cgi-bin/luci/sdewan/rule/v1/rules';
const APPS = '/cgi-bin/luci/sdewan/application/v1/applications';

let pod: PodNamespace;
let agent: Agent;
const subnet = (i: number) => pod.subnet(i);

beforeAll(async () => {
  pod = await agentInPodNamespace(4, { env: { SDEWAN_RELOAD_DELAY_MS: '200' } });
  agent = pod.agent;
});

afterAll(async () => {
  await pod?.stop();
});

const reloads = () => agent.callsLog().filter((l) => l === 'network reload').length;
/** Waits until the reloads counted reach `n`, then checks no other service was touched. */
async function reloadsReach(n: number) {
  await waitFor(() => reloads() >= n, { what: `${n} network reloads` });
  expect(agent.callsLog().filter((l) => l !== 'network reload')).toEqual([]);
}

describe('routes over HTTP', () => {
  it('creates the ICN sample route on the interface of net1 and reloads network', async () => {
    const created = await agent.request('POST', ROUTES, SAMPLE_ROUTE);
    expect(created.status).toBe(201);
    expect(created.json).toEqual(SAMPLE_ROUTE);
    expect(agent.readFile('network')).toContain(
      "config route\n\toption name 'cnfroute-sample'\n\toption sdewan_kind 'route'\n\toption interface 'pnetwork'\n\toption target '192.167.23.0/24'\n\toption gateway '172.16.44.11'\n\toption table '40'\n\toption sdewan_dev 'net1'\n",
    );
    await reloadsReach(1);
    expect((await agent.request('GET', `${ROUTES}/cnfroute-sample`)).json).toEqual(SAMPLE_ROUTE);
    expect((await agent.request('POST', `${ROUTES}/`, SAMPLE_ROUTE)).status).toBe(409);
  });

  it('resolves #default and #<ip> in the namespace, keeping them as sent', async () => {
    const viaDefault = { name: 'to-default', dst: 'default', gw: `${subnet(1)}.1`, dev: '#default' };
    const res = await agent.request('PUT', `${ROUTES}/to-default`, viaDefault);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(viaDefault);
    const byIp = { name: 'by-ip', dst: '10.77.0.0/16', dev: `#${subnet(0)}.2`, table: 'cnf' };
    expect((await agent.request('POST', ROUTES, byIp)).json).toEqual(byIp);
    const text = agent.readFile('network');
    expect(text).toContain("option interface 'pnetwork'\n\toption target '0.0.0.0/0'");
    expect(text).toContain(`option interface 'ovn_net'\n\toption target '10.77.0.0/16'\n\toption table '40'\n\toption sdewan_dev '#${subnet(0)}.2'`);
    const list = await agent.request('GET', ROUTES);
    expect(list.json).toEqual({ routes: [SAMPLE_ROUTE, viaDefault, byIp] });
  });

  it('answers 428 for a device the namespace does not have, 400 for a bad field, and writes nothing', async () => {
    const before = agent.readFile('network');
    const missing = await agent.request('POST', ROUTES, { ...SAMPLE_ROUTE, name: 'r9', dev: 'net9' });
    expect(missing.status).toBe(428);
    expect(missing.json.message).toMatch(/^Field\[dev\] checked failed: /);
    const noAddr = await agent.request('PUT', `${ROUTES}/r9`, { ...SAMPLE_ROUTE, name: 'r9', dev: '#10.1.2.3' });
    expect(noAddr.status).toBe(428);
    const bad = await agent.request('POST', ROUTES, { ...SAMPLE_ROUTE, name: 'r8', table: 'main' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^Field\[table\] checked failed: /);
    expect(agent.readFile('network')).toBe(before);
  });

  it('answers a dry run with the batch and changes nothing; deletes; 404 and 405 as every collection', async () => {
    const before = agent.readFile('network');
    const dry = await agent.request('DELETE', `${ROUTES}/by-ip?dry_run=1`);
    expect(dry.status).toBe(200);
    expect(dry.json).toEqual({ dry_run: true, batch: expect.stringContaining('delete network.@route[2]') });
    expect(agent.readFile('network')).toBe(before);
    expect((await agent.request('DELETE', `${ROUTES}/by-ip`)).json).toEqual({ message: 'success' });
    expect((await agent.request('GET', `${ROUTES}/by-ip`)).status).toBe(404);
    expect((await agent.request('DELETE', `${ROUTES}/by-ip`)).status).toBe(404);
    expect((await agent.request('OPTIONS', `${ROUTES}/to-default`)).status).toBe(405);
    expect((await agent.request('PATCH', `${ROUTES}/to-default`, {})).status).toBe(415);
    expect(agent.readFile('network')).not.toContain('10.77.0.0/16');
  });
});

describe('route rules and applications over HTTP', () => {
  it('creates the ICN sample rule; the list answers under rules and routerules', async () => {
    const { dst: _dst, ...sent } = SAMPLE_ROUTE_RULE;
    const created = await agent.request('POST', RULES, SAMPLE_ROUTE_RULE);
    expect(created.status).toBe(201);
    expect(created.json).toEqual(sent);
    expect(agent.readFile('network')).toContain(
      "config rule\n\toption name 'cnfrouterule-sample1'\n\toption sdewan_kind 'rule'\n\toption src '192.167.24.0/24'\n\toption priority '888'\n\toption mark '0x110'\n\toption lookup '40'\n\toption invert '1'\n",
    );
    const list = await agent.request('GET', RULES);
    expect(list.json).toEqual({ rules: [sent], routerules: [sent] });
    const bad = await agent.request('PUT', `${RULES}/x`, { name: 'x', src: '10.0.0.0/8', flag: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('Field[flag] checked failed: should be true or false');
  });

  it('creates the application with one rule per pod address; the list answers under applications and apps', async () => {
    const count = reloads();
    expect((await agent.request('POST', APPS, SAMPLE_APPLICATION)).json).toEqual(SAMPLE_APPLICATION);
    const text = agent.readFile('network');
    for (const addr of SAMPLE_APPLICATION.iplist.split(',')) {
      expect(text).toContain(`option sdewan_kind 'application'\n\toption src '${addr}'\n\toption lookup '40'\n\toption priority '32765'\n`);
    }
    expect((await agent.request('GET', APPS)).json).toEqual({ applications: [SAMPLE_APPLICATION], apps: [SAMPLE_APPLICATION] });
    await reloadsReach(count + 1);
    // The routes' rules are not the rule collection's, and the other way round.
    expect((await agent.request('GET', RULES)).json.rules.map((r: { name: string }) => r.name)).toEqual(['cnfrouterule-sample1']);
  });

  it('takes concurrent writes, each reloading network, and leaves the file alone when a write changes nothing', async () => {
    const count = reloads();
    const answers = await Promise.all([
      agent.request('PUT', `${APPS}/burst-a`, { name: 'burst-a', iplist: '10.244.3.1' }),
      agent.request('PUT', `${APPS}/burst-b`, { name: 'burst-b', iplist: '10.244.3.2' }),
      agent.request('PUT', `${RULES}/burst-c`, { name: 'burst-c', src: '10.244.3.0/24', table: 'main', flag: false }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await agent.request('GET', APPS)).json.apps.map((a: { name: string }) => a.name)).toEqual([SAMPLE_APPLICATION.name, 'burst-a', 'burst-b']);
    await reloadsReach(count + 1);
    // The same object again: no commit (the reload follows commits only).
    const file = path.join(agent.confdir, 'network');
    const before = statSync(file, { bigint: true });
    expect((await agent.request('PUT', `${APPS}/${SAMPLE_APPLICATION.name}`, SAMPLE_APPLICATION)).json).toEqual(SAMPLE_APPLICATION);
    const after = statSync(file, { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
  });
});

describe('the typed client', () => {
  it('serves the three collections as client.route, client.rule and client.application', async () => {
    const client = createClient({ url: agent.url, password: agent.password });
    try {
      const route = await client.route.routes.create({ name: 'typed', dst: '10.88.0.0/16', dev: 'net0', table: 'cnf' });
      expect(route).toEqual({ name: 'typed', dst: '10.88.0.0/16', dev: 'net0', table: 'cnf' });
      expect((await client.route.routes.list()).map((r) => r.name)).toContain('typed');
      expect(await client.rule.rules.get(SAMPLE_ROUTE_RULE.name)).toMatchObject({ flag: true, table: '40' });
      expect(await client.application.applications.find(SAMPLE_APPLICATION.name)).toEqual(SAMPLE_APPLICATION);
      const missing = await client.route.routes.update('typed', { dst: '10.88.0.0/16', dev: 'net5' }).catch((e: unknown) => e);
      expect(isClientError(missing, 428)).toBe(true);
      await client.route.routes.delete('typed');
      expect(await client.route.routes.find('typed')).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
