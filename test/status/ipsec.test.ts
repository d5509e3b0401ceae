import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ipsecStatus, remoteStateOf } from '../../src/status/ipsec.js';
import { ikeSasFromListSas } from '../../src/status/ike-sas.js';
import { ViciParseError, parseViciRaw } from '../../src/status/vici-text.js';
import { pkg } from './uci.js';

const recorded = (name: string) => readFileSync(new URL(`../reference/strongswan/${name}`, import.meta.url), 'utf8');
const now = new Date('2024-05-01T12:00:00.000Z');

/** The ipsec config of site A in the recording: remote siteB with tunnel net. */
const siteA = pkg('ipsec', [
  ['ipsec', 'globals', { debug: '0' }],
  ['crypto_proposal', 'p1', { encryption_algorithm: 'aes128', hash_algorithm: 'sha256', dh_group: 'modp3072' }],
  ['remote', 'siteB', { enabled: '1', gateway: '10.99.0.2', tunnel: ['net'] }],
  ['tunnel', 'net', { local_subnet: ['192.168.10.0/24'], remote_subnet: ['192.168.20.0/24'] }],
  ['remote', 'siteC', { enabled: '1', gateway: '10.99.0.3' }],
]);

describe('parseViciRaw', () => {
  it('parses the nested sections, key=value pairs and lists of a list-sas dump', () => {
    const msgs = parseViciRaw(recorded('list-sas.raw.txt'));
    expect(msgs.map((m) => m.label)).toEqual(['list-sa event', 'list-sas reply']);
    const sa = msgs[0]!.body.get('siteB') as Map<string, unknown>;
    expect(sa.get('state')).toBe('ESTABLISHED');
    expect(sa.get('local-host')).toBe('10.99.0.1');
    const child = (sa.get('child-sas') as Map<string, unknown>).get('net-1') as Map<string, unknown>;
    expect(child.get('local-ts')).toEqual(['192.168.10.0/24']);
    expect(child.get('bytes-out')).toBe('168');
    expect(msgs[1]!.body.size).toBe(0);
  });

  it('keeps values with spaces, = and upper-case DN parts whole; empty values are empty', () => {
    const [msg] = parseViciRaw('list-sa event {s {remote-id=C=CH, O=strongSwan, CN=moon empty= l=[a b] t=x}}\n');
    const s = msg!.body.get('s') as Map<string, unknown>;
    expect(Object.fromEntries(s)).toEqual({ 'remote-id': 'C=CH, O=strongSwan, CN=moon', empty: '', l: ['a', 'b'], t: 'x' });
  });

  it('throws on truncated output', () => {
    expect(() => parseViciRaw('list-sa event {siteB {state=ESTABLISHED')).toThrow(ViciParseError);
    expect(() => parseViciRaw('list-sa event {a=[1 2')).toThrow(ViciParseError);
    expect(() => parseViciRaw('garbage without braces')).toThrow(ViciParseError);
  });
});

describe('ikeSasFromListSas', () => {
  it('reads the initiator side of the recorded tunnel', () => {
    expect(ikeSasFromListSas(recorded('list-sas.raw.txt'))).toEqual([
      {
        name: 'siteB',
        uniqueid: '1',
        state: 'ESTABLISHED',
        version: '2',
        initiator: true,
        localHost: '10.99.0.1',
        localPort: '4500',
        localId: 'siteA',
        remoteHost: '10.99.0.2',
        remotePort: '4500',
        remoteId: 'siteB',
        established: 5,
        rekeyTime: 13926,
        childSas: [
          {
            name: 'net',
            uniqueid: '1',
            reqid: '1',
            state: 'INSTALLED',
            mode: 'TUNNEL',
            protocol: 'ESP',
            spiIn: '7d3df2ca',
            spiOut: '36a50048',
            bytesIn: 168,
            bytesOut: 168,
            packetsIn: 2,
            packetsOut: 2,
            installTime: 5,
            rekeyTime: 3420,
            lifeTime: 3955,
            localTs: ['192.168.10.0/24'],
            remoteTs: ['192.168.20.0/24'],
          },
        ],
      },
    ]);
  });

  it('reads the responder side (initiator absent means no)', () => {
    const [sa] = ikeSasFromListSas(recorded('list-sas.responder.raw.txt'));
    expect(sa).toMatchObject({ name: 'siteA', initiator: false, localHost: '10.99.0.2', remoteHost: '10.99.0.1', rekeyTime: 14153 });
    expect(sa!.childSas[0]).toMatchObject({ spiIn: '36a50048', spiOut: '7d3df2ca', localTs: ['192.168.20.0/24'], remoteTs: ['192.168.10.0/24'] });
  });

  it('no SAs after terminate', () => {
    expect(ikeSasFromListSas(recorded('list-sas.none.raw.txt'))).toEqual([]);
  });

  it('reads every event, including an SA still connecting', () => {
    const text =
      'list-sa event {siteB {uniqueid=3 state=CONNECTING local-host=10.99.0.1 remote-host=10.99.0.2 child-sas {}}}\n' +
      'list-sa event {other {uniqueid=4 state=ESTABLISHED established=70 child-sas {}}}\n' +
      'list-sas reply {}\n';
    expect(ikeSasFromListSas(text).map((s) => [s.name, s.state, s.established])).toEqual([
      ['siteB', 'CONNECTING', undefined],
      ['other', 'ESTABLISHED', 70],
    ]);
  });
});

