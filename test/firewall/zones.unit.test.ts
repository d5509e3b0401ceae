import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { parseBody } from '../../src/validate.js';
import { zones } from '../../src/resources/firewall/zones.js';
import { kindHarness, sectionText } from '../helpers/kind.js';
import { firewallWith, NETWORK, STOCK_FIREWALL, stockFiles } from './fixtures.js';

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
  it('needs every network to be an interface of the network config', async () => {
    const h = kindHarness(zones, stockFiles());
    await h.create({ name: 'z', network: ['lan', 'ovn_net1'] });
    expect((await h.refusal(() => h.create({ name: 'z2', network: ['lan', 'ovn-net1'] }))).message).toMatch(/^Field\[network\.1\] checked failed: "ovn-net1" is not an interface/);
    // a section of the network config that is not an interface does not count
    expect((await h.refusal(() => h.create({ name: 'z3', network: ['globals'] }))).message).toMatch(/Field\[network\.0\]/);
  });

  it('is used while a rule, forwarding or redirect names it in src or dest', async () => {
    const h = kindHarness(zones, stockFiles(firewallWith("config zone\n\toption name 'lan0'", "config redirect\n\toption name 'r1'\n\toption src 'x'\n\toption dest 'lan0'")));
    expect(await h.refusal(() => h.remove('lan'))).toEqual({ status: 400, message: 'Zone "lan" is used by forwarding @forwarding[0] (src)' });
    expect(await h.refusal(() => h.remove('wan'))).toEqual({ status: 400, message: 'Zone "wan" is used by forwarding @forwarding[0] (dest)' });
    expect(await h.refusal(() => h.remove('lan0'))).toEqual({ status: 400, message: 'Zone "lan0" is used by redirect "r1" (dest)' });
  });
});

describe('firewall zones: body -> UCI -> list', () => {
  it('lists the stock zones with exactly their options', async () => {
    expect(await kindHarness(zones, stockFiles()).list()).toEqual([
      { name: 'lan', network: ['lan'], input: 'ACCEPT', output: 'ACCEPT', forward: 'ACCEPT' },
      { name: 'wan', network: ['wan', 'wan6'], masq: '1', mtu_fix: '1', input: 'REJECT', forward: 'DROP', output: 'ACCEPT' },
    ]);
  });

  it('reads extra_dest as etra_dest, splits list options written as one option, and lists unnamed zones without a name', async () => {
    const h = kindHarness(zones, { firewall: "config zone\n\toption name 'z1'\n\toption network 'lan  wan'\n\toption extra_dest '-j X'\n\toption log '1'\n\nconfig zone\n\toption input 'DROP'\n", network: NETWORK });
    expect(await h.list()).toEqual([{ name: 'z1', network: ['lan', 'wan'], etra_dest: '-j X' }, { input: 'DROP' }]);
  });

  it('creates an anonymous zone section, name first, etra_dest stored as extra_dest, and lists it back as sent', async () => {
    const h = kindHarness(zones, stockFiles());
    const sent = { name: 'lan0', network: ['lan0', 'ovn_net1'], input: 'ACCEPT', etra_dest: '-j LOG' };
    expect(await h.create({ ...sent, masq: '' })).toEqual(sent);
    expect(h.file('firewall')).toBe(
      firewallWith("config zone\n\toption name 'lan0'\n\tlist network 'lan0'\n\tlist network 'ovn_net1'\n\toption input 'ACCEPT'\n\toption extra_dest '-j LOG'"),
    );
    expect((await h.list()).at(-1)).toEqual(sent);
  });

  it('updates an existing zone in place, touching only the options the API manages', async () => {
    const wan = sectionText(STOCK_FIREWALL, 'wan')!;
    const handMade = STOCK_FIREWALL.replace(wan, `${wan}\n\tlist device 'tun+'\n\toption log '1'`);
    const h = kindHarness(zones, stockFiles(handMade));
    const body = { name: 'wan', network: ['wan6', 'wan'], input: 'REJECT', forward: 'DROP', output: 'ACCEPT', masq: '1' };
    expect(await h.replace('wan', body)).toEqual(body);
    // network rewritten in the order sent, mtu_fix gone, device and log (unknown to the API) kept
    expect(sectionText(h.file('firewall'), 'wan')).toBe(
      "config zone\n\toption name 'wan'\n\toption input 'REJECT'\n\toption output 'ACCEPT'\n\toption forward 'DROP'\n\toption masq '1'\n\tlist device 'tun+'\n\toption log '1'\n\tlist network 'wan6'\n\tlist network 'wan'",
    );
  });

  it('deletes every zone of that name', async () => {
    const h = kindHarness(zones, { firewall: "config zone\n\toption name 'a'\n\nconfig zone\n\toption name 'b'\n\nconfig zone\n\toption name 'a'\n", network: NETWORK });
    await h.remove('a');
    expect(h.file('firewall')).toBe("\nconfig zone\n\toption name 'b'\n\n");
  });
});
