import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Settings } from '../config.js';
import type { AgentContext } from '../context.js';
import type { ServiceName } from '../services/table.js';
import type { ServiceReloader } from '../services/reloader.js';
import { SERVICE_ACTIONS, SERVICE_NAMES, isServiceAction, isServiceName } from '../services/table.js';
import { systemStatusSource, type KernelStatusSource } from '../host/status-source.js';
import { DEFAULT_STATUS_TIMEOUT_MS, runStatusCommand } from '../status/command.js';
import { listIkeSas } from '../status/ike-sas.js';
import { ipsecModuleStatus, type IpsecModuleStatus, type SwanctlAnswer } from '../status/ipsec-module.js';
import { kernelModules, shareInFlight } from '../status/kernel-modules.js';
import { detailedStatusText, fromMwan3Config, fromUbusStatus, type LegacyMwan3Status } from '../status/mwan3.js';
import { mwan3Source, type Mwan3Source } from '../status/mwan3-source.js';
import { statusTunnels, tunnelStatus, type TunnelStatus } from '../status/wireguard.js';
import { ApiError, BAD_URI, badRequest, fieldError, notFound } from '../errors.js';
import { MWAN3_DETAILED_STATUS_PATH, MWAN3_INTERFACE_STATUS_PATH, SDEWAN_V1 } from '../paths.js';
import { serve } from './methods.js';

/**
 * Services and status (contract §3 "interface status" and §6). Paths under /cgi-bin/luci:
 *
 *   GET  /sdewan/v1/services          {"services": ["mwan3", "firewall", "ipsec"]}
 *   PUT  /sdewan/v1/service/{name}    {"action": "start|stop|restart|reload"} → {"message": "success"};
 *                                     400 unknown service or action; 500 when the init script
 *                                     fails, 504 when it times out, with the script's message.
 *   GET  /sdewan/v1/status            [{"name": <module>, "status": <module status>}, ...] (the
 *                                     controller's CNF status poller unmarshals that array)
 *   GET  /sdewan/v1/status/{module}   {"name": <module>, "status": <module status>} (the controller's Go
 *                                     client reads that shape); 404 unknown.
 *        modules, in the shapes of ICN's Lua modules (rest_v1/modules/*.lua):
 *          conntrack [{protocol, request: {src, dst}, response: {src, dst}, mark, state?}] (src/status/conntrack.ts)
 *          interface [{name, ip_address?, ip6_address?, mac_address?, received_packets?, send_packets?,
 *                    status}] (src/status/links.ts)
 *          ipsec     {"InitConnection": "success"|"fail", "details": [per remote]} (src/status/ipsec-module.ts);
 *                    on "fail" the controller restarts the ipsec service.
 *          route     {"<table>": {"item": [{destination, gateway?, device?, ...}]}} (src/status/routes.ts)
 *          rule      [{src?, dst?, prio, fwmark?, table?, not}] (src/status/routes.ts)
 *          wan       the `ubus call mwan3 status` object as is (the Lua agent's answer); without
 *                    ubus, the interfaces of the mwan3 config in the legacy shape, status "unknown".
 *          services  (the agent's own) the last action run per service, automatic reload or explicit:
 *                    {"mwan3": {action, trigger, ok, message?, at} | null, "firewall": ..., "ipsec": ...}
 *          wireguard (the agent's own) [{name, state: up|down|unknown, reason?, public_key?, listen_port?,
 *                    peers: [{name, public_key, endpoint?, allowed_ips, latest_handshake?,
 *                    latest_handshake_age?, transfer_rx, transfer_tx, persistent_keepalive?}]}] per
 *                    tunnel of the API, from `wg show <if> dump` (src/status/wireguard.ts); without
 *                    `wg`, each tunnel is "unknown" and a warning is logged.
 *   GET  /admin/status/mwan/interface_status   the legacy LuCI shape (contract §3)
 *   GET  /admin/status/mwan/detailed_status    {"mwandetail": ["<mwan3 status-like text>"]}, as the
 *                                              JSON variant of luci-app-mwan3 answered, built from
 *                                              the ubus answer (no command is run for it).
 *   Other methods: 405. Auth is checked globally before routing.
 */

