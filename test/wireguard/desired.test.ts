// What the linux platform asks of ip and wg for the tunnels of a network config (pure).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalPrefix, desiredTunnels, wgConfig } from '../../src/wireguard/desired.js';
import { pkg } from '../status/uci.js';

const key = () => randomBytes(32).toString('base64');

describe('desired tunnels', () => {
  it('writes every prefix one way: the length always, IPv6 compressed as the kernel prints it', () => {
    expect(canonicalPrefix('10.0.0.1')).toBe('10.0.0.1/32');
    expect(canonicalPrefix('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(canonicalPrefix('fd00:0:0::1')).toBe('fd00::1/128');
    expect(canonicalPrefix('FD00:0000::/64')).toBe('fd00::/64');
    expect(canonicalPrefix('nope')).toBeUndefined();
  });

  it("reads the API's tunnels as wireguard.sh would: default endpoint port, disabled peers left out, routes only with route_allowed_ips", () => {
    const [priv, b, c, d, psk] = [key(), key(), key(), key(), key()];
    const network = pkg('network', [
      ['interface', 'wg0', { proto: 'wireguard', sdewan_kind: 'wireguard', private_key: priv, listen_port: '51820', mtu: '1400', addresses: ['10.1.0.1/24', 'fd01::1'] }],
      ['wireguard_wg0', 'cfg1', { description: 'b', public_key: b, preshared_key: psk, endpoint_host: 'fd00::2', allowed_ips: ['10.1.0.2', '192.168.2.0/24'], route_allowed_ips: '1', persistent_keepalive: '25' }],
      ['wireguard_wg0', 'cfg2', { description: 'c', public_key: c, endpoint_host: 'vpn.example.com', endpoint_port: '4500', allowed_ips: '10.1.0.3/32 10.1.3.0/24' }],
      ['wireguard_wg0', 'cfg3', { description: 'd', public_key: d, disabled: '1' }],
      // hand-written: not the API's, not applied
      ['interface', 'wgh', { proto: 'wireguard', private_key: key() }],
    ]);
    const [t, ...others] = desiredTunnels(network);
    expect(others).toEqual([]);
    expect(t).toEqual({
      name: 'wg0',
      privateKey: priv,
      listenPort: '51820',
      mtu: '1400',
      addresses: ['10.1.0.1/24', 'fd01::1/128'],
      peers: [
        { publicKey: b, presharedKey: psk, endpoint: '[fd00::2]:51820', allowedIps: ['10.1.0.2', '192.168.2.0/24'], persistentKeepalive: '25', routes: ['10.1.0.2/32', '192.168.2.0/24'] },
        { publicKey: c, endpoint: 'vpn.example.com:4500', allowedIps: ['10.1.0.3/32', '10.1.3.0/24'], routes: [] },
      ],
    });
    expect(wgConfig(t!)).toBe(
      [
        '[Interface]',
        `PrivateKey = ${priv}`,
        'ListenPort = 51820',
        '',
        '[Peer]',
        `PublicKey = ${b}`,
        `PresharedKey = ${psk}`,
        'Endpoint = [fd00::2]:51820',
        'AllowedIPs = 10.1.0.2, 192.168.2.0/24',
        'PersistentKeepalive = 25',
        '',
        '[Peer]',
        `PublicKey = ${c}`,
        'Endpoint = vpn.example.com:4500',
        'AllowedIPs = 10.1.0.3/32, 10.1.3.0/24',
        '',
      ].join('\n'),
    );
  });
});
