// WireGuard tunnels: body -> /etc/config/network (netifd's wireguard interface and peer
// sections) -> listed back, without the write-only keys.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { RESOURCES } from '../../src/resources/index.js';
import { interfaces } from '../../src/resources/mwan3/interfaces.js';
import { routes } from '../../src/resources/network/routes.js';
import { tunnels } from '../../src/resources/wireguard/tunnels.js';
import { isWireguardKey, parseEndpoint } from '../../src/resources/wireguard/values.js';
import { kindHarness } from '../helpers/kind.js';

const key = () => randomBytes(32).toString('base64');
const NETWORK = "\nconfig interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n";

const harness = () => kindHarness(tunnels, { network: NETWORK });

describe('WireGuard keys and endpoints', () => {
  it('takes the base64 of 32 bytes in its canonical spelling only', () => {
    for (let i = 0; i < 20; i++) expect(isWireguardKey(key())).toBe(true);
    const k = key();
    expect(isWireguardKey(k.slice(0, 43))).toBe(false); // no padding
    expect(isWireguardKey(`${k.slice(0, 42)}B=`)).toBe(false); // bits past the 256 set
    expect(isWireguardKey(randomBytes(33).toString('base64'))).toBe(false);
    expect(isWireguardKey(randomBytes(32).toString('base64url'))).toBe(false);
  });

  it('splits host:port, [v6]:port and name:port; refuses the rest', () => {
    expect(parseEndpoint('10.0.0.1:51820')).toEqual({ host: '10.0.0.1', port: '51820' });
    expect(parseEndpoint('[fd00::1]:51820')).toEqual({ host: 'fd00::1', port: '51820' });
    expect(parseEndpoint('vpn.example.com:1')).toEqual({ host: 'vpn.example.com', port: '1' });
    for (const bad of ['10.0.0.1', 'fd00::1:51820', '[fd00::1]', '[10.0.0.1]:5', '10.0.0.1:0', '10.0.0.1:65536', '10.0.0.1:051820', '1.2.3:80', 'a b:80', ':80', '[zz::]:80']) {
      expect(parseEndpoint(bad), bad).toBeUndefined();
    }
  });
});

