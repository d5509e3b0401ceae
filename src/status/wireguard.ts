// The `wireguard` status module: each tunnel of the network config as `wg show <if> dump`
// reports it. Pure translation; the command runs in src/http/service-routes.ts.
import { optionString } from '../resources/fields.js';
import { peerSections, tunnelSections } from '../resources/wireguard/tunnels.js';
import type { UciPackage } from '../uci/types.js';

/** One peer line of `wg show <if> dump`, without its pre-shared key. */
export interface DumpPeer {
  publicKey: string;
  hasPresharedKey: boolean;
  endpoint?: string;
  allowedIps: string[];
  /** Seconds since the epoch; 0 when there was none. */
  latestHandshake: number;
  transferRx: number;
  transferTx: number;
  /** Seconds, or undefined when off. */
  persistentKeepalive?: number;
}

/** `wg show <if> dump` without the secrets: the interface's public key and port, its peers. */
export interface WgDump {
  publicKey?: string;
  listenPort?: number;
  peers: DumpPeer[];
}

const none = (v: string | undefined) => (v === undefined || v === '(none)' || v === '' ? undefined : v);
const count = (v: string | undefined) => (v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : 0);

/**
 * Parses the dump: a first line `private-key public-key listen-port fwmark`, then one line per
 * peer `public-key preshared-key endpoint allowed-ips latest-handshake transfer-rx transfer-tx
 * persistent-keepalive`, tab-separated. The private and pre-shared keys are dropped here.
 */
export function parseWgDump(text: string): WgDump {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const [head, ...rest] = lines;
  const out: WgDump = { peers: [] };
  if (head !== undefined) {
    const [, pub, port] = head.split('\t');
    if (none(pub) !== undefined) out.publicKey = pub;
    if (port !== undefined && /^[0-9]+$/.test(port)) out.listenPort = Number(port);
  }
  for (const line of rest) {
    const f = line.split('\t');
    if (f.length < 8) continue;
    const [pub = '', psk, endpoint, ips, handshake, rx, tx, keepalive] = f;
    const peer: DumpPeer = {
      publicKey: pub,
      hasPresharedKey: none(psk) !== undefined,
      allowedIps: (none(ips) ?? '').split(',').filter((v) => v !== ''),
      latestHandshake: count(handshake),
      transferRx: count(rx),
      transferTx: count(tx),
    };
    const ep = none(endpoint);
    if (ep !== undefined) peer.endpoint = ep;
    if (keepalive !== undefined && /^[0-9]+$/.test(keepalive)) peer.persistentKeepalive = Number(keepalive);
    out.peers.push(peer);
  }
  return out;
}

export interface PeerStatus {
  name: string;
  public_key: string;
  endpoint?: string;
  allowed_ips: string[];
  /** ISO 8601; absent before the first handshake. */
  latest_handshake?: string;
  /** Seconds since it, at the time of the answer. */
  latest_handshake_age?: number;
  transfer_rx: number;
  transfer_tx: number;
  persistent_keepalive?: number;
}

export interface TunnelStatus {
  name: string;
  /** up: the interface runs; down: `wg` knows no such interface; unknown: `wg` could not be asked. */
  state: 'up' | 'down' | 'unknown';
  reason?: string;
  public_key?: string;
  listen_port?: number;
  peers: PeerStatus[];
}

/** What `wg show <if> dump` gave for one tunnel: its output, or why there is none. */
export type DumpAnswer = { ok: true; stdout: string } | { ok: false; missing: boolean; reason: string };

/** The status of one tunnel; peers are named as the config names them (by public key). */
export function tunnelStatus(pkg: UciPackage | undefined, tunnel: string, answer: DumpAnswer, now: Date): TunnelStatus {
  if (!answer.ok) return { name: tunnel, state: answer.missing ? 'unknown' : 'down', reason: answer.reason, peers: [] };
  const dump = parseWgDump(answer.stdout);
  const names = new Map(peerSections(pkg, tunnel).map((s) => [optionString(s, 'public_key'), optionString(s, 'description') ?? s.name]));
  const out: TunnelStatus = { name: tunnel, state: 'up', peers: [] };
  if (dump.publicKey !== undefined) out.public_key = dump.publicKey;
  if (dump.listenPort !== undefined) out.listen_port = dump.listenPort;
  for (const p of dump.peers) {
    const peer: PeerStatus = { name: names.get(p.publicKey) ?? '', public_key: p.publicKey, allowed_ips: p.allowedIps, transfer_rx: p.transferRx, transfer_tx: p.transferTx };
    if (p.endpoint !== undefined) peer.endpoint = p.endpoint;
    if (p.latestHandshake > 0) {
      peer.latest_handshake = new Date(p.latestHandshake * 1000).toISOString();
      peer.latest_handshake_age = Math.max(0, Math.round(now.getTime() / 1000 - p.latestHandshake));
    }
    if (p.persistentKeepalive !== undefined) peer.persistent_keepalive = p.persistentKeepalive;
    out.peers.push(peer);
  }
  return out;
}

/** The tunnels the status module reports: those of the network config the API made. */
export const statusTunnels = (pkg: UciPackage | undefined): string[] => tunnelSections(pkg).map((s) => s.name);
