import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { proposals } from '../../src/resources/ipsec/proposals.js';
import { remotes, type IpsecRemote } from '../../src/resources/ipsec/remotes.js';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kindHarness, plain, type KindHarness } from '../helpers/kind.js';
import { hostBody, proposalBody, sampleYamlHolds, siteBody, withoutAbsent } from './samples.js';

const b64 = (file: string) => readFileSync(`test/ipsec/fixtures/${file}`).toString('base64');
const CERT = b64('host.pem');
const KEY = b64('host.key');
const CA = b64('ca.pem');

/** Remotes over an ipsec config holding the globals and two proposals. */
async function withProposals(): Promise<KindHarness> {
  const h = kindHarness(remotes, { ipsec: "config ipsec 'globals'\n\toption debug '0'\n" });
  await h.with(proposals).create(proposalBody);
  await h.with(proposals).create({ name: 'esp-gcm', encryption_algorithm: 'aes256gcm16', dh_group: 'ecp384' });
  return h;
}
const sectionNamed = (h: KindHarness, name: string) => plain(h.pkg('ipsec').sections.find((s) => s.name === name));
const sectionNames = (h: KindHarness) => h.pkg('ipsec').sections.map((s) => s.name);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const conn = (over: Record<string, unknown>) => ({ name: 'c1', conn_type: 'tunnel', mode: 'start', ...over });
const psk = (over: Record<string, unknown> = {}) => ({ name: 'r1', gateway: '10.0.0.1', authentication_method: 'psk', pre_shared_key: 'k', ...over });

describe('ipsec remotes: the ICN samples', () => {
  it('the sample bodies carry the values of the YAML samples', () => {
    expect(sampleYamlHolds('ipsecsite.yaml', ['type: "VTI-based"', 'remote: "%any"', 'pre_shared_key: test_key', 'remote_identifier: host', 'local_identifier: Hub', 'force_crypto_proposal: "0"', 'name: connB', 'mark: "42"', 'remote_sourceip: "192.168.1.5-192.168.1.6"', 'local_subnet: 192.168.1.1/24,10.10.10.35/32'])).toEqual([]);
    expect(sampleYamlHolds('ipsechost.yaml', ['remote: 10.10.10.35', 'local_identifier: host', 'remote_identifier: Hub', 'name: connA', 'local_sourceip: "%config"', 'remote_subnet: 192.168.1.1/24,10.10.10.35/32'])).toEqual([]);
  });

  it('stores the site as swanctl.init reads it and reads it back as sent', async () => {
    const h = await withProposals();
    expect(await h.create(siteBody)).toEqual(withoutAbsent(siteBody));
    expect(sectionNamed(h, 'ipsecsite')).toEqual({
      '.type': 'remote',
      '.name': 'ipsecsite',
      enabled: '1',
      type: 'VTI-based',
      remote_addrs: ['%any'],
      // the name OpenWRT 24.10's swanctl.init reads
      gateway: '%any',
      authentication_method: 'psk',
      pre_shared_key: 'test_key',
      local_identifier: 'Hub',
      remote_identifier: 'host',
      crypto_proposal: ['ipsecproposal'],
      force_crypto_proposal: '0',
      pools: ['connB_pool'],
      tunnel: ['connB'],
    });
    expect(sectionNamed(h, 'connB')).toEqual({ '.type': 'tunnel', '.name': 'connB',
      startaction: 'start',
      local_subnet: ['192.168.1.1/24', '10.10.10.35/32'],
      remote_sourceip: '192.168.1.5-192.168.1.6',
      crypto_proposal: ['ipsecproposal'],
      mark: '42',
      // VTI-based: route-based, the mark is the XFRM interface id (not sent: not read back)
      if_id: '42',
      api_if_id_from: 'mark',
    });
    expect(sectionNamed(h, 'connB_pool')).toEqual({ '.type': 'pools', '.name': 'connB_pool', addrs: '192.168.1.5-192.168.1.6' });
    expect(await h.list()).toEqual([withoutAbsent(siteBody)]);
    expect(h.reloads).toEqual(['ipsec', 'ipsec', 'ipsec']);
  });

  it('stores the host with the virtual IP it asks for', async () => {
    const h = await withProposals();
    await h.create(hostBody);
    const remote = h.pkg('ipsec').sections.find((s) => s.name === 'ipsechost')!;
    expect(remote.options.get('remote_addrs')).toEqual(['10.10.10.35']);
    expect(remote.options.get('vips')).toEqual(['0.0.0.0']);
    expect(remote.options.has('pools')).toBe(false);
    expect(sectionNamed(h, 'connA')).toEqual({ '.type': 'tunnel', '.name': 'connA',
      startaction: 'start',
      local_sourceip: '%config',
      remote_subnet: ['192.168.1.1/24', '10.10.10.35/32'],
      crypto_proposal: ['ipsecproposal'],
      mark: '42',
      if_id: '42',
      api_if_id_from: 'mark',
    });
    expect(await h.list()).toEqual([withoutAbsent(hostBody)]);
  });
});

