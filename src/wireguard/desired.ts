// What the WireGuard tunnels of the network config ask of the kernel, as the linux platform
// applies them (src/wireguard/linux.ts) the way netifd's wireguard protocol handler
// (wireguard-tools' wireguard.sh) does on OpenWRT. Pure: no I/O.
import { optionString } from '../resources/fields.js';
import { isIpv4, isIpv6 } from '../resources/schema.js';
import { peerSections, tunnelSections, words } from '../resources/wireguard/tunnels.js';
import type { UciPackage } from '../uci/types.js';

export interface DesiredPeer {
  publicKey: string;
  presharedKey?: string;
  /** `host:port` / `[v6]:port` as `wg` takes it. */
  endpoint?: string;
  allowedIps: string[];
  persistentKeepalive?: string;
  /** Routes through the tunnel to the allowed IPs (prefixes with their length). */
  routes: string[];
}

export interface DesiredTunnel {
  /** The interface name, which is the device name. */
  name: string;
  privateKey: string;
  listenPort?: string;
  mtu?: string;
  /** Addresses with their prefix length (/32, /128 when none was given, as wireguard.sh). */
  addresses: string[];
  peers: DesiredPeer[];
}

/** The WireGuard handler's default endpoint port, for a peer with a host and no port. */
const DEFAULT_PORT = '51820';

/**
 * An address or prefix in one spelling: the prefix length always written (/32, /128 for an
 * address), IPv6 compressed as the kernel prints it (the WHATWG URL parser's canonical form).
 * Undefined for anything else.
 */
export function canonicalPrefix(v: string): string | undefined {
  const [addr = '', len, extra] = v.split('/');
  if (extra !== undefined) return undefined;
  if (isIpv4(addr)) return `${addr}/${len ?? '32'}`;
  if (!isIpv6(addr)) return undefined;
  const host = new URL(`http://[${addr}]/`).hostname;
  return `${host.slice(1, -1)}/${len ?? '128'}`;
}

/** The tunnels the API made, with what each needs. A peer marked `disabled` is left out, as wireguard.sh does. */
export function desiredTunnels(pkg: UciPackage | undefined): DesiredTunnel[] {
  return tunnelSections(pkg).map((s) => {
    const peers = peerSections(pkg, s.name)
      .filter((p) => optionString(p, 'disabled') !== '1' && optionString(p, 'public_key') !== undefined)
      .map((p): DesiredPeer => {
        const host = optionString(p, 'endpoint_host');
        const port = optionString(p, 'endpoint_port') ?? DEFAULT_PORT;
        const allowedIps = words(p, 'allowed_ips');
        const route = optionString(p, 'route_allowed_ips') === '1';
        const peer: DesiredPeer = {
          publicKey: optionString(p, 'public_key')!,
          allowedIps,
          routes: route ? allowedIps.map(canonicalPrefix).filter((r): r is string => r !== undefined) : [],
        };
        const psk = optionString(p, 'preshared_key');
        if (psk !== undefined) peer.presharedKey = psk;
        if (host !== undefined) peer.endpoint = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        const keepalive = optionString(p, 'persistent_keepalive');
        if (keepalive !== undefined) peer.persistentKeepalive = keepalive;
        return peer;
      });
    const tunnel: DesiredTunnel = {
      name: s.name,
      privateKey: optionString(s, 'private_key') ?? '',
      addresses: words(s, 'addresses').map(canonicalPrefix).filter((a): a is string => a !== undefined),
      peers,
    };
    const port = optionString(s, 'listen_port');
    if (port !== undefined) tunnel.listenPort = port;
    const mtu = optionString(s, 'mtu');
    if (mtu !== undefined) tunnel.mtu = mtu;
    return tunnel;
  });
}

/** The configuration `wg syncconf` is given (it holds the keys: written to a private file only). */
export function wgConfig(t: DesiredTunnel): string {
  const lines = ['[Interface]', `PrivateKey = ${t.privateKey}`];
  if (t.listenPort !== undefined) lines.push(`ListenPort = ${t.listenPort}`);
  for (const p of t.peers) {
    lines.push('', '[Peer]', `PublicKey = ${p.publicKey}`);
    if (p.presharedKey !== undefined) lines.push(`PresharedKey = ${p.presharedKey}`);
    if (p.endpoint !== undefined) lines.push(`Endpoint = ${p.endpoint}`);
    if (p.allowedIps.length > 0) lines.push(`AllowedIPs = ${p.allowedIps.join(', ')}`);
    if (p.persistentKeepalive !== undefined) lines.push(`PersistentKeepalive = ${p.persistentKeepalive}`);
  }
  return `${lines.join('\n')}\n`;
}
