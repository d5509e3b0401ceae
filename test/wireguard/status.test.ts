// The `wireguard` status module: `wg show <if> dump` per tunnel of the API, through the real
// status route with fake `wg` programs (the two-site test runs the real one).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config.js';
import type { AgentContext } from '../../src/context.js';
import { kernelHostView } from '../../src/host/facts.js';
import { registerServiceRoutes, type StatusOptions } from '../../src/http/service-routes.js';
import { createReloader } from '../../src/services/reloader.js';
import { parseWgDump } from '../../src/status/wireguard.js';
import type { UciStore } from '../../src/uci/types.js';
import { makeFakeBin, type FakeBin } from '../status/fakebin.js';
import { pkg } from '../status/uci.js';

const key = () => randomBytes(32).toString('base64');
const priv = key();
const pub = key();
const peerB = key();
const peerC = key();
const psk = key();

const NOW = Math.floor(Date.now() / 1000);
/** As `wg show wg0 dump` prints it: tab-separated, `(none)` for what is not set, `off` for no keepalive. */
const DUMP = [
  [priv, pub, '51820', 'off'],
  [peerB, psk, '10.99.0.2:51820', '10.10.0.2/32,192.168.20.0/24', String(NOW - 7), '1234', '5678', '25'],
  [peerC, '(none)', '(none)', '(none)', '0', '0', '0', 'off'],
]
  .map((l) => l.join('\t'))
  .join('\n');

describe('wg show dump', () => {
  it('keeps the public key, port and per peer endpoint, allowed IPs, handshake and transfer; drops the private and pre-shared keys', () => {
    const dump = parseWgDump(`${DUMP}\n`);
    expect(dump).toEqual({
      publicKey: pub,
      listenPort: 51820,
      peers: [
        { publicKey: peerB, hasPresharedKey: true, endpoint: '10.99.0.2:51820', allowedIps: ['10.10.0.2/32', '192.168.20.0/24'], latestHandshake: NOW - 7, transferRx: 1234, transferTx: 5678, persistentKeepalive: 25 },
        { publicKey: peerC, hasPresharedKey: false, allowedIps: [], latestHandshake: 0, transferRx: 0, transferTx: 0 },
      ],
    });
    expect(JSON.stringify(dump)).not.toContain(priv);
    expect(JSON.stringify(dump)).not.toContain(psk);
  });
});

describe('the wireguard status module', () => {
  const network = pkg('network', [
    ['interface', 'lan', { proto: 'static' }],
    ['interface', 'wg0', { proto: 'wireguard', sdewan_kind: 'wireguard', private_key: priv }],
    ['wireguard_wg0', 'cfg1', { description: 'site-b', public_key: peerB }],
    ['wireguard_wg0', 'cfg2', { description: 'site-c', public_key: peerC }],
    ['interface', 'wg1', { proto: 'wireguard', sdewan_kind: 'wireguard', private_key: key() }],
    // by hand, not the API's: not reported
    ['interface', 'wgh', { proto: 'wireguard', private_key: key() }],
  ]);
  const store: UciStore = {
    confdir: '/nonexistent',
    read: async (name) => (name === 'network' ? network : { name, sections: [] }),
    identity: () => 'fixed',
    update: async () => {
      throw new Error('read-only test store');
    },
    restore: async () => {
      throw new Error('read-only test store');
    },
  };
  let app: FastifyInstance | undefined;
  let bin: FakeBin | undefined;
  afterEach(async () => {
    await app?.close();
    bin?.cleanup();
  });

  async function statusWith(wgBin: string): Promise<{ status: number; json: any; warnings: string[] }> {
    bin ??= makeFakeBin();
    app = Fastify({ logger: false });
    const warnings: string[] = [];
    const log = { warn: (_o: object, msg: string) => void warnings.push(msg), info: () => undefined, debug: () => undefined, error: () => undefined };
    const reloader = createReloader({ initd: bin.dir, delayMs: 0, log: { info: () => undefined, warn: () => undefined } });
    const ctx = { settings: { initd: bin.dir } as Settings, store, reloader, log, host: kernelHostView } as unknown as AgentContext;
    const options: StatusOptions = { ubusBin: 'ubus', swanctlBin: 'swanctl', viciUri: undefined, timeoutMs: 10_000, wgBin };
    await registerServiceRoutes(app, ctx, reloader, options);
    const r = await app.inject({ method: 'GET', url: '/cgi-bin/luci/sdewan/v1/status/wireguard' });
    await reloader.close();
    return { status: r.statusCode, json: r.json(), warnings };
  }

  it('reports each tunnel of the API from wg show dump: up with its peers named by key, down when wg has no such interface', async () => {
    bin = makeFakeBin();
    bin.addScript(
      'wg',
      [
        `if [ "$1 $2 $3" = "show wg0 dump" ]; then printf '%s\\n' '${DUMP.split('\n').join("' '")}'; exit 0; fi`,
        'echo "Unable to access interface: No such device" >&2',
        'exit 1',
      ].join('\n'),
    );
    const r = await statusWith(path.join(bin.dir, 'wg'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      name: 'wireguard',
      status: [
        {
          name: 'wg0',
          state: 'up',
          public_key: pub,
          listen_port: 51820,
          peers: [
            {
              name: 'site-b',
              public_key: peerB,
              endpoint: '10.99.0.2:51820',
              allowed_ips: ['10.10.0.2/32', '192.168.20.0/24'],
              latest_handshake: new Date((NOW - 7) * 1000).toISOString(),
              latest_handshake_age: expect.any(Number),
              transfer_rx: 1234,
              transfer_tx: 5678,
              persistent_keepalive: 25,
            },
            { name: 'site-c', public_key: peerC, allowed_ips: [], transfer_rx: 0, transfer_tx: 0 },
          ],
        },
        { name: 'wg1', state: 'down', reason: expect.stringContaining('No such device'), peers: [] },
      ],
    });
    expect(r.json.status[0].peers[0].latest_handshake_age).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(r.json)).not.toContain(priv);
    expect(JSON.stringify(r.json)).not.toContain(psk);
    // one call per tunnel of the API (the hand-written wgh is not asked about)
    expect(readFileSync(bin.argsFile, 'utf8').trim().split('\n').sort()).toEqual(['wg show wg0 dump', 'wg show wg1 dump']);
    expect(r.warnings).toEqual([]);
  });

  it('without wg, every tunnel is unknown (200, not 500), with a logged warning', async () => {
    bin = makeFakeBin();
    const r = await statusWith(path.join(bin.dir, 'absent-wg'));
    expect(r.status).toBe(200);
    expect(r.json.status.map((t: { name: string; state: string }) => [t.name, t.state])).toEqual([
      ['wg0', 'unknown'],
      ['wg1', 'unknown'],
    ]);
    expect(r.json.status[0].reason).toContain('not found');
    expect(r.warnings).toEqual(['WireGuard status unknown']);
  });
});