describe('ipsec remotes: schema', () => {
  const parse = (body: unknown) => parseBody(remotes.schema, body);
  it.each([
    [{ ...psk(), gateway: undefined }, 'Field[gateway] checked failed: is required'],
    [psk({ gateway: '10.0.0.1;reboot' }), 'Field[gateway] checked failed: should be peer addresses'],
    [psk({ gateway: '10.0.0.1,,10.0.0.2' }), 'Field[gateway] checked failed'],
    [{ ...psk(), authentication_method: undefined }, 'Field[authentication_method] checked failed: is required'],
    [psk({ authentication_method: 'xauth' }), 'Field[authentication_method] checked failed: should be one of psk, pubkey'],
    [{ ...psk(), pre_shared_key: undefined }, 'Field[pre_shared_key] checked failed: is required when authentication_method is psk'],
    [psk({ pre_shared_key: 'two words' }), 'Field[pre_shared_key] checked failed'],
    [psk({ pre_shared_key: 'a"b' }), 'Field[pre_shared_key] checked failed'],
    [psk({ authentication_method: 'pubkey', local_public_cert: CERT, local_private_cert: KEY }), 'Field[shared_ca] checked failed: is required when authentication_method is pubkey'],
    [psk({ authentication_method: 'pubkey', local_public_cert: 'bm90IGEgY2VydA==', local_private_cert: KEY, shared_ca: CA }), 'Field[local_public_cert] checked failed: should be a base64-encoded PEM'],
    [psk({ local_private_cert: `${KEY.slice(0, 60)}\n${KEY.slice(60)}` }), 'Field[local_private_cert] checked failed'],
    [psk({ local_identifier: 'Hub}' }), 'Field[local_identifier] checked failed'],
    [psk({ remote_identifier: 'a\nb' }), 'Field[remote_identifier] checked failed'],
    [psk({ force_crypto_proposal: 'yes' }), 'Field[force_crypto_proposal] checked failed: should be one of 0, 1'],
    [psk({ crypto_proposal: 'p' }), 'Field[crypto_proposal] checked failed: should be a list of strings'],
    [psk({ connections: {} }), 'Field[connections] checked failed: should be a list of connections'],
    [psk({ connections: [conn({ conn_type: 'vti' })] }), 'Field[connections.0.conn_type] checked failed: should be one of tunnel, transport'],
    [psk({ connections: [conn({ mode: undefined })] }), 'Field[connections.0.mode] checked failed: is required'],
    [psk({ connections: [conn({ mode: 'always' })] }), 'Field[connections.0.mode] checked failed: should be one of start, add, route'],
    [psk({ connections: [conn({ name: 'c 1' })] }), 'Field[connections.0.name] checked failed'],
    [psk({ connections: [conn({}), conn({ name: 'c-1' }), conn({ name: 'c.1' })] }), 'Field[connections.2.name] checked failed: maps to the same UCI section as connections.1.name'],
    [psk({ connections: [conn({ local_subnet: '10.0.0.0/33' })] }), 'Field[connections.0.local_subnet] checked failed: should be subnets'],
    [psk({ connections: [conn({ remote_subnet: '10.0.0.0/8 10.1.0.0/16' })] }), 'Field[connections.0.remote_subnet] checked failed'],
    [psk({ connections: [conn({ local_nat: 'any' })] }), 'Field[connections.0.local_nat] checked failed'],
    [psk({ connections: [conn({ local_sourceip: '%dhcp' })] }), 'Field[connections.0.local_sourceip] checked failed'],
    [psk({ connections: [conn({ remote_sourceip: '10.0.0.300' })] }), 'Field[connections.0.remote_sourceip] checked failed'],
    [psk({ connections: [conn({ local_updown: '/bin/x; rm -rf /' })] }), 'Field[connections.0.local_updown] checked failed'],
    [psk({ connections: [conn({ local_firewall: '1' })] }), 'Field[connections.0.local_firewall] checked failed: should be one of yes, no'],
    [psk({ connections: [conn({ mark: '42/0xffffffffff' })] }), 'Field[connections.0.mark] checked failed'],
    [psk({ connections: [conn({ if_id: 'x' })] }), 'Field[connections.0.if_id] checked failed'],
    [psk({ connections: [conn({ crypto_proposal: [1] })] }), 'Field[connections.0.crypto_proposal.0] checked failed: should be a string'],
  ])('refuses %j', (body, message) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(new RegExp(`^${escapeRe(message)}`)) }));
  });

  it('accepts what strongSwan accepts', () => {
    const body = psk({
      gateway: 'hub.example.com,10.0.0.1,fd00::1,10.1.0.0/16,10.2.0.1-10.2.0.9',
      connections: [
        conn({ local_subnet: '10.0.0.0/24[tcp/80],dynamic', remote_subnet: 'fd00::/64, 10.9.0.0/16', mark: '0x2a/0xff', if_id: '%unique', local_updown: '/usr/lib/ipsec/_updown iptables' }),
        conn({ name: 'c2', conn_type: 'transport', mode: 'route', local_sourceip: '%config4,10.5.0.1', remote_sourceip: '10.6.0.0/24' }),
      ],
    });
    expect(parse(body)).toEqual(body);
  });
});

