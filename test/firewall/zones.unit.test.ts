import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/http/errors.js';
import { parseBody } from '../../src/http/validate.js';
import { zones } from '../../src/resources/firewall/zones.js';
import { pkg, section, stockFirewall, stockSnapshot } from './fixtures.js';

/** The 400 message a body gets, or undefined when it is valid. */
function refusal(body: Record<string, unknown>): string | undefined {
  try {
    parseBody(zones.schema, body);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return (err as ApiError).message;
  }
}

const GO_EMPTY_ZONE = {
  name: '', network: null, masq: '', masq_src: null, masq_dest: null, masq_allow_invalid: '', mtu_fix: '',
  input: '', forward: '', output: '', family: '', subnet: null, extra_src: '', etra_dest: '',
};

describe('firewall zones: schema', () => {
  it('accepts the e2e zones with every other field absent, and keeps only what was set', () => {
    const wan0 = parseBody(zones.schema, { ...GO_EMPTY_ZONE, name: 'wan0', network: ['wan0'], input: 'ACCEPT', output: 'ACCEPT', forward: 'REJECT', masq: '0', mtu_fix: '1' });
    expect(wan0).toEqual({ name: 'wan0', network: ['wan0'], input: 'ACCEPT', output: 'ACCEPT', forward: 'REJECT', masq: '0', mtu_fix: '1' });
  });

  it('accepts every field, etra_dest included', () => {
    const full = {
      name: 'firewallzone-sample', network: ['ovn_net1', 'ovn_net2'], masq: '1', masq_src: ['10.0.0.0/8', '!10.1.0.0/16'], masq_dest: ['!192.168.1.1'],
      masq_allow_invalid: '0', mtu_fix: '1', input: 'DROP', forward: 'REJECT', output: 'ACCEPT', family: 'any', subnet: ['fd00::/64', '172.16.0.0/255.255.0.0'],
      extra_src: '-m comment --comment src', etra_dest: '-m comment --comment dest',
    };
    expect(parseBody(zones.schema, full)).toEqual(full);
  });

  it.each([
    [{ name: '1zone' }, 'Field[name]'],
    [{ name: 'a zone' }, 'Field[name]'],
    [{ name: 'lan0', input: 'accept' }, 'Field[input]'],
    [{ name: 'lan0', forward: 'MASQ' }, 'Field[forward]'],
    [{ name: 'lan0', output: 'ALLOW' }, 'Field[output]'],
    [{ name: 'lan0', masq: 'yes' }, 'Field[masq]'],
    [{ name: 'lan0', masq_allow_invalid: '2' }, 'Field[masq_allow_invalid]'],
    [{ name: 'lan0', mtu_fix: 'true' }, 'Field[mtu_fix]'],
    [{ name: 'lan0', family: 'inet' }, 'Field[family]'],
    [{ name: 'lan0', masq_src: ['10.0.0.0/33'] }, 'Field[masq_src.0]'],
    [{ name: 'lan0', masq_dest: ['10.0.0.1', 'host'] }, 'Field[masq_dest.1]'],
    [{ name: 'lan0', subnet: ['!10.0.0.0/8'] }, 'Field[subnet.0]'],
    [{ name: 'lan0', network: 'lan' }, 'Field[network]'],
    [{ network: ['lan'] }, 'Field[name]'],
  ])('refuses %j naming the field', (body, field) => {
    expect(refusal(body)).toContain(`${field} checked failed:`);
  });

  it('allows zone names firewall4 allows, with no length limit', () => {
    for (const name of ['_x', '.x', 'a/b-c.d_e', `z${'a'.repeat(300)}`]) expect(refusal({ name })).toBeUndefined();
  });
});

