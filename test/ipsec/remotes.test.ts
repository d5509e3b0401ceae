import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/http/validate.js';
import { proposals } from '../../src/resources/ipsec/proposals.js';
import { remotes } from '../../src/resources/ipsec/remotes.js';
import { apply, pkg, plain, section, snap, thrown, write } from './uci-model.js';
import { hostBody, proposalBody, sampleYamlHolds, siteBody, withoutAbsent } from './samples.js';

const b64 = (file: string) => readFileSync(`test/ipsec/fixtures/${file}`).toString('base64');
const CERT = b64('host.pem');
const KEY = b64('host.key');
const CA = b64('ca.pem');

const withProposals = () => {
  let p = write(proposals, pkg(section('ipsec', 'globals', { debug: '0' })), proposalBody);
  p = write(proposals, p, { name: 'esp-gcm', encryption_algorithm: 'aes256gcm16', dh_group: 'ecp384' });
  return p;
};
const sectionNamed = (p: ReturnType<typeof pkg>, name: string) => plain(p.sections.find((s) => s.name === name));
const conn = (over: Record<string, unknown>) => ({ name: 'c1', conn_type: 'tunnel', mode: 'start', ...over });
const psk = (over: Record<string, unknown> = {}) => ({ name: 'r1', gateway: '10.0.0.1', authentication_method: 'psk', pre_shared_key: 'k', ...over });

