// The ipsec status module: {"InitConnection", "details"}, and when it says "fail" (the
// controller then restarts the ipsec service of the CNF).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ikeSasFromListSas } from '../../src/status/ike-sas.js';
import { expectedChildren, ipsecModuleStatus, isInitiablePeer } from '../../src/status/ipsec-module.js';
import { pkg } from './uci.js';

const recorded = (name: string) => readFileSync(new URL(`../reference/strongswan/${name}`, import.meta.url), 'utf8');
const now = new Date('2024-05-01T12:00:00.000Z');
const up = { sas: ikeSasFromListSas(recorded('list-sas.raw.txt')) };
const none = { sas: ikeSasFromListSas(recorded('list-sas.none.raw.txt')) };

/** Site A of the recording: remote siteB with tunnel `net`, started by this side. */
const siteA = (startaction = 'start', gateway: string | string[] = '10.99.0.2') =>
  pkg('ipsec', [
    ['remote', 'siteB', { enabled: '1', remote_addrs: gateway, tunnel: ['net'] }],
    ['tunnel', 'net', { local_subnet: ['192.168.10.0/24'], remote_subnet: ['192.168.20.0/24'], startaction }],
  ]);

describe('expectedChildren', () => {
  it('children with startaction start of enabled remotes with one peer', () => {
    const conf = pkg('ipsec', [
      ['remote', 'a', { enabled: '1', remote_addrs: ['10.0.0.1'], tunnel: ['t1', 't2'], transport: ['x1'] }],
      ['tunnel', 't1', { startaction: 'start', api_name: 't-1' }],
      ['tunnel', 't2', { startaction: 'route' }],
      ['transport', 'x1', { startaction: 'start' }],
      ['remote', 'off', { enabled: '0', remote_addrs: ['10.0.0.2'], tunnel: ['t3'] }],
      ['tunnel', 't3', { startaction: 'start' }],
      ['remote', 'hub', { enabled: '1', remote_addrs: ['%any'], tunnel: ['t4'] }],
      ['tunnel', 't4', { startaction: 'start' }],
      ['remote', 'dflt', { enabled: '1', remote_addrs: ['peer.example.org'], tunnel: ['t5', 'gone'] }],
      ['tunnel', 't5', {}],
    ]);
    expect(expectedChildren(conf)).toEqual([
      { remote: 'a', child: 't1', apiName: 't-1' },
      { remote: 'a', child: 'x1', apiName: 'x1' },
    ]);
  });

  it('a peer that can be initiated: an address or a host name', () => {
    expect(['10.0.0.1', 'fd00::1', 'peer.example-site.org'].map(isInitiablePeer)).toEqual([true, true, true]);
    expect(['%any', '%any6', '10.0.0.0/24', '10.0.0.1-10.0.0.9', ''].map(isInitiablePeer)).toEqual([false, false, false, false, false]);
  });
});

describe('ipsecModuleStatus', () => {
  it('success with the tunnel up; details are the per-remote status', () => {
    const out = ipsecModuleStatus(siteA(), up, now);
    expect(Object.keys(out)).toEqual(['InitConnection', 'details']);
    expect(out.InitConnection).toBe('success');
    expect(out.details).toHaveLength(1);
    expect(out.details[0]).toMatchObject({ name: 'siteB', state: 'up', configured: true, child_sas: [{ name: 'net', state: 'INSTALLED' }] });
    expect(out.details[0]!.missing_children).toBeUndefined();
  });

  it('fail when the started tunnel has no SA, naming it', () => {
    const out = ipsecModuleStatus(siteA(), none, now);
    expect(out.InitConnection).toBe('fail');
    expect(out.details).toEqual([{ name: 'siteB', state: 'down', child_sas: [], configured: true, missing_children: ['net'] }]);
  });

  it('fail when the IKE SA is up but the started child is not installed', () => {
    const sas = ikeSasFromListSas('list-sa event {siteB {state=ESTABLISHED established=3 child-sas {}}}\n');
    expect(ipsecModuleStatus(siteA(), { sas }, now)).toMatchObject({ InitConnection: 'fail', details: [{ state: 'up', missing_children: ['net'] }] });
  });

  it('success while the remote is connecting or the child is being installed or rekeyed', () => {
    for (const text of [
      'list-sa event {siteB {state=CONNECTING child-sas {}}}\n',
      'list-sa event {siteB {state=ESTABLISHED child-sas {net-2 {name=net state=INSTALLING}}}}\n',
      'list-sa event {siteB {state=ESTABLISHED child-sas {net-2 {name=net state=REKEYED}}}}\n',
    ]) {
      expect(ipsecModuleStatus(siteA(), { sas: ikeSasFromListSas(text) }, now).InitConnection).toBe('success');
    }
  });

  it('success with no SA when nothing is started by this side (trap, or a hub waiting on %any)', () => {
    expect(ipsecModuleStatus(siteA('route'), none, now).InitConnection).toBe('success');
    expect(ipsecModuleStatus(siteA('start', ['%any']), none, now).InitConnection).toBe('success');
  });

  it('swanctl failing (charon down): fail when something is expected up, every remote unknown', () => {
    const out = ipsecModuleStatus(siteA(), { sas: undefined, reason: 'swanctl: exit status 1: connecting failed', missing: false }, now);
    expect(out).toEqual({
      InitConnection: 'fail',
      details: [{ name: 'siteB', state: 'unknown', child_sas: [], configured: true, message: 'swanctl: exit status 1: connecting failed', missing_children: ['net'] }],
    });
  });

  it('no swanctl program: success (nothing to restart)', () => {
    const out = ipsecModuleStatus(siteA(), { sas: undefined, reason: 'swanctl not found', missing: true }, now);
    expect(out.InitConnection).toBe('success');
    expect(out.details[0]).toMatchObject({ state: 'unknown', message: 'swanctl not found' });
  });

  it('after an explicit stop of the service: success, the missing children still listed', () => {
    const out = ipsecModuleStatus(siteA(), none, now, true);
    expect(out.InitConnection).toBe('success');
    expect(out.details[0]!.missing_children).toEqual(['net']);
  });

  it('an empty config: success and no details', () => {
    expect(ipsecModuleStatus(pkg('ipsec', []), none, now)).toEqual({ InitConnection: 'success', details: [] });
  });
});
