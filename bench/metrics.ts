/**
 * The cost of a scrape of GET /metrics (a printed table, not a test): the agent's CPU time per
 * render of the metrics with 10 mwan3 interfaces (2 tracked addresses each) and 50 IPsec SAs,
 * read as a scrape reads them (one `ubus` process, a stand-in printing the status, and
 * charon's `list-sas` over a vici unix socket, a stand-in server sending recorded bytes),
 * against prom-client rendering an empty registry. CPU of this process only (user + system):
 * the `ubus` child's own time is not the agent's.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { PACKET, SegmentReader, decodePacket, encodePacket, type ViciSection } from '../src/ipsec/vici.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { liveStatus } from '../src/status/live.js';
import { parseUci } from '../src/uci/index.js';
import { type Row, fmtMs, percentiles, renderTable } from './table.js';

const WANS = 10;
const SAS = 50;
const SCRAPES = 200;

function mwan3Status(): string {
  const interfaces: Record<string, unknown> = {};
  for (let i = 0; i < WANS; i++) {
    interfaces[`wan${i}`] = {
      status: i % 3 === 0 ? 'offline' : 'online', running: true, score: 20, lost: 0, age: 3, turn: 0, tracking: 'active',
      track_ip: [{ ip: `10.0.${i}.1`, status: 'up', latency: 12 + i, packetloss: 0 }, { ip: `10.1.${i}.1`, status: 'up', latency: 20, packetloss: 5 }],
    };
  }
  return JSON.stringify({ interfaces, connected: { ipv4: ['10.0.0.0/8'], ipv6: [] }, policies: { ipv4: {}, ipv6: {} } });
}

function listSaEvent(i: number): ViciSection {
  const child = new Map<string, any>([
    ['name', `conn${i}`], ['state', 'INSTALLED'], ['mode', 'TUNNEL'], ['protocol', 'ESP'], ['spi-in', 'c1a2b3c4'], ['spi-out', 'd1e2f3a4'],
    ['bytes-in', String(1000 * i)], ['bytes-out', String(900 * i)], ['packets-in', String(10 * i)], ['packets-out', String(9 * i)],
    ['install-time', '100'], ['rekey-time', '3000'], ['life-time', '3500'], ['local-ts', ['192.168.0.0/24']], ['remote-ts', [`10.${i}.0.0/24`]],
  ]);
  const sa = new Map<string, any>([
    ['uniqueid', String(i)], ['version', '2'], ['state', 'ESTABLISHED'], ['local-host', '10.99.0.1'], ['remote-host', `10.99.1.${i}`],
    ['local-id', 'hub'], ['remote-id', `site${i}`], ['initiator', 'yes'], ['established', '120'], ['child-sas', new Map([[`conn${i}-${i}`, child]])],
  ]);
  return new Map([[`site${i}`, sa]]);
}

function ipsecConfig(): string {
  let t = '';
  for (let i = 0; i < SAS; i++) t += `config remote 'site${i}'\n\toption api_name 'site-${i}'\n\tlist tunnel 'conn${i}'\n\nconfig tunnel 'conn${i}'\n\n`;
  return t;
}

/** A vici server answering every list-sas with the same recorded bytes. */
async function fakeCharon(socketPath: string): Promise<net.Server> {
  const answer = Buffer.concat([
    ...Array.from({ length: SAS }, (_, i) => encodePacket({ type: PACKET.EVENT, name: 'list-sa', message: listSaEvent(i) })),
    encodePacket({ type: PACKET.CMD_RESPONSE, message: new Map() }),
  ]);
  const confirm = encodePacket({ type: PACKET.EVENT_CONFIRM });
  const server = net.createServer((conn) => {
    const reader = new SegmentReader();
    conn.on('data', (chunk) => {
      for (const segment of reader.push(chunk)) {
        const p = decodePacket(segment);
        conn.write(p.type === PACKET.EVENT_REGISTER ? confirm : answer);
      }
    });
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return server;
}

/** CPU milliseconds (user + system) of this process per call, median of `n` calls. */
async function cpuPerCall(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 10; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(t);
    out.push((d.user + d.system) / 1000);
  }
  return percentiles(out).median;
}

export async function benchMetrics(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bench-metrics-'));
  const server = await fakeCharon(path.join(dir, 'charon.vici'));
  try {
    writeFileSync(path.join(dir, 'status.json'), mwan3Status());
    const ubus = path.join(dir, 'ubus');
    writeFileSync(ubus, `#!/bin/sh\nexec cat '${path.join(dir, 'status.json')}'\n`);
    chmodSync(ubus, 0o755);
    const live = liveStatus({ ubusBin: ubus, swanctlBin: 'swanctl', viciUri: `unix://${path.join(dir, 'charon.vici')}`, timeoutMs: 5000 });
    const pkg = parseUci(Buffer.from(ipsecConfig()), { name: 'ipsec' });
    const metrics = createMetrics({ live, ipsecConfig: async () => pkg });
    for (let i = 0; i < 100; i++) metrics.observeRequest('GET', `/cgi-bin/luci/sdewan/mwan3/v1/route${i % 20}`, 200, 0.003);
    const text = await metrics.render();
    if (!text.includes('sdewan_ipsec_sa_up{remote="site-49",child="conn49"} 1') || !text.includes('sdewan_wan_interface_up{interface="wan8"} 1')) {
      throw new Error('the scrape lacks the WAN or SA figures');
    }
    const empty = new Registry();
    const scrape = await cpuPerCall(SCRAPES, () => metrics.render());
    const baseline = await cpuPerCall(SCRAPES, () => empty.metrics());
    return [
      {
        name: `GET /metrics render, CPU per scrape (${WANS} WANs via a ubus process, ${SAS} SAs over vici, process metrics)`,
        value: fmtMs(scrape),
        baseline: `prom-client, empty registry ${fmtMs(baseline)}`,
        ratio: `${(scrape / baseline).toFixed(0)}x`,
        target: '< 10 ms',
        ok: scrape < 10,
      },
    ];
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(renderTable(await benchMetrics()));
}