describe('ipsecStatus', () => {
  it('merges the recorded SA into the configured remotes: siteB up, siteC down', () => {
    const out = ipsecStatus(siteA, ikeSasFromListSas(recorded('list-sas.raw.txt')), now);
    expect(out).toEqual([
      {
        name: 'siteB',
        state: 'up',
        ike_state: 'ESTABLISHED',
        established: 5,
        established_since: '2024-05-01T11:59:55.000Z',
        local_addr: '10.99.0.1',
        remote_addr: '10.99.0.2',
        local_id: 'siteA',
        remote_id: 'siteB',
        initiator: true,
        configured: true,
        child_sas: [
          {
            name: 'net',
            state: 'INSTALLED',
            mode: 'TUNNEL',
            protocol: 'ESP',
            local_ts: ['192.168.10.0/24'],
            remote_ts: ['192.168.20.0/24'],
            bytes_in: 168,
            bytes_out: 168,
            packets_in: 2,
            packets_out: 2,
            installed: 5,
            installed_since: '2024-05-01T11:59:55.000Z',
            rekey_in: 3420,
            expires_in: 3955,
            spi_in: '7d3df2ca',
            spi_out: '36a50048',
          },
        ],
      },
      { name: 'siteC', state: 'down', child_sas: [], configured: true },
    ]);
  });

  it('every remote is down when there are no SAs', () => {
    const out = ipsecStatus(siteA, ikeSasFromListSas(recorded('list-sas.none.raw.txt')), now);
    expect(out.map((r) => [r.name, r.state])).toEqual([
      ['siteB', 'down'],
      ['siteC', 'down'],
    ]);
  });

  it('a connecting SA makes its remote connecting; an SA of no configured remote is listed after them', () => {
    const sas = ikeSasFromListSas(
      'list-sa event {siteC {state=CONNECTING remote-host=10.99.0.3 child-sas {}}}\nlist-sa event {manual {state=ESTABLISHED established=9 child-sas {}}}\n',
    );
    const out = ipsecStatus(siteA, sas, now);
    expect(out.map((r) => [r.name, r.state, r.configured])).toEqual([
      ['siteB', 'down', true],
      ['siteC', 'connecting', true],
      ['manual', 'up', false],
    ]);
    expect(out[1]).toMatchObject({ ike_state: 'CONNECTING', remote_addr: '10.99.0.3' });
    expect(out[1]!.established).toBeUndefined();
  });

  it('during a rekey the established SA wins and the children of both are listed', () => {
    const sas = ikeSasFromListSas(
      'list-sa event {siteB {uniqueid=1 state=REKEYED child-sas {net-1 {name=net state=INSTALLED}}}}\n' +
        'list-sa event {siteB {uniqueid=2 state=ESTABLISHED established=1 child-sas {net-2 {name=net state=INSTALLING}}}}\n',
    );
    const [siteB] = ipsecStatus(siteA, sas, now);
    expect(siteB).toMatchObject({ state: 'up', ike_state: 'ESTABLISHED', established: 1 });
    expect(siteB!.child_sas.map((c) => c.state)).toEqual(['INSTALLED', 'INSTALLING']);
  });

  it('without swanctl every configured remote is unknown, with the reason', () => {
    expect(ipsecStatus(siteA, undefined, now, 'swanctl not found')).toEqual([
      { name: 'siteB', state: 'unknown', child_sas: [], configured: true, message: 'swanctl not found' },
      { name: 'siteC', state: 'unknown', child_sas: [], configured: true, message: 'swanctl not found' },
    ]);
  });

  it('reports a remote by its API name (api_name) while matching the SA by section name', () => {
    const conf = pkg('ipsec', [['remote', 'site_b', { api_name: 'site-b', enabled: '1' }]]);
    const sas = ikeSasFromListSas('list-sa event {site_b {state=ESTABLISHED established=2 child-sas {}}}\n');
    expect(ipsecStatus(conf, sas, now).map((r) => [r.name, r.state])).toEqual([['site-b', 'up']]);
  });
});

describe('remoteStateOf', () => {
  it('maps strongSwan IKE states', () => {
    expect(['ESTABLISHED', 'REKEYING', 'CREATED', 'CONNECTING', 'PASSIVE', 'REKEYED', 'DELETING', 'DESTROYING'].map(remoteStateOf)).toEqual([
      'up',
      'up',
      'connecting',
      'connecting',
      'connecting',
      'down',
      'down',
      'down',
    ]);
  });
});