export interface StatusOptions {
  ubusBin: string;
  swanctlBin: string;
  /** The `wg` program (SDEWAN_WG, else on PATH). */
  wgBin?: string;
  viciUri: string | undefined;
  timeoutMs: number;
  /** `ip` and `conntrack` programs and the kernel's conntrack file (defaults: on PATH, /proc/net/nf_conntrack). */
  ipBin?: string;
  conntrackBin?: string;
  conntrackFile?: string;
  /** Where the interface, route, rule and conntrack modules read (default: this machine, through the above). */
  kernel?: KernelStatusSource;
}

/** Where status comes from: the settings (SDEWAN_SWANCTL, SDEWAN_VICI_URI, SDEWAN_UBUS, SDEWAN_IP, SDEWAN_WG, SDEWAN_CONNTRACK, SDEWAN_NF_CONNTRACK, SDEWAN_STATUS_TIMEOUT_MS). */
export function statusOptionsOf(settings: Pick<Settings, 'swanctlBin' | 'viciUri' | 'status'>): StatusOptions {
  const { ubusBin, ipBin, wgBin, conntrackBin, conntrackFile, timeoutMs } = settings.status;
  return { ubusBin, swanctlBin: settings.swanctlBin, viciUri: settings.viciUri, timeoutMs, ipBin, wgBin, conntrackBin, conntrackFile };
}

/** ICN's modules in the order its Lua plugin found them (file names, sorted), then the agent's own. */
const MODULES = ['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard'] as const;
type StatusModule = (typeof MODULES)[number];

export { shareInFlight };

/**
 * `reloader` is the one made by createReloader (src/services/reloader.ts), normally ctx.reloader;
 * `mwan3` the reader of mwan3's live status the API shares (src/status/mwan3-source.ts).
 */