describe('firewall zones: references', () => {
  it('needs every network to be an interface of the network config', () => {
    const snap = stockSnapshot();
    expect(() => zones.check!({ name: 'z', network: ['lan', 'ovn_net1'] }, snap, undefined)).not.toThrow();
    expect(() => zones.check!({ name: 'z', network: ['lan', 'ovn-net1'] }, snap, undefined)).toThrow(/^Field\[network\.1\] checked failed: "ovn-net1" is not an interface/);
    // a section of the network config that is not an interface does not count
    expect(() => zones.check!({ name: 'z', network: ['globals'] }, snap, undefined)).toThrow(/Field\[network\.0\]/);
  });

  it('is used while a rule, forwarding or redirect names it in src or dest', () => {
    const snap = stockSnapshot();
    expect(zones.usedBy!('lan', snap)).toBe('Zone "lan" is used by forwarding @forwarding[0] (src)');
    expect(zones.usedBy!('wan', snap)).toBe('Zone "wan" is used by forwarding @forwarding[0] (dest)');
    expect(zones.usedBy!('lan0', snap)).toBeUndefined();
    const withRedirect = pkg('firewall', [...stockFirewall().sections, section('redirect', [['name', 'r1'], ['src', 'x'], ['dest', 'lan0']])]);
    expect(zones.usedBy!('lan0', stockSnapshot(withRedirect))).toBe('Zone "lan0" is used by redirect "r1" (dest)');
  });
});

describe('firewall zones: listing', () => {
  it('lists the stock zones with exactly their options', () => {
    expect(zones.list(stockSnapshot())).toEqual([
      { name: 'lan', network: ['lan'], input: 'ACCEPT', output: 'ACCEPT', forward: 'ACCEPT' },
      { name: 'wan', network: ['wan', 'wan6'], masq: '1', mtu_fix: '1', input: 'REJECT', forward: 'DROP', output: 'ACCEPT' },
    ]);
  });

  it('reads extra_dest as etra_dest, splits list options written as one option, and lists unnamed zones without a name', () => {
    const fw = pkg('firewall', [
      section('zone', [['name', 'z1'], ['network', 'lan  wan'], ['extra_dest', '-j X'], ['log', '1']]),
      section('zone', [['input', 'DROP']]),
    ]);
    expect(zones.list(stockSnapshot(fw))).toEqual([{ name: 'z1', network: ['lan', 'wan'], etra_dest: '-j X' }, { input: 'DROP' }]);
  });
});

describe('firewall zones: batches', () => {
  it('creates an anonymous zone section, name first, etra_dest stored as extra_dest', () => {
    const obj = parseBody(zones.schema, { name: 'lan0', network: ['lan0', 'ovn_net1'], input: 'ACCEPT', etra_dest: '-j LOG', masq: '' });
    expect(zones.toBatch(obj, stockSnapshot(), undefined)).toEqual([
      { op: 'add', type: 'zone' },
      { op: 'set', section: '@zone[-1]', option: 'name', value: 'lan0' },
      { op: 'add_list', section: '@zone[-1]', option: 'network', value: 'lan0' },
      { op: 'add_list', section: '@zone[-1]', option: 'network', value: 'ovn_net1' },
      { op: 'set', section: '@zone[-1]', option: 'input', value: 'ACCEPT' },
      { op: 'set', section: '@zone[-1]', option: 'extra_dest', value: '-j LOG' },
    ]);
  });

  it('updates an existing zone in place, touching only the options the API manages', () => {
    const fw = stockFirewall();
    fw.sections[2]!.options.set('device', ['tun+']);
    fw.sections[2]!.options.set('log', '1');
    const snap = stockSnapshot(fw);
    const existing = zones.list(snap).find((z) => z.name === 'wan');
    const obj = parseBody(zones.schema, { name: 'wan', network: ['wan6', 'wan'], input: 'REJECT', forward: 'DROP', output: 'ACCEPT', masq: '1' });
    expect(zones.toBatch(obj, snap, existing)).toEqual([
      { op: 'delete', section: '@zone[1]', option: 'network' },
      { op: 'add_list', section: '@zone[1]', option: 'network', value: 'wan6' },
      { op: 'add_list', section: '@zone[1]', option: 'network', value: 'wan' },
      { op: 'delete', section: '@zone[1]', option: 'mtu_fix' },
    ]);
  });

  it('deletes every zone of that name, the last first', () => {
    const fw = pkg('firewall', [section('zone', [['name', 'a']]), section('zone', [['name', 'b']]), section('zone', [['name', 'a']])]);
    expect(zones.deleteBatch('a', stockSnapshot(fw))).toEqual([
      { op: 'delete', section: '@zone[2]' },
      { op: 'delete', section: '@zone[0]' },
    ]);
    expect(zones.deleteBatch('wan', stockSnapshot())).toEqual([{ op: 'delete', section: '@zone[1]' }]);
  });
});