describe('tunnels: body -> network config -> list', () => {
  it('writes a wireguard interface and its peer sections, and lists it back as sent without the keys', async () => {
    const h = harness();
    const priv = key();
    const pub = key();
    const psk = key();
    const body = {
      name: 'wg0',
      private_key: priv,
      listen_port: '51820',
      addresses: ['10.10.0.1/24', 'fd10::1/64'],
      mtu: '1420',
      peers: [
        { name: 'site-b', public_key: pub, preshared_key: psk, endpoint: '10.99.0.2:51820', allowed_ips: ['10.10.0.2/32', '192.168.20.0/24'], persistent_keepalive: '25', route_allowed_ips: '1' },
        { name: 'roaming', public_key: key(), endpoint: '[fd00::2]:4500', allowed_ips: ['fd10::2/128'] },
      ],
    };
    const created = await h.create(body);
    const { private_key: _p, ...shown } = body;
    const expected = { ...shown, peers: [{ ...body.peers[0], preshared_key: undefined }, body.peers[1]].map((p) => JSON.parse(JSON.stringify(p))) };
    expect(created).toEqual(expected);
    expect(await h.list()).toEqual([expected]);
    expect(await h.get('wg0')).toEqual(expected);
    expect(JSON.stringify(await h.list())).not.toContain(priv);
    expect(JSON.stringify(await h.list())).not.toContain(psk);
    expect(h.reloads).toEqual(['network']);

    expect(h.file('network')).toBe(
      NETWORK +
        [
          '',
          "config interface 'wg0'",
          "\toption proto 'wireguard'",
          "\toption sdewan_kind 'wireguard'",
          `\toption private_key '${priv}'`,
          "\toption listen_port '51820'",
          "\tlist addresses '10.10.0.1/24'",
          "\tlist addresses 'fd10::1/64'",
          "\toption mtu '1420'",
          '',
          'config wireguard_wg0',
          "\toption description 'site-b'",
          `\toption public_key '${pub}'`,
          `\toption preshared_key '${psk}'`,
          "\toption endpoint_host '10.99.0.2'",
          "\toption endpoint_port '51820'",
          "\tlist allowed_ips '10.10.0.2/32'",
          "\tlist allowed_ips '192.168.20.0/24'",
          "\toption persistent_keepalive '25'",
          "\toption route_allowed_ips '1'",
          '',
          'config wireguard_wg0',
          "\toption description 'roaming'",
          `\toption public_key '${body.peers[1]!.public_key}'`,
          "\toption endpoint_host 'fd00::2'",
          "\toption endpoint_port '4500'",
          "\tlist allowed_ips 'fd10::2/128'",
          '',
          '',
        ].join('\n'),
    );
  });

  it('a PUT without private_key or a peer\'s preshared_key ("" or null as the Go client sends them) keeps the stored ones', async () => {
    const h = harness();
    const priv = key();
    const psk = key();
    const pub = key();
    await h.create({ name: 'wg0', private_key: priv, peers: [{ name: 'b', public_key: pub, preshared_key: psk, allowed_ips: ['10.0.0.2/32'] }] });
    const before = h.file('network');
    // the same object without its secrets changes nothing
    expect(await h.dryRun('replace', { name: 'wg0', private_key: '', peers: [{ name: 'b', public_key: pub, preshared_key: null, allowed_ips: ['10.0.0.2/32'] }] })).toBe('');
    await h.replace('wg0', { name: 'wg0', listen_port: '51821', peers: [{ name: 'b', public_key: pub, allowed_ips: ['10.0.0.3/32'] }] });
    const after = h.pkg('network');
    expect(after.sections.find((s) => s.name === 'wg0')!.options.get('private_key')).toBe(priv);
    expect(after.sections.find((s) => s.type === 'wireguard_wg0')!.options.get('preshared_key')).toBe(psk);
    expect(h.file('network')).not.toBe(before);
    // a dry run of a PUT without the keys answers a batch that holds none of the stored ones
    const batch = await h.dryRun('replace', { name: 'wg0', mtu: '1400', peers: [{ name: 'b', public_key: pub, endpoint: 'vpn.example.com:51820' }] });
    expect(batch).toContain("set network.wg0.mtu='1400'");
    expect(batch).toContain("endpoint_host='vpn.example.com'");
    expect(batch).not.toContain(priv);
    expect(batch).not.toContain(psk);
    // a new key replaces the stored one; a peer under another name has no pre-shared key
    const priv2 = key();
    await h.replace('wg0', { name: 'wg0', private_key: priv2, peers: [{ name: 'c', public_key: pub }] });
    expect(h.file('network')).toContain(`\toption private_key '${priv2}'`);
    expect(h.file('network')).not.toContain(priv);
    expect(h.file('network')).not.toContain('preshared_key');
    expect(await h.get('wg0')).toEqual({ name: 'wg0', peers: [{ name: 'c', public_key: pub }] });
  });

  it('a POST needs private_key; DELETE removes the interface and its peers only', async () => {
    const h = harness();
    expect(await h.refusal(() => h.create({ name: 'wg0' }))).toEqual({ status: 400, message: 'Field[private_key] checked failed: is required: no key is stored for this tunnel' });
    await h.create({ name: 'wg0', private_key: key(), peers: [{ name: 'b', public_key: key() }, { name: 'c', public_key: key() }] });
    await h.create({ name: 'wg1', private_key: key(), peers: [{ name: 'b', public_key: key() }] });
    await h.remove('wg0');
    expect(h.file('network')).not.toContain("'wg0'");
    expect(h.file('network')).not.toContain('wireguard_wg0');
    expect((await h.list()).map((t) => t.name)).toEqual(['wg1']);
    expect(h.file('network').startsWith(NETWORK)).toBe(true);
  });

  it('does not take over another interface, and lists no hand-written one', async () => {
    const h = harness();
    expect(await h.refusal(() => h.create({ name: 'lan', private_key: key() }))).toMatchObject({ status: 409 });
    await h.handEdit("set network.wgh=interface\nset network.wgh.proto='wireguard'\nset network.wgh.private_key='x'\ncommit network\n");
    expect(await h.list()).toEqual([]);
    expect(await h.refusal(() => h.replace('wgh', { name: 'wgh', private_key: key() }))).toMatchObject({ status: 409 });
  });

  it('a route may go through the tunnel: its interface is the one netifd names the device after', async () => {
    const h = kindHarness(tunnels, { network: NETWORK }, { host: { devices: [{ name: 'wg0', addresses: ['10.10.0.1/24'], up: true }] } });
    await h.create({ name: 'wg0', private_key: key(), addresses: ['10.10.0.1/24'] });
    await h.with(routes).create({ name: 'via-wg', dst: '192.168.30.0/24', dev: 'wg0' });
    expect(h.file('network')).toContain("\toption interface 'wg0'\n\toption target '192.168.30.0/24'");
  });

  it('a tunnel can be an mwan3 interface, and is not deleted while it is one', async () => {
    const h = harness();
    await h.create({ name: 'wg0', private_key: key() });
    await h.with(interfaces).create({ name: 'wg0', enabled: '1', family: 'ipv4' });
    expect(await h.refusal(() => h.remove('wg0'))).toEqual({ status: 400, message: 'Tunnel "wg0" is the network interface of mwan3 interface \'wg0\'' });
    expect((await h.list()).map((t) => t.name)).toEqual(['wg0']);
    await h.with(interfaces).remove('wg0');
    await h.remove('wg0');
    expect(await h.list()).toEqual([]);
  });

  it('refuses bad values with a message naming the field, the file unchanged', async () => {
    const h = harness();
    const good = { name: 'wg0', private_key: key(), peers: [{ name: 'b', public_key: key() }] };
    const cases: Array<[unknown, string]> = [
      [{ ...good, name: 'wg-0' }, 'Field[name] checked failed: should be 1 to 15 letters, digits or _'],
      [{ ...good, name: 'a_very_long_name' }, 'Field[name] checked failed: should be 1 to 15 letters, digits or _'],
      [{ ...good, private_key: 'abc' }, 'Field[private_key] checked failed: should be a WireGuard key'],
      [{ ...good, listen_port: '65536' }, 'Field[listen_port] checked failed: should be an integer from 1 to 65535'],
      [{ ...good, mtu: '20' }, 'Field[mtu] checked failed: should be an integer from 68 to 65535'],
      [{ ...good, addresses: ['10.0.0.1/33'] }, 'Field[addresses.0] checked failed: should be an IP address or CIDR'],
      [{ ...good, peers: [{ name: 'b' }] }, 'Field[peers.0.public_key] checked failed: is required'],
      [{ ...good, peers: [{ name: 'b', public_key: 'x' }] }, 'Field[peers.0.public_key] checked failed: should be a WireGuard key'],
      [{ ...good, peers: [{ name: 'b', public_key: key(), preshared_key: 'x' }] }, 'Field[peers.0.preshared_key] checked failed: should be a WireGuard key'],
      [{ ...good, peers: [{ name: 'b', public_key: key(), endpoint: '10.0.0.1' }] }, 'Field[peers.0.endpoint] checked failed: should be host:port'],
      [{ ...good, peers: [{ name: 'b', public_key: key(), allowed_ips: ['10.0.0.1/24'] }] }, 'Field[peers.0.allowed_ips.0] checked failed: should be an address or a network without bits set'],
      [{ ...good, peers: [{ name: 'b', public_key: key(), persistent_keepalive: '-1' }] }, 'Field[peers.0.persistent_keepalive] checked failed'],
      [{ ...good, peers: [{ name: 'b', public_key: key(), route_allowed_ips: 'yes' }] }, 'Field[peers.0.route_allowed_ips] checked failed'],
      [{ ...good, peers: [good.peers[0], { name: 'b', public_key: key() }] }, 'Field[peers.1.name] checked failed: is the name of peers.0 as well'],
      [{ ...good, peers: [good.peers[0], { name: 'c', public_key: good.peers[0]!.public_key }] }, 'Field[peers.1.public_key] checked failed: is the key of peers.0 as well'],
    ];
    for (const [body, message] of cases) {
      const r = await h.refusal(() => h.create(body));
      expect(r.status, message).toBe(400);
      expect(r.message.startsWith(message), `${r.message} / ${message}`).toBe(true);
      expect(h.file('network')).toBe(NETWORK);
    }
  });
});

describe('the OpenAPI document of tunnels', () => {
  it('marks the private and pre-shared keys writeOnly, and nothing else', () => {
    const doc = buildOpenApiDocument({ resources: RESOURCES, version: 'test' }) as unknown as { components: { schemas: Record<string, any> } };
    const schema = doc.components.schemas['WireguardTunnel'];
    expect(schema.properties.private_key.writeOnly).toBe(true);
    expect(schema.properties.peers.items.properties.preshared_key.writeOnly).toBe(true);
    const marked: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (v === null || typeof v !== 'object') return;
      if ((v as { writeOnly?: unknown }).writeOnly === true) marked.push(at);
      for (const [k, c] of Object.entries(v)) walk(c, `${at}/${k}`);
    };
    walk(schema, '');
    expect(marked).toEqual(['/properties/private_key', '/properties/peers/items/properties/preshared_key']);
  });
});