describe('ipsec remotes: body -> UCI -> list', () => {
  it('428 when a listed proposal does not exist, for the remote and for a connection', async () => {
    const h = await withProposals();
    expect(await h.refusal(() => h.create(psk({ crypto_proposal: ['ipsecproposal', 'nope'] })))).toEqual({
      status: 428,
      message: 'Field[crypto_proposal.1] checked failed: proposal "nope" is not defined',
    });
    const child = await h.refusal(() => h.create(psk({ connections: [conn({ crypto_proposal: ['gone'] })] })));
    expect(child.status).toBe(428);
    expect(child.message).toContain('Field[connections.0.crypto_proposal.0]');
  });

  it('stores proposal references by section name and reads back the API names', async () => {
    const h = await withProposals();
    await h.create(psk({ crypto_proposal: ['esp-gcm'], connections: [conn({ crypto_proposal: ['esp-gcm', 'ipsecproposal'] })] }));
    expect(sectionNamed(h, 'r1')).toMatchObject({ crypto_proposal: ['esp_gcm'] });
    expect(sectionNamed(h, 'c1')).toMatchObject({ crypto_proposal: ['esp_gcm', 'ipsecproposal'] });
    expect((await h.list())[0]).toMatchObject({ crypto_proposal: ['esp-gcm'], connections: [{ crypto_proposal: ['esp-gcm', 'ipsecproposal'] }] });
  });

  it('409 when a connection name is held by another remote, a proposal or the remote itself', async () => {
    const h = await withProposals();
    await h.create(psk({ connections: [conn({ name: 'shared' })] }));
    const taken = await h.refusal(() => h.create(psk({ name: 'r2', connections: [conn({ name: 'shared' })] })));
    expect(taken.status).toBe(409);
    expect(taken.message).toContain("UCI section 'shared', already used by tunnel \"shared\"");
    expect((await h.refusal(() => h.create(psk({ name: 'r2', connections: [conn({ name: 'ipsecproposal' })] })))).status).toBe(409);
    expect((await h.refusal(() => h.create(psk({ name: 'shared' })))).status).toBe(409);
    expect(await h.refusal(() => h.create(psk({ name: 'r3', connections: [conn({ name: 'r3' })] })))).toEqual({
      status: 400,
      message: "Field[connections.0.name] checked failed: maps to UCI section 'r3', which name needs",
    });
  });

  it('keeps comma strings as sent, storing lists for swanctl', async () => {
    const h = await withProposals();
    const body = psk({ gateway: '10.0.0.1, 10.0.0.2', connections: [conn({ local_subnet: '10.0.0.0/24, 10.1.0.0/24', remote_subnet: '10.2.0.0/24,10.3.0.0/24' })] });
    await h.create(body);
    expect(sectionNamed(h, 'r1')).toMatchObject({ remote_addrs: ['10.0.0.1', '10.0.0.2'], api_gateway: '10.0.0.1, 10.0.0.2' });
    expect(sectionNamed(h, 'c1')).toEqual({ '.type': 'tunnel', '.name': 'c1',
      startaction: 'start',
      local_subnet: ['10.0.0.0/24', '10.1.0.0/24'],
      api_local_subnet: '10.0.0.0/24, 10.1.0.0/24',
      remote_subnet: ['10.2.0.0/24', '10.3.0.0/24'],
    });
    expect(await h.list()).toEqual([body]);
    // a hand edit of the list wins over the stale copy
    await h.handEdit("delete ipsec.c1.local_subnet\nadd_list ipsec.c1.local_subnet='10.9.0.0/24'\ncommit ipsec\n");
    expect(((await h.get('r1')) as IpsecRemote).connections![0]!.local_subnet).toBe('10.9.0.0/24');
  });

  it('reads back mixed tunnel and transport connections in the order sent', async () => {
    const h = await withProposals();
    const body = psk({ connections: [conn({ name: 'tp', conn_type: 'transport', mode: 'route' }), conn({ name: 'tn', mode: 'add', if_id: '7' })] });
    expect(await h.create(body)).toEqual(body);
    expect(sectionNamed(h, 'r1')).toMatchObject({ tunnel: ['tn'], transport: ['tp'] });
    expect(await h.list()).toEqual([body]);
  });

  it('PUT replaces the connections: no stale sections, new order kept', async () => {
    const h = await withProposals();
    const first = { ...siteBody, connections: [siteBody.connections[0], conn({ name: 'c2', remote_sourceip: '10.7.0.0/24' })] };
    await h.create(first);
    expect(sectionNames(h)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsecsite', 'connB', 'c2', 'connB_pool', 'c2_pool']);
    const only = (await h.replace('ipsecsite', { ...siteBody, connections: [conn({ name: 'c2', mode: 'route' })] })) as IpsecRemote;
    expect(sectionNames(h)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsecsite', 'c2']);
    expect(only.connections).toEqual([conn({ name: 'c2', mode: 'route' })]);
    await h.replace('ipsecsite', first);
    const swapped = (await h.replace('ipsecsite', { ...siteBody, connections: [conn({ name: 'c2' }), siteBody.connections[0]] })) as IpsecRemote;
    expect(swapped.connections!.map((c) => c.name)).toEqual(['c2', 'connB']);
    const none = await h.replace('ipsecsite', { ...siteBody, connections: [] });
    expect(sectionNames(h)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsecsite']);
    expect(none).toEqual({ ...withoutAbsent(siteBody), connections: [] });
  });

  it('PUT with the same connections changes only what differs', async () => {
    const h = await withProposals();
    await h.create(siteBody);
    expect(await h.dryRun('replace', siteBody)).toBe('');
    const batch = await h.dryRun('replace', { ...siteBody, connections: [{ ...siteBody.connections[0], mark: '43' }] });
    // the mark, and the if_id taken from it in this route-based remote
    expect(batch.trim().split('\n').sort()).toEqual(["set ipsec.connB.if_id='43'", "set ipsec.connB.mark='43'"]);
    await h.replace('ipsecsite', { ...siteBody, connections: [{ ...siteBody.connections[0], mark: '43' }] });
    expect(sectionNamed(h, 'connB')).toMatchObject({ mark: '43', if_id: '43' });
  });

  it('route-based: the mark is the if_id until an if_id is sent or the remote turns policy-based', async () => {
    const h = await withProposals();
    await h.create(siteBody);
    expect(sectionNamed(h, 'connB')).toMatchObject({ mark: '42', if_id: '42', api_if_id_from: 'mark' });
    const sent = (await h.replace('ipsecsite', { ...siteBody, connections: [{ ...siteBody.connections[0], if_id: '7' }] })) as IpsecRemote;
    expect(sectionNamed(h, 'connB')).toMatchObject({ mark: '42', if_id: '7' });
    expect(sectionNamed(h, 'connB')).not.toHaveProperty('api_if_id_from');
    expect(sent.connections![0]).toMatchObject({ mark: '42', if_id: '7' });
    await h.replace('ipsecsite', siteBody);
    await h.replace('ipsecsite', { ...siteBody, type: 'policy-based' });
    expect(sectionNamed(h, 'connB')).toMatchObject({ mark: '42' });
    expect(sectionNamed(h, 'connB')).not.toHaveProperty('if_id');
    expect(sectionNamed(h, 'connB')).not.toHaveProperty('api_if_id_from');
    for (const mark of ['%same', '0', '0x0/0xff']) {
      await h.replace('ipsecsite', { ...siteBody, connections: [{ ...siteBody.connections[0], mark }] });
      expect(sectionNamed(h, 'connB'), mark).not.toHaveProperty('if_id');
    }
    await h.replace('ipsecsite', { ...siteBody, connections: [{ ...siteBody.connections[0], mark: '0x1e/0xff' }] });
    expect(sectionNamed(h, 'connB')).toMatchObject({ if_id: '0x1e' });
  });

  it('DELETE removes the remote, its connections and pools, nothing else', async () => {
    const h = await withProposals();
    await h.create(siteBody);
    await h.create(hostBody);
    await h.remove('ipsecsite');
    expect(sectionNames(h)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsechost', 'connA']);
  });

  it('reads a hand-written remote without injecting anything', async () => {
    const h = kindHarness(remotes, {
      ipsec: "config remote 'hand'\n\toption enabled '0'\n\tlist remote_addrs '1.2.3.4'\n\toption authentication_method 'psk'\n\tlist tunnel 't1'\n\tlist tunnel 'missing'\n\nconfig tunnel 't1'\n\toption startaction 'trap'\n\toption local_subnet '10.0.0.0/24'\n",
    });
    expect(await h.list()).toEqual([
      { name: 'hand', gateway: '1.2.3.4', authentication_method: 'psk', connections: [{ name: 't1', conn_type: 'tunnel', mode: 'route', local_subnet: '10.0.0.0/24' }] },
    ]);
  });
});

describe('ipsec remotes: certificates', () => {
  const body = psk({ name: 'site-1', authentication_method: 'pubkey', pre_shared_key: undefined, local_public_cert: CERT, local_private_cert: KEY, shared_ca: CA });
  const FILES = [
    ['x509/site_1.pem', 'host.pem', 0o644],
    ['private/site_1.pem', 'host.key', 0o600],
    ['x509ca/site_1.pem', 'ca.pem', 0o644],
  ] as const;

  it('become files in the swanctl tree, named in the options swanctl.init reads, and read back as sent', async () => {
    const h = await withProposals();
    const sent = { name: 'site-1', gateway: '10.0.0.1', authentication_method: 'pubkey', local_public_cert: CERT, local_private_cert: KEY, shared_ca: CA, connections: [] };
    expect(await h.create(body)).toEqual(sent);
    for (const [file, fixture, mode] of FILES) {
      expect(readFileSync(path.join(h.filesDir, file), 'utf8')).toBe(readFileSync(`test/ipsec/fixtures/${fixture}`, 'utf8'));
      expect(statSync(path.join(h.filesDir, file)).mode & 0o777).toBe(mode);
    }
    expect(sectionNamed(h, 'site_1')).toMatchObject({ local_cert: 'site_1.pem', local_key: 'site_1.pem', ca_cert: 'site_1.pem' });
    expect(sectionNamed(h, 'site_1')).not.toHaveProperty('pre_shared_key');
    expect(await h.list()).toEqual([sent]);
    await h.remove('site-1');
    for (const [file] of FILES) expect(existsSync(path.join(h.filesDir, file))).toBe(false);
  });

  it('a hand-made remote pointing at shared files owns none of them', async () => {
    const h = kindHarness(remotes, {
      ipsec: "config remote 'hand'\n\toption local_cert 'shared.pem'\n\toption ca_cert 'hand.pem'\n\nconfig remote 'evil'\n\toption local_cert '../../etc/shadow'\n",
    });
    for (const file of ['x509/shared.pem', 'x509ca/hand.pem']) {
      mkdirSync(path.dirname(path.join(h.filesDir, file)), { recursive: true });
      writeFileSync(path.join(h.filesDir, file), readFileSync('test/ipsec/fixtures/ca.pem'));
    }
    expect(await h.get('evil')).toEqual({ name: 'evil', connections: [] });
    await h.remove('hand');
    expect(existsSync(path.join(h.filesDir, 'x509/shared.pem'))).toBe(true);
    expect(existsSync(path.join(h.filesDir, 'x509ca/hand.pem'))).toBe(false);
  });
});
