// The IPsec part of ICN's e2e verifier (platform/test/e2e-test/{edge-scripts,sdewan-hub/scripts}/
// sdwan_verifier.sh) against the real agent: its proposal, its site bodies as the script sends
// them (connections with the 2020 field `type` where the API now has `conn_type`), the list of
// `.../ipsec/v1/sites`, and the ipsec restart.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';

const IPSEC = '/cgi-bin/luci/sdewan/ipsec/v1';
const hubIp = '10.10.10.35';
const cnfWan0 = '10.10.10.36';

const proposal = { name: 'my_test_proposal1', encryption_algorithm: 'aes128', hash_algorithm: 'sha256', dh_group: 'modp3072' };

/** The edge's site: a peer address, a virtual IP asked for, the hub's subnets. */
const edgeSite = {
  name: 'edgeA',
  gateway: hubIp,
  pre_shared_key: 'test_key',
  authentication_method: 'psk',
  local_identifier: cnfWan0,
  crypto_proposal: ['my_test_proposal1'],
  force_crypto_proposal: '0',
  connections: [
    {
      name: 'connectionA',
      type: 'tunnel',
      mode: 'start',
      local_sourceip: '%config',
      remote_subnet: `192.168.1.1/24,${hubIp}/32`,
      crypto_proposal: ['my_test_proposal1'],
    },
  ],
};

/** The hub's site: any peer, an address range handed out, its own subnets. */
const hubSite = {
  name: 'Hub',
  gateway: '%any',
  pre_shared_key: 'test_key',
  authentication_method: 'psk',
  local_identifier: hubIp,
  crypto_proposal: ['my_test_proposal1'],
  force_crypto_proposal: '0',
  connections: [
    {
      name: 'connectionA',
      type: 'tunnel',
      mode: 'start',
      remote_sourceip: '192.168.1.5-192.168.1.6',
      local_subnet: `192.168.1.1/24,${hubIp}/32`,
      crypto_proposal: ['my_test_proposal1'],
    },
  ],
};

function uciShow(agent: Agent, ...sections: string[]): string[] {
  const out = execFileSync('bin/sdewan-uci', ['-c', agent.confdir, 'show', 'ipsec'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => sections.some((s) => line.startsWith(`ipsec.${s}=`) || line.startsWith(`ipsec.${s}.`)));
}

describe.each([
  ['the edge', edgeSite],
  ['the hub', hubSite],
])("the e2e verifier's IPsec steps on %s", (_where, site) => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => agent?.stop());

  it('the proposal, then the site under sites, read back as sent', async () => {
    expect((await agent.request('POST', `${IPSEC}/proposals`, proposal)).status).toBe(201);
    const created = await agent.request('POST', `${IPSEC}/sites`, site);
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual(site);
    const list = await agent.request('GET', `${IPSEC}/sites`);
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ sites: [site] });
    expect((await agent.request('GET', `${IPSEC}/remotes`)).json).toEqual({ remotes: [site] });
    expect((await agent.request('GET', `${IPSEC}/sites/${site.name}`)).json).toEqual(site);
  });

  it('stores the connection as the tunnel section swanctl.init reads, noting the field it came in', () => {
    const section = site.name;
    const lines = uciShow(agent, 'connectionA');
    expect(lines[0]).toBe('ipsec.connectionA=tunnel');
    expect(lines).toContain("ipsec.connectionA.startaction='start'");
    expect(lines).toContain("ipsec.connectionA.api_type_field='type'");
    const remote = uciShow(agent, section);
    expect(remote).toContain(`ipsec.${section}.tunnel='connectionA'`);
    // the peer under both names: remote_addrs (newer swanctl.init), gateway (OpenWRT 24.10's)
    expect(remote).toContain(`ipsec.${section}.remote_addrs='${site.gateway}'`);
    expect(remote).toContain(`ipsec.${section}.gateway='${site.gateway}'`);
    // the edge asks for a virtual IP: vips (newer), local_sourceip (24.10)
    const asks = 'local_sourceip' in site.connections[0]!;
    expect(remote.includes(`ipsec.${section}.vips='0.0.0.0'`)).toBe(asks);
    expect(remote.includes(`ipsec.${section}.local_sourceip='0.0.0.0'`)).toBe(asks);
  });

  it('restarts ipsec as the script does', async () => {
    const res = await agent.request('PUT', '/cgi-bin/luci/sdewan/v1/service/ipsec', { action: 'restart' });
    expect(res.status, res.text).toBe(200);
  });
});

describe('conn_type and type', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
    await agent.request('POST', `${IPSEC}/proposals`, proposal);
  });
  afterAll(async () => agent?.stop());

  const withConnection = (name: string, connection: Record<string, unknown>) => ({
    ...edgeSite,
    name,
    connections: [{ name: `${name}_c`, mode: 'add', ...connection }],
  });

  it('reads back conn_type, type, or both, as sent; a PUT changes which', async () => {
    for (const [name, fields] of [
      ['by_conn_type', { conn_type: 'transport' }],
      ['by_type', { type: 'transport' }],
      ['by_both', { conn_type: 'tunnel', type: 'tunnel' }],
    ] as const) {
      const body = withConnection(name, fields);
      const res = await agent.request('POST', `${IPSEC}/remotes`, body);
      expect(res.status, res.text).toBe(201);
      expect(res.json.connections).toEqual(body.connections);
    }
    const put = withConnection('by_type', { conn_type: 'transport' });
    expect((await agent.request('PUT', `${IPSEC}/remotes/by_type`, put)).json.connections).toEqual(put.connections);
    expect(uciShow(agent, 'by_type_c').some((l) => l.includes('api_type_field'))).toBe(false);
  });

  it('refuses a connection with neither, or with two different types, and changes nothing', async () => {
    const before = agent.readFile('ipsec');
    const none = await agent.request('POST', `${IPSEC}/remotes`, withConnection('bad1', {}));
    expect(none.status).toBe(400);
    expect(none.json.message).toBe('Field[connections.0.conn_type] checked failed: is required (or type, its older name)');
    const both = await agent.request('POST', `${IPSEC}/remotes`, withConnection('bad2', { conn_type: 'tunnel', type: 'transport' }));
    expect(both.status).toBe(400);
    expect(both.json.message).toBe('Field[connections.0.type] checked failed: should be the same as conn_type');
    const wrong = await agent.request('POST', `${IPSEC}/remotes`, withConnection('bad3', { type: 'vti' }));
    expect(wrong.json.message).toBe('Field[connections.0.type] checked failed: should be one of tunnel, transport');
    expect(agent.readFile('ipsec')).toBe(before);
  });
});
