import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent, waitFor } from '../helpers/agent.js';
import { hostBody, proposalBody, siteBody, withoutAbsent } from './samples.js';

const IPSEC = '/cgi-bin/luci/sdewan/ipsec/v1';
/** A pre-shared key distinctive enough to be searched for in the logs. */
const SECRET = 'Pre-Shared-9f3c1e77';

const b64 = (file: string) => readFileSync(`test/ipsec/fixtures/${file}`).toString('base64');

/** `uci show ipsec` lines of the given sections, through the project's uci command line. */
function show(agent: Agent, ...sections: string[]): string[] {
  const out = execFileSync('bin/sdewan-uci', ['-c', agent.confdir, 'show', 'ipsec'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => sections.some((s) => line.startsWith(`ipsec.${s}=`) || line.startsWith(`ipsec.${s}.`)));
}

describe('IPsec over HTTP', () => {
  let agent: Agent;
  let swanctlDir: string;
  beforeAll(async () => {
    swanctlDir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-swanctl-'));
    agent = await startAgent({ env: { SDEWAN_SWANCTL_DIR: swanctlDir, LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(swanctlDir, { recursive: true, force: true });
  });

  it('creates the sample proposal and site and reads them back deep-equal', async () => {
    const p = await agent.request('POST', `${IPSEC}/proposals`, proposalBody);
    expect(p.status).toBe(201);
    expect(p.json).toEqual(proposalBody);
    const s = await agent.request('POST', `${IPSEC}/remotes`, siteBody);
    expect(s.status).toBe(201);
    expect(s.json).toEqual(withoutAbsent(siteBody));
    expect((await agent.request('GET', `${IPSEC}/remotes/ipsecsite`)).json).toEqual(withoutAbsent(siteBody));
    expect((await agent.request('GET', `${IPSEC}/proposals`)).json).toEqual({ proposals: [proposalBody] });

    expect(show(agent, 'ipsecproposal')).toEqual([
      'ipsec.ipsecproposal=crypto_proposal',
      "ipsec.ipsecproposal.encryption_algorithm='aes'",
      "ipsec.ipsecproposal.hash_algorithm='sha1'",
      "ipsec.ipsecproposal.dh_group='modp4096'",
    ]);
    expect(show(agent, 'ipsecsite')).toEqual([
      'ipsec.ipsecsite=remote',
      "ipsec.ipsecsite.enabled='1'",
      "ipsec.ipsecsite.type='VTI-based'",
      "ipsec.ipsecsite.remote_addrs='%any'",
      "ipsec.ipsecsite.gateway='%any'",
      "ipsec.ipsecsite.authentication_method='psk'",
      "ipsec.ipsecsite.pre_shared_key='test_key'",
      "ipsec.ipsecsite.local_identifier='Hub'",
      "ipsec.ipsecsite.remote_identifier='host'",
      "ipsec.ipsecsite.crypto_proposal='ipsecproposal'",
      "ipsec.ipsecsite.force_crypto_proposal='0'",
      "ipsec.ipsecsite.pools='connB_pool'",
      "ipsec.ipsecsite.tunnel='connB'",
    ]);
    expect(show(agent, 'connB', 'connB_pool')).toEqual([
      'ipsec.connB=tunnel',
      "ipsec.connB.startaction='start'",
      "ipsec.connB.local_subnet='192.168.1.1/24' '10.10.10.35/32'",
      "ipsec.connB.remote_sourceip='192.168.1.5-192.168.1.6'",
      "ipsec.connB.crypto_proposal='ipsecproposal'",
      "ipsec.connB.mark='42'",
      "ipsec.connB.if_id='42'",
      "ipsec.connB.api_if_id_from='mark'",
      'ipsec.connB_pool=pools',
      "ipsec.connB_pool.addrs='192.168.1.5-192.168.1.6'",
    ]);
    await waitFor(() => agent.callsLog().includes('swanctl reload'), { what: 'swanctl reload' });
  });

  it('serves the remotes under the sites alias too', async () => {
    const body = { ...hostBody, pre_shared_key: SECRET };
    const created = await agent.request('POST', `${IPSEC}/sites`, body);
    expect(created.status).toBe(201);
    expect(created.json).toEqual(withoutAbsent(body));
    const all = await agent.request('GET', `${IPSEC}/sites`);
    // the list answers under the segment asked
    expect(all.json.sites.map((r: { name: string }) => r.name)).toEqual(['ipsecsite', 'ipsechost']);
    expect(Object.keys(all.json)).toEqual(['sites']);
    const remotesList = await agent.request('GET', `${IPSEC}/remotes`);
    expect(Object.keys(remotesList.json)).toEqual(['remotes']);
    expect(remotesList.json.remotes).toEqual(all.json.sites);
    expect((await agent.request('GET', `${IPSEC}/remotes/ipsechost`)).json).toEqual(withoutAbsent(body));
    expect(show(agent, 'ipsechost').filter((l) => l.includes('vips'))).toEqual(["ipsec.ipsechost.vips='0.0.0.0'"]);
  });

  it('refuses every invalid request with a 4xx and leaves the file byte-identical', async () => {
    const before = agent.readFile('ipsec');
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', 'proposals', { ...proposalBody, name: 'p2', encryption_algorithm: 'aes256gcm16' }, 400, 'Field[hash_algorithm]'],
      ['POST', 'proposals', { name: 'p2', encryption_algorithm: 'rot13' }, 400, 'Field[encryption_algorithm]'],
      ['POST', 'proposals', { name: 'p2', encryption_algorithm: 'aes', dh_group: 'modp1' }, 400, 'Field[dh_group]'],
      ['POST', 'proposals', proposalBody, 409, 'Conflict'],
      ['POST', 'remotes', siteBody, 409, 'Conflict'],
      ['POST', 'remotes', { ...siteBody, name: 'x', gateway: '' }, 400, 'Field[gateway] checked failed: is required'],
      ['POST', 'remotes', { ...siteBody, name: 'x', authentication_method: 'pubkey' }, 400, 'Field[local_public_cert]'],
      ['POST', 'remotes', { ...siteBody, name: 'x', pre_shared_key: '' }, 400, 'Field[pre_shared_key]'],
      ['POST', 'remotes', { ...siteBody, name: 'x', connections: [{ ...siteBody.connections[0], name: 'x2', conn_type: 'gre' }] }, 400, 'Field[connections.0.conn_type]'],
      ['POST', 'remotes', { ...siteBody, name: 'x', connections: [{ ...siteBody.connections[0], name: 'x2', local_subnet: '300.1.1.1/8' }] }, 400, 'Field[connections.0.local_subnet]'],
      ['POST', 'remotes', { ...siteBody, name: 'x', crypto_proposal: ['missing'], connections: [] }, 428, 'Field[crypto_proposal.0] checked failed: proposal "missing" is not defined'],
      ['PUT', 'remotes/x', { ...siteBody, name: 'x', connections: [{ ...siteBody.connections[0], name: 'x2', crypto_proposal: ['gone'] }] }, 428, 'Field[connections.0.crypto_proposal.0]'],
      ['POST', 'remotes', { ...siteBody, name: 'other' }, 409, "already used by tunnel \"connB\""],
      ['DELETE', 'proposals/ipsecproposal', undefined, 400, 'Proposal "ipsecproposal" is used by'],
      ['DELETE', 'proposals/none', undefined, 404, ''],
      ['DELETE', 'remotes/none', undefined, 404, ''],
    ];
    for (const [method, where, body, status, message] of cases) {
      const res = await agent.request(method, `${IPSEC}/${where}`, body);
      expect([method, where, res.status]).toEqual([method, where, status]);
      expect(res.json.message).toContain(message);
      expect(agent.readFile('ipsec')).toBe(before);
    }
  });

  it('PUT replaces the connections', async () => {
    const body = { ...siteBody, connections: [{ name: 'connC', conn_type: 'transport', mode: 'route', crypto_proposal: ['ipsecproposal'] }] };
    const res = await agent.request('PUT', `${IPSEC}/remotes/ipsecsite`, body);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(withoutAbsent(body));
    expect(show(agent, 'connB', 'connB_pool')).toEqual([]);
    expect(show(agent, 'connC')).toEqual(['ipsec.connC=transport', "ipsec.connC.startaction='route'", "ipsec.connC.crypto_proposal='ipsecproposal'"]);
  });

  it('DELETE removes a remote with its connections, then the proposal can go', async () => {
    for (const name of ['ipsecsite', 'ipsechost']) expect((await agent.request('DELETE', `${IPSEC}/remotes/${name}`)).json).toEqual({ message: 'success' });
    expect(show(agent, 'ipsecsite', 'ipsechost', 'connA', 'connC')).toEqual([]);
    expect((await agent.request('DELETE', `${IPSEC}/proposals/ipsecproposal`)).status).toBe(200);
    expect((await agent.request('GET', `${IPSEC}/remotes`)).json).toEqual({ remotes: [] });
  });

  it('pubkey: the certificates land with the right modes, read back as sent, and vanish on delete', async () => {
    const body = {
      name: 'pk-site',
      gateway: '10.9.9.9',
      authentication_method: 'pubkey',
      local_public_cert: b64('host.pem'),
      local_private_cert: b64('host.key'),
      shared_ca: b64('ca.pem'),
      connections: [],
    };
    const res = await agent.request('POST', `${IPSEC}/remotes`, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual(body);
    expect((await agent.request('GET', `${IPSEC}/remotes/pk-site`)).json).toEqual(body);
    const files = { x509: 0o644, private: 0o600, x509ca: 0o644 };
    for (const [dir, mode] of Object.entries(files)) {
      const file = path.join(swanctlDir, dir, 'pk_site.pem');
      expect(statSync(file).mode & 0o777).toBe(mode);
    }
    expect(readFileSync(path.join(swanctlDir, 'private/pk_site.pem'), 'utf8')).toBe(readFileSync('test/ipsec/fixtures/host.key', 'utf8'));
    expect(show(agent, 'pk_site').filter((l) => /local_cert|local_key|ca_cert/.test(l))).toEqual([
      "ipsec.pk_site.local_cert='pk_site.pem'",
      "ipsec.pk_site.local_key='pk_site.pem'",
      "ipsec.pk_site.ca_cert='pk_site.pem'",
    ]);

    const del = await agent.request('DELETE', `${IPSEC}/remotes/pk-site`);
    expect(del.status).toBe(200);
    for (const dir of Object.keys(files)) expect(existsSync(path.join(swanctlDir, dir, 'pk_site.pem'))).toBe(false);
    expect(show(agent, 'pk_site')).toEqual([]);
  });

  it('pubkey: the ETag covers the certificates kept in files; If-Match and a merge patch see them', async () => {
    const body = {
      name: 'pk-etag',
      gateway: '10.9.9.8',
      authentication_method: 'pubkey',
      local_public_cert: b64('host.pem'),
      local_private_cert: b64('host.key'),
      shared_ca: b64('ca.pem'),
      connections: [],
    };
    expect((await agent.request('POST', `${IPSEC}/remotes`, body)).status).toBe(201);
    const read = await agent.request('GET', `${IPSEC}/remotes/pk-etag`);
    const etag = read.headers.get('etag')!;
    const merge = { 'content-type': 'application/merge-patch+json' };
    const patched = await agent.request('PATCH', `${IPSEC}/remotes/pk-etag`, { gateway: '10.9.9.7' }, { headers: { ...merge, 'if-match': etag } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toEqual({ ...body, gateway: '10.9.9.7' });
    const now = patched.headers.get('etag')!;
    expect(now).not.toBe(etag);

    // the CA file replaced by hand: the object reads differently, so the ETag read before no longer holds
    const ca = path.join(swanctlDir, 'x509ca/pk_etag.pem');
    writeFileSync(ca, readFileSync('test/ipsec/fixtures/host.pem'));
    const after = await agent.request('GET', `${IPSEC}/remotes/pk-etag`);
    expect(after.json.shared_ca).toBe(b64('host.pem'));
    expect(after.headers.get('etag')).not.toBe(now);
    const before = agent.readFile('ipsec');
    const stale = await agent.request('PATCH', `${IPSEC}/remotes/pk-etag`, { gateway: '10.9.9.6' }, { headers: { ...merge, 'if-match': now } });
    expect(stale.status).toBe(412);
    expect(agent.readFile('ipsec')).toBe(before);
    expect(readFileSync(ca, 'utf8')).toBe(readFileSync('test/ipsec/fixtures/host.pem', 'utf8'));
    const del = await agent.request('DELETE', `${IPSEC}/remotes/pk-etag`, undefined, { headers: { 'if-match': after.headers.get('etag')! } });
    expect(del.status, del.text).toBe(200);
  });

  it('never writes the pre-shared key into its logs', () => {
    expect(agent.logs().length).toBeGreaterThan(0);
    expect(agent.logs()).not.toContain(SECRET);
    expect(agent.logs()).not.toContain('test_key');
  });
});