export async function registerServiceRoutes(
  app: FastifyInstance,
  ctx: Omit<AgentContext, 'changeSets'>,
  reloader: ServiceReloader = ctx.reloader,
  options: StatusOptions = statusOptionsOf(ctx.settings),
  mwan3: Mwan3Source = mwan3Source(options, ctx.log),
): Promise<void> {
  const base = SDEWAN_V1;
  const services = reloader;

  const ikeSas = shareInFlight(() => listIkeSas({ swanctlBin: options.swanctlBin, viciUri: options.viciUri, timeoutMs: options.timeoutMs }));
  const ubusStatus = () => mwan3.read();

  const configStatus = async (): Promise<LegacyMwan3Status> => fromMwan3Config(await ctx.store.read('mwan3'));

  async function wanStatus(): Promise<Record<string, unknown> | LegacyMwan3Status> {
    return (await ubusStatus()) ?? configStatus();
  }

  const kernel = kernelModules(
    options.kernel ??
      systemStatusSource({ ipBin: options.ipBin, conntrackBin: options.conntrackBin, conntrackFile: options.conntrackFile, timeoutMs: options.timeoutMs }),
    ctx.log,
  );

  /** charon's SAs over vici, else swanctl (src/status/ike-sas.ts). */
  async function swanctlAnswer(): Promise<SwanctlAnswer> {
    const out = await ikeSas();
    const answer: SwanctlAnswer = out.ok ? { sas: out.sas } : { sas: undefined, reason: out.reason, missing: out.missing ?? false };
    if (answer.sas === undefined) ctx.log.warn({ reason: answer.reason }, 'IPsec status unknown');
    return answer;
  }

  async function ipsecModule(): Promise<IpsecModuleStatus> {
    const [answer, pkg] = await Promise.all([swanctlAnswer(), ctx.store.read('ipsec')]);
    const last = services.lastResults().ipsec;
    const stopped = last !== undefined && last.trigger === 'explicit' && last.action === 'stop' && last.ok;
    return ipsecModuleStatus(pkg, answer, new Date(), stopped);
  }

  /** Each tunnel of the API as `wg show <if> dump` reports it (its keys are dropped by the parser). */
  async function wireguardModule(): Promise<TunnelStatus[]> {
    const pkg = await ctx.store.read('network');
    const wgBin = options.wgBin ?? 'wg';
    const now = new Date();
    const statuses = await Promise.all(
      statusTunnels(pkg).map(async (name) => tunnelStatus(pkg, name, await runStatusCommand(wgBin, ['show', name, 'dump'], { timeoutMs: options.timeoutMs }), now)),
    );
    const unknown = statuses.find((t) => t.state === 'unknown');
    if (unknown) ctx.log.warn({ reason: unknown.reason }, 'WireGuard status unknown');
    return statuses;
  }

  function servicesModule(): Record<ServiceName, unknown> {
    const last = services.lastResults();
    const out = {} as Record<ServiceName, unknown>;
    for (const s of SERVICE_NAMES) {
      const r = last[s];
      out[s] = r ? { action: r.action, trigger: r.trigger, ok: r.ok, ...(r.message !== undefined ? { message: r.message } : {}), at: r.at } : null;
    }
    return out;
  }

  const modules: Record<StatusModule, () => Promise<unknown>> = {
    conntrack: kernel.conntrack,
    interface: kernel.interface,
    ipsec: ipsecModule,
    route: kernel.route,
    rule: kernel.rule,
    wan: wanStatus,
    services: async () => servicesModule(),
    wireguard: wireguardModule,
  };
  const moduleStatus = (m: StatusModule): Promise<unknown> => modules[m]();

  // --- services -------------------------------------------------------------------------

  serve(app, `${base}/services`, ['GET'], async () => {
    return { services: [...SERVICE_NAMES] };
  });

  const serviceHandler = async (req: FastifyRequest<{ Params: { name?: string } }>) => {
    const name = req.params.name;
    if (name === undefined || name === '') throw badRequest(BAD_URI);
    if (!isServiceName(name)) {
      throw badRequest(`${BAD_URI}: unknown service ${JSON.stringify(name)}, expected one of ${SERVICE_NAMES.join(', ')}`);
    }
    const body: unknown = req.body;
    const action = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['action'] : undefined;
    if (action === undefined || action === null || action === '') {
      throw fieldError('action', `action is required, one of ${SERVICE_ACTIONS.join(', ')}`);
    }
    if (!isServiceAction(action)) {
      throw fieldError('action', `action should be one of ${SERVICE_ACTIONS.join(', ')}`);
    }
    const result = await services.runAction(name, action);
    if (!result.ok) {
      throw new ApiError(result.timedOut ? 504 : 500, `${name} ${action} failed: ${result.message ?? 'unknown error'}`);
    }
    return { message: 'success' };
  };
  serve(app, `${base}/service`, ['PUT'], serviceHandler);
  serve(app, `${base}/service/:name`, ['PUT'], serviceHandler);
  serve(app, `${base}/service/:name/*`, ['PUT'], async () => {
    throw badRequest(BAD_URI);
  });

  // --- status ---------------------------------------------------------------------------

  serve(app, `${base}/status`, ['GET'], async () => {
    const statuses = await Promise.all(MODULES.map((m) => moduleStatus(m)));
    return MODULES.map((name, i) => ({ name, status: statuses[i] }));
  });
  serve(app, `${base}/status/:module`, ['GET'], async (req: FastifyRequest<{ Params: { module: string } }>, reply) => {
    const m = req.params.module;
    if (!(MODULES as readonly string[]).includes(m)) {
      throw notFound(`${BAD_URI}: status module ${JSON.stringify(m)} is not supported, expected one of ${MODULES.join(', ')}`);
    }
    return reply.send({ name: m, status: await moduleStatus(m as StatusModule) });
  });
  serve(app, `${base}/status/:module/*`, ['GET'], async () => {
    throw badRequest(BAD_URI);
  });

  // --- legacy LuCI mwan3 status -----------------------------------------------------------

  serve(app, MWAN3_INTERFACE_STATUS_PATH, ['GET'], async () => {
    const live = await ubusStatus();
    return live ? fromUbusStatus(live) : configStatus();
  });
  serve(app, MWAN3_DETAILED_STATUS_PATH, ['GET'], async () => {
    const status = (await ubusStatus()) ?? (await configStatus());
    return { mwandetail: [detailedStatusText(status)] };
  });
}
