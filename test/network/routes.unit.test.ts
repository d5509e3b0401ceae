import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors.js';
import { routes } from '../../src/resources/network/routes.js';
import { refusal } from '../firewall/helpers.js';
import { HOST, NETWORK_TEXT, networkBox, ownedBlocks, type Box } from './helpers.js';

const def = routes;
/** config/samples/batch_v1alpha1_cnfroute.yaml as ICN's Go client sends it (its struct has no src). */
const SAMPLE = { name: 'cnfroute-sample', dst: '192.167.23.0/24', gw: '172.16.44.11', dev: 'net1', table: 'cnf' };

let box: Box | undefined;
afterEach(() => {
  // the harness removes its directory after each test
  box = undefined;
});

async function refusedWith(b: Box, body: Record<string, unknown>, host = HOST): Promise<{ status: number; message: string }> {
  const before = b.text();
  const err = await b.put(def, body, host).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect(b.text()).toBe(before);
  return { status: (err as ApiError).status, message: (err as ApiError).message };
}

describe('routes: body -> network config -> list', () => {
  it('writes the ICN sample as a netifd route on the interface of its device, table 40, and lists it back as sent', async () => {
    box = networkBox();
    await box.put(def, SAMPLE);
    expect(ownedBlocks(box.text())).toEqual([
      [
        'config route',
        "\toption name 'cnfroute-sample'",
        "\toption sdewan_kind 'route'",
        "\toption interface 'ovn_net'",
        "\toption target '192.167.23.0/24'",
        "\toption gateway '172.16.44.11'",
        "\toption table '40'",
        "\toption sdewan_dev 'net1'",
      ].join('\n'),
    ]);
    expect(await box.list(def)).toEqual([SAMPLE]);
    // The hand-written route and rule are there still, and not listed.
    expect(box.text()).toContain("option target '198.51.100.0/24'");
  });

  it('keeps #default and dst default as sent; default is 0.0.0.0/0 on the interface of the default route, table default is main', async () => {
    box = networkBox();
    const route = { name: 'r.default', dst: 'default', src: '10.10.10.89', gw: '10.10.10.1', dev: '#default', table: 'default' };
    await box.put(def, route);
    expect(ownedBlocks(box.text())).toEqual([
      [
        'config route',
        "\toption name 'r.default'",
        "\toption sdewan_kind 'route'",
        "\toption interface 'pnetwork'",
        "\toption target '0.0.0.0/0'",
        "\toption gateway '10.10.10.1'",
        "\toption source '10.10.10.89'",
        "\toption table 'main'",
        "\toption sdewan_dev '#default'",
        "\toption sdewan_dst 'default'",
      ].join('\n'),
    ]);
    expect(await box.list(def)).toEqual([route]);
  });

  it('resolves #<ip> to the device holding the address', async () => {
    box = networkBox();
    await box.put(def, { name: 'by-ip', dst: '10.99.0.0/16', dev: '#172.16.44.2', gw: '', src: '', table: '' });
    expect(box.text()).toContain("option interface 'ovn_net'\n\toption target '10.99.0.0/16'\n\toption sdewan_dev '#172.16.44.2'");
    expect(await box.list(def)).toEqual([{ name: 'by-ip', dst: '10.99.0.0/16', dev: '#172.16.44.2' }]);
  });

  it('writes an IPv6 route as route6, #default being the device of the IPv6 default route', async () => {
    box = networkBox();
    const route = { name: 'v6', dst: 'fd00:99::/64', gw: 'fd00:44::1', dev: '#default', table: 'cnf' };
    await box.put(def, route);
    expect(ownedBlocks(box.text())).toEqual([
      [
        'config route6',
        "\toption name 'v6'",
        "\toption sdewan_kind 'route'",
        "\toption interface 'ovn_net'",
        "\toption target 'fd00:99::/64'",
        "\toption gateway 'fd00:44::1'",
        "\toption table '40'",
        "\toption sdewan_dev '#default'",
      ].join('\n'),
    ]);
    expect(await box.list(def)).toEqual([route]);
  });

  it('changes nothing when the same route is sent again, replaces in place, and moves to route6 when the family changes', async () => {
    box = networkBox();
    await box.put(def, SAMPLE);
    expect((await box.put(def, SAMPLE)).changed).toBe(false);
    await box.put(def, { ...SAMPLE, gw: '', table: '' });
    expect(ownedBlocks(box.text())).toEqual([
      ["config route", "\toption name 'cnfroute-sample'", "\toption sdewan_kind 'route'", "\toption interface 'ovn_net'", "\toption target '192.167.23.0/24'", "\toption sdewan_dev 'net1'"].join('\n'),
    ]);
    await box.put(def, { name: SAMPLE.name, dst: 'fd00:23::/48', dev: 'net1' });
    expect(ownedBlocks(box.text()).map((b) => b.split('\n')[0])).toEqual(['config route6']);
    expect(await box.list(def)).toEqual([{ name: SAMPLE.name, dst: 'fd00:23::/48', dev: 'net1' }]);
  });

  it('deletes only its own section', async () => {
    box = networkBox();
    await box.put(def, SAMPLE);
    await box.put(def, { ...SAMPLE, name: 'other' });
    await box.remove(def, SAMPLE.name);
    expect((await box.list(def)).map((r) => r['name'])).toEqual(['other']);
    await box.remove(def, 'other');
    expect(box.text().trim()).toBe(NETWORK_TEXT.trim());
  });
});

