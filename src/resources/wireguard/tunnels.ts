import * as z from 'zod';
import { conflict, fieldError } from '../../errors.js';
import type { UciPackage, UciSection, UciValue } from '../../uci/types.js';
import { namedSectionOps, optionList, optionString } from '../fields.js';
import { KIND_OPTION, NETWORK, deleteSectionsOps, hostBitsClear, objectName, optionMap, parsePrefix, replaceSectionsOps } from '../network/common.js';
import { bool01, cidr, stringList } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import { endpoint, endpointOf, intIn, parseEndpoint, TUNNEL_NAME, wireguardKey } from './values.js';

/**
 * A WireGuard tunnel (`sdewan/wireguard/v1/tunnels`), kept as OpenWRT keeps one: a netifd
 * interface of proto `wireguard` in /etc/config/network, named as the tunnel (netifd names the
 * device after it), and one anonymous `wireguard_<tunnel>` section per peer, which netifd's
 * wireguard protocol handler (wireguard-tools' wireguard.sh) hands to `wg`:
 *
 *   config interface 'wg0'
 *   	option proto 'wireguard'
 *   	option sdewan_kind 'wireguard'       the API's own (netifd ignores it)
 *   	option private_key '<base64>'        write-only
 *   	option listen_port '51820'
 *   	list addresses '10.10.0.1/24'
 *   	option mtu '1420'
 *
 *   config wireguard_wg0
 *   	option description 'site-b'          the peer's name
 *   	option public_key '<base64>'
 *   	option preshared_key '<base64>'      write-only
 *   	option endpoint_host '10.99.0.2'     `endpoint` host:port / [v6]:port, split
 *   	option endpoint_port '51820'
 *   	list allowed_ips '10.10.0.2/32'
 *   	option persistent_keepalive '25'
 *   	option route_allowed_ips '1'
 *
 * Write-only secrets: `private_key` and each peer's `preshared_key` are never read back (GET,
 * the answer to a write, the list). A PUT that leaves one out keeps the stored one (a peer's by
 * its name), as "" and null mean "absent" in the API; a key is changed by sending the new one,
 * a peer's pre-shared key is dropped by replacing the peer under another name. A POST needs
 * `private_key`. Everything else reads back exactly as sent; `peers` is always listed.
 */
const KIND = 'wireguard';
const INTERFACE = 'interface';
const PROTO = 'wireguard';
export const peerType = (tunnel: string) => `wireguard_${tunnel}`;

const INTERFACE_OPTIONS = ['proto', KIND_OPTION, 'private_key', 'listen_port', 'addresses', 'mtu'];
const PEER_OPTIONS = ['description', 'public_key', 'preshared_key', 'endpoint_host', 'endpoint_port', 'allowed_ips', 'persistent_keepalive', 'route_allowed_ips'];

