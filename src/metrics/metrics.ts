// The agent's Prometheus metrics, kept with prom-client: request counts and durations, config
// writes, service reloads, and at each scrape the live state of the WAN interfaces (mwan3) and
// of the IPsec SAs (charon over vici), plus prom-client's process metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ipsecNames } from '../events/status-diff.js';
import type { ActionResult } from '../services/reloader.js';
import type { IkeSa } from '../status/ike-sas.js';
import { remoteStateOf } from '../status/ipsec.js';
import type { LiveStatus } from '../status/live.js';
import type { LegacyMwan3Status } from '../status/mwan3.js';
import type { UciPackage } from '../uci/types.js';

export interface MetricsSources {
  /** mwan3's status and charon's SAs (vici only: a scrape starts at most the one `ubus`). */
  live: Pick<LiveStatus, 'wan' | 'viciSas'>;
  /** The ipsec config: remotes and connections named as the API names them, configured ones shown down. */
  ipsecConfig(): Promise<UciPackage>;
}

export interface AgentMetrics {
  readonly contentType: string;
  /** One answered request; `route` is the route's pattern (never the URL asked). */
  observeRequest(method: string, route: string, code: number, seconds: number): void;
  /** A committed change of a config file by the agent. */
  countWrite(config: string): void;
  /** A service action run by the reloader (reloads are counted). */
  countAction(result: ActionResult): void;
  /** The text exposition: the counters, then the live state read now. */
  render(): Promise<string>;
}

/** Child SA states that carry traffic. */
const CHILD_UP = new Set(['INSTALLED', 'REKEYING', 'REKEYED', 'UPDATING']);