describe('ipsec remotes: the ICN samples', () => {
  it('the sample bodies carry the values of the YAML samples', () => {
    expect(sampleYamlHolds('ipsecsite.yaml', ['type: "VTI-based"', 'remote: "%any"', 'pre_shared_key: test_key', 'remote_identifier: host', 'local_identifier: Hub', 'force_crypto_proposal: "0"', 'name: connB', 'mark: "42"', 'remote_sourceip: "192.168.1.5-192.168.1.6"', 'local_subnet: 192.168.1.1/24,10.10.10.35/32'])).toEqual([]);
    expect(sampleYamlHolds('ipsechost.yaml', ['remote: 10.10.10.35', 'local_identifier: host', 'remote_identifier: Hub', 'name: connA', 'local_sourceip: "%config"', 'remote_subnet: 192.168.1.1/24,10.10.10.35/32'])).toEqual([]);
  });

  it('stores the site as swanctl.init reads it and reads it back as sent', () => {
    const p = write(remotes, withProposals(), siteBody);
    expect(sectionNamed(p, 'ipsecsite')).toEqual({
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
    expect(sectionNamed(p, 'connB')).toEqual({ '.type': 'tunnel', '.name': 'connB',
      startaction: 'start',
      local_subnet: ['192.168.1.1/24', '10.10.10.35/32'],
      remote_sourceip: '192.168.1.5-192.168.1.6',
      crypto_proposal: ['ipsecproposal'],
      mark: '42',
      // VTI-based: route-based, the mark is the XFRM interface id (not sent: not read back)
      if_id: '42',
      api_if_id_from: 'mark',
    });
    expect(sectionNamed(p, 'connB_pool')).toEqual({ '.type': 'pools', '.name': 'connB_pool', addrs: '192.168.1.5-192.168.1.6' });
    expect(remotes.list(snap(p))).toEqual([withoutAbsent(siteBody)]);
  });

  it('stores the host with the virtual IP it asks for', () => {
    const p = write(remotes, withProposals(), hostBody);
    const remote = p.sections.find((s) => s.name === 'ipsechost')!;
    expect(remote.options.get('remote_addrs')).toEqual(['10.10.10.35']);
    expect(remote.options.get('vips')).toEqual(['0.0.0.0']);
    expect(remote.options.has('pools')).toBe(false);
    expect(sectionNamed(p, 'connA')).toEqual({ '.type': 'tunnel', '.name': 'connA',
      startaction: 'start',
      local_sourceip: '%config',
      remote_subnet: ['192.168.1.1/24', '10.10.10.35/32'],
      crypto_proposal: ['ipsecproposal'],
      mark: '42',
      if_id: '42',
      api_if_id_from: 'mark',
    });
    expect(remotes.list(snap(p))).toEqual([withoutAbsent(hostBody)]);
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
    const err = thrown(() => parse(body));
    expect(err.status).toBe(400);
    expect(err.message.startsWith(message), err.message).toBe(true);
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

describe('ipsec remotes: UCI', () => {
  it('428 when a listed proposal does not exist, for the remote and for a connection', () => {
    const p = withProposals();
    const remote = thrown(() => write(remotes, p, psk({ crypto_proposal: ['ipsecproposal', 'nope'] })));
    expect(remote.status).toBe(428);
    expect(remote.message).toBe('Field[crypto_proposal.1] checked failed: proposal "nope" is not defined');
    const child = thrown(() => write(remotes, p, psk({ connections: [conn({ crypto_proposal: ['gone'] })] })));
    expect(child.status).toBe(428);
    expect(child.message).toContain('Field[connections.0.crypto_proposal.0]');
  });

  it('stores proposal references by section name and reads back the API names', () => {
    const p = write(remotes, withProposals(), psk({ crypto_proposal: ['esp-gcm'], connections: [conn({ crypto_proposal: ['esp-gcm', 'ipsecproposal'] })] }));
    expect(p.sections.find((s) => s.name === 'r1')!.options.get('crypto_proposal')).toEqual(['esp_gcm']);
    expect(p.sections.find((s) => s.name === 'c1')!.options.get('crypto_proposal')).toEqual(['esp_gcm', 'ipsecproposal']);
    expect(remotes.list(snap(p))[0]).toMatchObject({ crypto_proposal: ['esp-gcm'], connections: [{ crypto_proposal: ['esp-gcm', 'ipsecproposal'] }] });
  });

  it('409 when a connection name is held by another remote, a proposal or the remote itself', () => {
    const p = write(remotes, withProposals(), psk({ connections: [conn({ name: 'shared' })] }));
    const taken = thrown(() => write(remotes, p, psk({ name: 'r2', connections: [conn({ name: 'shared' })] })));
    expect(taken.status).toBe(409);
    expect(taken.message).toContain("UCI section 'shared', already used by tunnel \"shared\"");
    expect(thrown(() => write(remotes, p, psk({ name: 'r2', connections: [conn({ name: 'ipsecproposal' })] }))).status).toBe(409);
    expect(thrown(() => write(remotes, p, psk({ name: 'shared' }))).status).toBe(409);
    const self = thrown(() => write(remotes, p, psk({ name: 'r3', connections: [conn({ name: 'r3' })] })));
    expect(self.status).toBe(400);
    expect(self.message).toBe("Field[connections.0.name] checked failed: maps to UCI section 'r3', which name needs");
  });

  it('keeps comma strings as sent, storing lists for swanctl', () => {
    const body = psk({ gateway: '10.0.0.1, 10.0.0.2', connections: [conn({ local_subnet: '10.0.0.0/24, 10.1.0.0/24', remote_subnet: '10.2.0.0/24,10.3.0.0/24' })] });
    const p = write(remotes, withProposals(), body);
    const remote = p.sections.find((s) => s.name === 'r1')!;
    expect(remote.options.get('remote_addrs')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(remote.options.get('api_gateway')).toBe('10.0.0.1, 10.0.0.2');
    expect(sectionNamed(p, 'c1')).toEqual({ '.type': 'tunnel', '.name': 'c1',
      startaction: 'start',
      local_subnet: ['10.0.0.0/24', '10.1.0.0/24'],
      api_local_subnet: '10.0.0.0/24, 10.1.0.0/24',
      remote_subnet: ['10.2.0.0/24', '10.3.0.0/24'],
    });
    expect(remotes.list(snap(p))).toEqual([body]);
    // a hand edit of the list wins over the stale copy
    const edited = apply(p, [{ op: 'delete', section: 'c1', option: 'local_subnet' }, { op: 'add_list', section: 'c1', option: 'local_subnet', value: '10.9.0.0/24' }]);
    expect(remotes.list(snap(edited))[0]!.connections![0]!.local_subnet).toBe('10.9.0.0/24');
  });

  it('reads back mixed tunnel and transport connections in the order sent', () => {
    const body = psk({ connections: [conn({ name: 'tp', conn_type: 'transport', mode: 'route' }), conn({ name: 'tn', mode: 'add', if_id: '7' })] });
    const p = write(remotes, withProposals(), body);
    const remote = p.sections.find((s) => s.name === 'r1')!;
    expect(remote.options.get('tunnel')).toEqual(['tn']);
    expect(remote.options.get('transport')).toEqual(['tp']);
    expect(remotes.list(snap(p))).toEqual([body]);
  });

  it('PUT replaces the connections: no stale sections, new order kept', () => {
    const first = write(remotes, withProposals(), { ...siteBody, connections: [siteBody.connections[0], conn({ name: 'c2', remote_sourceip: '10.7.0.0/24' })] });
    expect(first.sections.map((s) => s.name)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsecsite', 'connB', 'c2', 'connB_pool', 'c2_pool']);
    const only = write(remotes, first, { ...siteBody, connections: [conn({ name: 'c2', mode: 'route' })] });
    expect(only.sections.map((s) => s.name)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsecsite', 'c2']);
    expect(remotes.list(snap(only))[0]!.connections).toEqual([conn({ name: 'c2', mode: 'route' })]);
    const swapped = write(remotes, first, { ...siteBody, connections: [conn({ name: 'c2' }), siteBody.connections[0]] });
    expect(remotes.list(snap(swapped))[0]!.connections!.map((c) => c.name)).toEqual(['c2', 'connB']);
    const none = write(remotes, first, { ...siteBody, connections: [] });
    expect(none.sections.map((s) => s.name)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsecsite']);
    expect(remotes.list(snap(none))).toEqual([{ ...withoutAbsent(siteBody), connections: [] }]);
  });

  it('PUT with the same connections changes only what differs', () => {
    const first = write(remotes, withProposals(), siteBody);
    const sn = snap(first);
    const obj = parseBody(remotes.schema, siteBody);
    expect(remotes.toBatch(obj, sn, remotes.list(sn)[0])).toEqual([]);
    const changed = parseBody(remotes.schema, { ...siteBody, connections: [{ ...siteBody.connections[0], mark: '43' }] });
    const ops = remotes.toBatch(changed, sn, remotes.list(sn)[0]);
    // the mark, and the if_id taken from it in this route-based remote
    expect(ops.every((op) => 'section' in op && op.section === 'connB' && 'option' in op && ['mark', 'if_id'].includes(op.option ?? ''))).toBe(true);
    const connB = apply(first, ops).sections.find((s) => s.name === 'connB')!;
    expect(connB.options.get('mark')).toBe('43');
    expect(connB.options.get('if_id')).toBe('43');
  });

  it('route-based: the mark is the if_id until an if_id is sent or the remote turns policy-based', () => {
    const first = write(remotes, withProposals(), siteBody);
    expect(sectionNamed(first, 'connB')).toMatchObject({ mark: '42', if_id: '42', api_if_id_from: 'mark' });
    const sent = write(remotes, first, { ...siteBody, connections: [{ ...siteBody.connections[0], if_id: '7' }] });
    expect(sectionNamed(sent, 'connB')).toMatchObject({ mark: '42', if_id: '7' });
    expect(sectionNamed(sent, 'connB')).not.toHaveProperty('api_if_id_from');
    expect(remotes.list(snap(sent))[0]!.connections![0]).toMatchObject({ mark: '42', if_id: '7' });
    const policy = write(remotes, first, { ...siteBody, type: 'policy-based' });
    expect(sectionNamed(policy, 'connB')).toMatchObject({ mark: '42' });
    expect(sectionNamed(policy, 'connB')).not.toHaveProperty('if_id');
    expect(sectionNamed(policy, 'connB')).not.toHaveProperty('api_if_id_from');
    for (const mark of ['%same', '0', '0x0/0xff']) {
      const none = write(remotes, withProposals(), { ...siteBody, connections: [{ ...siteBody.connections[0], mark }] });
      expect(sectionNamed(none, 'connB'), mark).not.toHaveProperty('if_id');
    }
    const masked = write(remotes, withProposals(), { ...siteBody, connections: [{ ...siteBody.connections[0], mark: '0x1e/0xff' }] });
    expect(sectionNamed(masked, 'connB')).toMatchObject({ if_id: '0x1e' });
  });

  it('DELETE removes the remote, its connections and pools, nothing else', () => {
    let p = write(remotes, withProposals(), siteBody);
    p = write(remotes, p, hostBody);
    const after = apply(p, remotes.deleteBatch('ipsecsite', snap(p)));
    expect(after.sections.map((s) => s.name)).toEqual(['globals', 'ipsecproposal', 'esp_gcm', 'ipsechost', 'connA']);
  });

  it('reads a hand-written remote without injecting anything', () => {
    const p = pkg(
      section('remote', 'hand', { enabled: '0', remote_addrs: ['1.2.3.4'], authentication_method: 'psk', tunnel: ['t1', 'missing'] }),
      section('tunnel', 't1', { startaction: 'trap', local_subnet: '10.0.0.0/24' }),
    );
    expect(remotes.list(snap(p))).toEqual([
      { name: 'hand', gateway: '1.2.3.4', authentication_method: 'psk', connections: [{ name: 't1', conn_type: 'tunnel', mode: 'route', local_subnet: '10.0.0.0/24' }] },
    ]);
  });
});

describe('ipsec remotes: certificates', () => {
  const body = psk({ name: 'site-1', authentication_method: 'pubkey', pre_shared_key: undefined, local_public_cert: CERT, local_private_cert: KEY, shared_ca: CA });

  it('become files in the swanctl tree, named in the options swanctl.init reads', () => {
    const obj = parseBody(remotes.schema, body);
    expect(remotes.files!(obj)).toEqual([
      { path: 'x509/site_1.pem', content: readFileSync('test/ipsec/fixtures/host.pem', 'utf8'), mode: 0o644 },
      { path: 'private/site_1.pem', content: readFileSync('test/ipsec/fixtures/host.key', 'utf8'), mode: 0o600 },
      { path: 'x509ca/site_1.pem', content: readFileSync('test/ipsec/fixtures/ca.pem', 'utf8'), mode: 0o644 },
    ]);
    const p = write(remotes, withProposals(), body);
    const remote = p.sections.find((s) => s.name === 'site_1')!;
    expect([remote.options.get('local_cert'), remote.options.get('local_key'), remote.options.get('ca_cert')]).toEqual(['site_1.pem', 'site_1.pem', 'site_1.pem']);
    expect(remote.options.has('pre_shared_key')).toBe(false);
    expect(remotes.ownedPaths!('site-1', snap(p))).toEqual(['x509/site_1.pem', 'private/site_1.pem', 'x509ca/site_1.pem']);
  });

  it('read back from the files as sent', () => {
    const p = write(remotes, withProposals(), body);
    const [listed] = remotes.list(snap(p));
    expect(listed).not.toHaveProperty('local_private_cert');
    const files = new Map(remotes.files!(parseBody(remotes.schema, body)).map((f) => [f.path, Buffer.from(f.content)]));
    expect(remotes.readFiles!(listed!, snap(p), (path) => files.get(path))).toEqual({ name: 'site-1', gateway: '10.0.0.1', authentication_method: 'pubkey', local_public_cert: CERT, local_private_cert: KEY, shared_ca: CA, connections: [] });
  });

  it('a hand-made remote pointing at shared files owns none of them', () => {
    const p = pkg(section('remote', 'hand', { local_cert: 'shared.pem', ca_cert: 'hand.pem' }));
    expect(remotes.ownedPaths!('hand', snap(p))).toEqual(['x509ca/hand.pem']);
    const q = pkg(section('remote', 'evil', { local_cert: '../../etc/shadow' }));
    expect(remotes.readFiles!({ name: 'evil' } as never, snap(q), () => Buffer.from('x'))).toEqual({ name: 'evil' });
  });
});