describe('routes: refusals', () => {
  it.each([
    [{ name: 'r', dev: 'net1' }, 'Field[dst] checked failed: is required'],
    [{ name: 'r', dst: '10.0.0.0/8' }, 'Field[dev] checked failed: is required'],
    [{ name: 'r', dst: '10.0.0.300', dev: 'net1' }, 'Field[dst] checked failed: Invalid Destination IP Address'],
    [{ name: 'r', dst: '10.0.0.0/33', dev: 'net1' }, 'Field[dst] checked failed: Invalid Destination IP Address'],
    [{ name: 'r', dst: '192.167.23.5/24', dev: 'net1' }, 'Field[dst] checked failed: Invalid Destination IP Address: 192.167.23.5/24 has bits set past its prefix length'],
    [{ name: 'r', dst: '10.0.0.0/8', gw: '10.0.0.0/8', dev: 'net1' }, 'Field[gw] checked failed: Invalid Gateway IP Address'],
    [{ name: 'r', dst: '10.0.0.0/8', gw: 'fd00::1', dev: 'net1' }, 'Field[gw] checked failed: should be an IPv4 address'],
    [{ name: 'r', dst: 'fd00::/8', src: 'fd00::2', dev: 'net1' }, 'Field[src] checked failed: netifd cannot set the preferred source of an IPv6 route'],
    [{ name: 'r', dst: '10.0.0.0/8', src: 'host', dev: 'net1' }, 'Field[src] checked failed: Invalid Source IP Address'],
    [{ name: 'r', dst: '10.0.0.0/8', dev: 'net 1' }, 'Field[dev] checked failed:'],
    [{ name: 'r', dst: '10.0.0.0/8', dev: '#10.0.0' }, 'Field[dev] checked failed:'],
    [{ name: 'r', dst: '10.0.0.0/8', dev: 'net1', table: 'main' }, 'Field[table] checked failed: should be one of default, cnf'],
    [{ dst: '10.0.0.0/8', dev: 'net1' }, 'Field[name] checked failed: is required'],
  ])('refuses %j', (body, message) => {
    expect(refusal(routes.schema, body)).toContain(message);
  });

  it.each([
    [{ ...SAMPLE, dev: 'net9' }, HOST, 'no device "net9" exists'],
    [{ ...SAMPLE, dev: '#10.9.9.9' }, HOST, 'no device holds the address 10.9.9.9'],
    [{ ...SAMPLE, dev: '#default' }, { ...HOST, defaultDevice: undefined }, 'there is no IPv4 default route'],
    [{ ...SAMPLE, dev: 'net2' }, HOST, 'device "net2" is the device of no interface of the network config'],
  ])('answers 428 naming dev for %j, and writes nothing', async (body, host, why) => {
    box = networkBox();
    const { status, message } = await refusedWith(box, body, host);
    expect(status).toBe(428);
    expect(message).toMatch(/^Field\[dev\] checked failed: Invalid interface: /);
    expect(message).toContain(why);
  });
});

describe('routes: addresses', () => {
  it.each([
    ['fd00:99::/64', true],
    ['fd00:99::1/64', false],
    ['::/0', true],
    ['::ffff:10.0.0.0/104', true],
    ['::ffff:10.0.0.1/104', false],
    ['0.0.0.0/0', true],
    ['10.0.0.1/32', true],
    ['10.0.0.128/25', true],
    ['10.0.0.129/25', false],
  ])('%s has no host bits set: %s', (dst, clear) => {
    expect(refusal(routes.schema, { name: 'r', dst, dev: 'net1' }) === undefined).toBe(clear);
  });
});