export function createMetrics(sources: MetricsSources | undefined, opts: { processMetrics?: boolean } = {}): AgentMetrics {
  const registry = new Registry();
  // the event loop's lag sampled once a second: prom-client's default (10 ms) is a timer that
  // wakes an idle agent 100 times a second (1% of a core here, and a router's CPU never sleeps)
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });
  const registers = [registry];

  const requests = new Counter({ name: 'sdewan_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.', labelNames: ['method', 'route', 'code'], registers });
  const duration = new Histogram({
    name: 'sdewan_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const writes = new Counter({ name: 'sdewan_config_writes_total', help: 'Config files committed by the agent, by UCI config.', labelNames: ['config'], registers });
  const reloads = new Counter({ name: 'sdewan_reloads_total', help: 'Service reloads run (automatic after writes, or asked for), by service and result (ok, failed, timeout).', labelNames: ['service', 'result'], registers });
  const liveUp = new Gauge({ name: 'sdewan_live_status_up', help: '1 when the last scrape could read the source (mwan3: ubus, ipsec: vici), else 0.', labelNames: ['source'], registers });
  const wanUp = new Gauge({ name: 'sdewan_wan_interface_up', help: '1 when mwan3 reports the interface online, else 0.', labelNames: ['interface'], registers });
  const latency = new Gauge({ name: 'sdewan_wan_track_latency_seconds', help: "Latency to a tracked address of an mwan3 interface (mwan3's last probe).", labelNames: ['interface', 'track_ip'], registers });
  const loss = new Gauge({ name: 'sdewan_wan_track_loss_ratio', help: "Packet loss to a tracked address of an mwan3 interface (0 to 1, mwan3's last probes).", labelNames: ['interface', 'track_ip'], registers });
  const saUp = new Gauge({ name: 'sdewan_ipsec_sa_up', help: '1 when the SA is up: the IKE SA of a remote (child ""), or a child SA (connection), else 0.', labelNames: ['remote', 'child'], registers });
  const saBytes = new Gauge({ name: 'sdewan_ipsec_sa_bytes', help: 'Bytes through a child SA since it was installed (a rekey starts again), by direction.', labelNames: ['remote', 'child', 'direction'], registers });
  const saPackets = new Gauge({ name: 'sdewan_ipsec_sa_packets', help: 'Packets through a child SA since it was installed (a rekey starts again), by direction.', labelNames: ['remote', 'child', 'direction'], registers });

  function setWan(status: LegacyMwan3Status): void {
    for (const [name, iface] of Object.entries(status.interfaces)) {
      wanUp.set({ interface: name }, iface.status === 'online' ? 1 : 0);
      for (const t of iface.track_ip) {
        if (t.ip === '') continue;
        latency.set({ interface: name, track_ip: t.ip }, t.latency / 1000);
        loss.set({ interface: name, track_ip: t.ip }, t.packetloss / 100);
      }
    }
  }

  function setIpsec(sas: readonly IkeSa[], pkg: UciPackage): void {
    const names = ipsecNames(pkg);
    const up = new Map<string, { remote: string; child: string; up: number }>();
    const key = (remote: string, child: string) => `${remote}\0${child}`;
    const mark = (remote: string, child: string, value: number) => {
      const k = key(remote, child);
      const cur = up.get(k);
      if (!cur || value > cur.up) up.set(k, { remote, child, up: value });
    };
    // configured remotes and their connections first: down until an SA says otherwise
    for (const s of pkg.sections) {
      if (s.type !== 'remote') continue;
      const remote = names.remote(s.name);
      mark(remote, '', 0);
      for (const option of ['tunnel', 'transport']) {
        const v = s.options.get(option);
        for (const child of v === undefined ? [] : Array.isArray(v) ? v : [v]) mark(remote, names.child(child), 0);
      }
    }
    const traffic = new Map<string, { remote: string; child: string; bytesIn: number; bytesOut: number; packetsIn: number; packetsOut: number }>();
    for (const sa of sas) {
      const remote = names.remote(sa.name);
      mark(remote, '', remoteStateOf(sa.state) === 'up' ? 1 : 0);
      for (const c of sa.childSas) {
        const child = names.child(c.name);
        mark(remote, child, CHILD_UP.has(c.state) ? 1 : 0);
        const k = key(remote, child);
        const t = traffic.get(k) ?? { remote, child, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 };
        t.bytesIn += c.bytesIn;
        t.bytesOut += c.bytesOut;
        t.packetsIn += c.packetsIn;
        t.packetsOut += c.packetsOut;
        traffic.set(k, t);
      }
    }
    for (const u of up.values()) saUp.set({ remote: u.remote, child: u.child }, u.up);
    for (const t of traffic.values()) {
      saBytes.set({ remote: t.remote, child: t.child, direction: 'in' }, t.bytesIn);
      saBytes.set({ remote: t.remote, child: t.child, direction: 'out' }, t.bytesOut);
      saPackets.set({ remote: t.remote, child: t.child, direction: 'in' }, t.packetsIn);
      saPackets.set({ remote: t.remote, child: t.child, direction: 'out' }, t.packetsOut);
    }
  }

  /** Reads the live state once (shared with concurrent readers) and sets the gauges from it alone. */
  async function refreshLive(): Promise<void> {
    if (!sources) return;
    const [wan, sas, pkg] = await Promise.all([sources.live.wan(), sources.live.viciSas(), sources.ipsecConfig()]);
    for (const g of [wanUp, latency, loss, saUp, saBytes, saPackets]) g.reset();
    liveUp.set({ source: 'mwan3' }, wan.ok ? 1 : 0);
    liveUp.set({ source: 'ipsec' }, sas.ok ? 1 : 0);
    // no reading, no figures: an unknown state is not a down one
    if (wan.ok) setWan(wan.value);
    if (sas.ok) setIpsec(sas.value, pkg);
  }

  return {
    contentType: registry.contentType,
    observeRequest(method, route, code, seconds) {
      requests.inc({ method, route, code: String(code) });
      duration.observe({ method, route }, seconds);
    },
    countWrite: (config) => writes.inc({ config }),
    countAction(result) {
      if (result.action !== 'reload') return;
      reloads.inc({ service: result.service, result: result.ok ? 'ok' : result.timedOut ? 'timeout' : 'failed' });
    },
    async render() {
      await refreshLive();
      return registry.metrics();
    },
  };
}