/** The OpenAPI document marks the secrets: accepted in a write, never in an answer. */
const writeOnly = { writeOnly: true, description: 'Write-only: never read back; a PUT without it keeps the stored key.', examples: ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='] } as const;

const allowedIp = () =>
  cidr().refine(
    (v) => {
      const p = parsePrefix(v);
      return p !== undefined && (p.prefix === undefined || hostBitsClear(p.addr, p.family, p.prefix));
    },
    { error: 'should be an address or a network without bits set past its prefix length' },
  );

const peerSchema = z.object({
  name: objectName().meta({ description: 'The peer (its `description` in the network config).', examples: ['site-b'] }),
  public_key: wireguardKey().meta({ description: "The peer's public key (`wg pubkey`): 44 characters of base64.", examples: ['mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs='] }),
  preshared_key: wireguardKey().optional().meta(writeOnly),
  endpoint: endpoint().optional().meta({ description: 'Where the peer is reached: `host:port` or `[v6]:port`.', examples: ['10.98.0.2:51820'] }),
  allowed_ips: stringList(allowedIp()).optional().meta({ description: 'The addresses routed to the peer and accepted from it.', examples: [['10.77.0.2/32', '192.168.20.0/24']] }),
  persistent_keepalive: intIn(0, 65535).optional().meta({ description: 'Seconds between keepalives (0: none).', examples: ['25'] }),
  route_allowed_ips: bool01().optional().meta({ description: '1: routes to allowed_ips through the tunnel.', examples: ['1'] }),
});
export type WireguardPeer = z.infer<typeof peerSchema>;

const schema = z
  .object({
    name: objectName()
      .refine((v) => TUNNEL_NAME.test(v), {
        error: 'should be 1 to 15 letters, digits or _: it names the netifd interface and its Linux device',
      })
      .meta({ description: 'The tunnel: the netifd interface and its Linux device (1 to 15 letters, digits or _).', examples: ['wg0'] }),
    private_key: wireguardKey().optional().meta(writeOnly),
    listen_port: intIn(1, 65535).optional().meta({ description: 'The UDP port it listens on.', examples: ['51820'] }),
    addresses: stringList(cidr()).optional().meta({ description: 'Its own addresses, with prefix.', examples: [['10.77.0.1/24']] }),
    mtu: intIn(68, 65535).optional().meta({ description: 'The MTU of its device.', examples: ['1420'] }),
    peers: z
      .array(peerSchema, { error: 'should be a list of peers' })
      .optional()
      .meta({
        description: 'Its peers, each once (by name and by key).',
        examples: [[{ name: 'site-b', public_key: 'mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs=', endpoint: '10.98.0.2:51820', allowed_ips: ['10.77.0.2/32'] }]],
      }),
  })
  .superRefine((t, ctx) => {
    const names = new Map<string, number>();
    const keys = new Map<string, number>();
    t.peers?.forEach((p, i) => {
      const sameName = names.get(p.name);
      if (sameName !== undefined) ctx.addIssue({ code: 'custom', path: ['peers', i, 'name'], message: `is the name of peers.${sameName} as well` });
      else names.set(p.name, i);
      const sameKey = keys.get(p.public_key);
      if (sameKey !== undefined) ctx.addIssue({ code: 'custom', path: ['peers', i, 'public_key'], message: `is the key of peers.${sameKey} as well: wg keeps one peer per key` });
      else keys.set(p.public_key, i);
    });
  })
  .meta({
    description: 'A WireGuard tunnel: a netifd interface with `proto wireguard` and a peer section per peer (its keys write-only).',
    examples: [
      {
        name: 'wg0',
        listen_port: '51820',
        addresses: ['10.77.0.1/24'],
        peers: [{ name: 'site-b', public_key: 'mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs=', endpoint: '10.98.0.2:51820', allowed_ips: ['10.77.0.2/32', '192.168.20.0/24'], route_allowed_ips: '1' }],
      },
    ],
  });
export type WireguardTunnel = z.infer<typeof schema>;

/** The tunnels' interface sections: proto wireguard, made by the API. */
export const tunnelSections = (pkg: UciPackage | undefined): UciSection[] =>
  (pkg?.sections ?? []).filter((s) => s.type === INTERFACE && !s.anonymous && optionString(s, 'proto') === PROTO && optionString(s, KIND_OPTION) === KIND);

/** The peer sections of a tunnel, in file order. */
export const peerSections = (pkg: UciPackage | undefined, tunnel: string): UciSection[] => (pkg?.sections ?? []).filter((s) => s.type === peerType(tunnel));

/** A list option that may also be written as one space-separated option (wireguard.sh reads both). */
export const words = (s: UciSection, option: string): string[] => optionList(s, option).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');

function peerOf(s: UciSection): WireguardPeer {
  const host = optionString(s, 'endpoint_host');
  const out: Record<string, unknown> = { name: optionString(s, 'description') ?? s.name, public_key: optionString(s, 'public_key') ?? '' };
  // wireguard.sh's default port, when a hand-written peer has none
  if (host !== undefined) out.endpoint = endpointOf(host, optionString(s, 'endpoint_port') ?? '51820');
  if (s.options.has('allowed_ips')) out.allowed_ips = words(s, 'allowed_ips');
  for (const f of ['persistent_keepalive', 'route_allowed_ips'] as const) {
    const v = optionString(s, f);
    if (v !== undefined) out[f] = v;
  }
  return out as WireguardPeer;
}

function tunnelOf(s: UciSection, pkg: UciPackage): WireguardTunnel {
  const out: Record<string, unknown> = { name: s.name };
  for (const f of ['listen_port', 'mtu'] as const) {
    const v = optionString(s, f);
    if (v !== undefined) out[f] = v;
  }
  if (s.options.has('addresses')) out.addresses = words(s, 'addresses');
  out.peers = peerSections(pkg, s.name).map(peerOf);
  return out as WireguardTunnel;
}

const list = (snap: Snapshot) => {
  const pkg = snap[NETWORK];
  return pkg ? tunnelSections(pkg).map((s) => tunnelOf(s, pkg)) : [];
};

/** The peer options of `peer`; a pre-shared key left out is the one stored for that peer name. */
function peerOptions(peer: WireguardPeer, stored: UciSection | undefined): Map<string, UciValue> {
  const ep = peer.endpoint === undefined ? undefined : parseEndpoint(peer.endpoint);
  return optionMap([
    ['description', peer.name],
    ['public_key', peer.public_key],
    ['preshared_key', peer.preshared_key ?? optionString(stored, 'preshared_key')],
    ['endpoint_host', ep?.host],
    ['endpoint_port', ep?.port],
    ['allowed_ips', peer.allowed_ips],
    ['persistent_keepalive', peer.persistent_keepalive],
    ['route_allowed_ips', peer.route_allowed_ips],
  ]);
}

export const tunnels = defineResource({
  domain: 'wireguard',
  collection: 'tunnels',
  config: NETWORK,
  reads: ['mwan3'],
  service: 'network',
  schema,
  list,
  check(obj, snap) {
    const holder = snap[NETWORK]?.sections.find((s) => s.name === obj.name);
    if (holder && !tunnelSections(snap[NETWORK]).includes(holder)) {
      throw conflict(`Conflict: the network config already has a section '${obj.name}' (${holder.type}) that is not a WireGuard tunnel of the API`);
    }
    if (obj.private_key === undefined && optionString(holder, 'private_key') === undefined) {
      throw fieldError('private_key', 'is required: no key is stored for this tunnel');
    }
  },
  toBatch(obj, snap) {
    const pkg = snap[NETWORK]!;
    const current = pkg.sections.find((s) => s.name === obj.name);
    const options = optionMap([
      ['proto', PROTO],
      [KIND_OPTION, KIND],
      ['private_key', obj.private_key ?? optionString(current, 'private_key')],
      ['listen_port', obj.listen_port],
      ['addresses', obj.addresses],
      ['mtu', obj.mtu],
    ]);
    const stored = peerSections(pkg, obj.name);
    const byName = (name: string) => stored.find((s) => (optionString(s, 'description') ?? s.name) === name);
    const desired = (obj.peers ?? []).map((p) => ({ type: peerType(obj.name), options: peerOptions(p, byName(p.name)) }));
    return [
      ...namedSectionOps(pkg, obj.name, INTERFACE, options, INTERFACE_OPTIONS),
      ...replaceSectionsOps(pkg, stored, desired, PEER_OPTIONS, (s, d) => (optionString(s, 'description') ?? s.name) === d.options.get('description')),
    ];
  },
  deleteBatch(name, snap) {
    const pkg = snap[NETWORK]!;
    return [...deleteSectionsOps(pkg, peerSections(pkg, name)), { op: 'delete', section: name }];
  },
  /** mwan3 balances over network interfaces of its interfaces' names: a tunnel can be one. */
  usedBy(name, snap) {
    const mwan3 = snap['mwan3']?.sections.find((s) => s.type === 'interface' && s.name === name);
    return mwan3 ? `Tunnel ${JSON.stringify(name)} is the network interface of mwan3 interface '${name}'` : undefined;
  },
});
