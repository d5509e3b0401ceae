import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../config.js';
import type { AgentContext } from '../context.js';
import type { ServiceName } from '../resources/types.js';
import type { ServiceReloader } from '../services/reloader.js';
import { SERVICE_ACTIONS, SERVICE_NAMES, isServiceAction, isServiceName } from '../services/table.js';
import { DEFAULT_STATUS_TIMEOUT_MS } from '../status/command.js';
import { listIkeSas } from '../status/ike-sas.js';
import { ipsecStatus, type RemoteStatus } from '../status/ipsec.js';
import { detailedStatusText, fromMwan3Config, fromUbusStatus, parseUbusStatus, type LegacyMwan3Status } from '../status/mwan3.js';
import { ubusMwan3Status } from '../status/ubus.js';
import { ApiError, badRequest, notFound } from './errors.js';

/**
 * Services and status (contract §3 "interface status" and §6). Paths under /cgi-bin/luci:
 *
 *   GET  /sdewan/v1/services          {"services": ["mwan3", "firewall", "ipsec"]}
 *   PUT  /sdewan/v1/service/{name}    {"action": "start|stop|restart|reload"} → {"message": "success"};
 *                                     400 unknown service or action; 500 when the init script
 *                                     fails, 504 when it times out, with the script's message.
 *   GET  /sdewan/v1/status            [{"name": <module>, "status": <module status>}, ...]
 *   GET  /sdewan/v1/status/{module}   {"name": <module>, "status": <module status>} (the controller's Go
 *                                     client reads that shape); 404 unknown.
 *        modules:
 *          wan       the `ubus call mwan3 status` object as is (the Lua agent's answer); without
 *                    ubus, the interfaces of the mwan3 config in the legacy shape, status "unknown".
 *          ipsec     one entry per remote of the ipsec config (src/status/ipsec.ts RemoteStatus):
 *                    state up|connecting|down, or unknown when charon cannot be asked
 *                    (its vici socket, else swanctl: src/status/ike-sas.ts).
 *          services  the last action run per service, automatic reload or explicit:
 *                    {"mwan3": {action, trigger, ok, message?, at} | null, "firewall": ..., "ipsec": ...}
 *   GET  /admin/status/mwan/interface_status   the legacy LuCI shape (contract §3)
 *   GET  /admin/status/mwan/detailed_status    {"mwandetail": ["<mwan3 status-like text>"]}, as the
 *                                              JSON variant of luci-app-mwan3 answered, built from
 *                                              the ubus answer (no command is run for it).
 *   Other methods: 405. Auth is checked globally before routing.
 */

export interface StatusOptions {
  ubusBin: string;
  swanctlBin: string;
  viciUri: string | undefined;
  timeoutMs: number;
}

/** SDEWAN_UBUS, SDEWAN_SWANCTL (programs, default on PATH), SDEWAN_VICI_URI, SDEWAN_STATUS_TIMEOUT_MS. */
/**
 * Where status comes from: swanctl and its vici socket as the settings say (SDEWAN_SWANCTL,
 * SDEWAN_VICI_URI, or their options in /etc/config/sdewan-agent); `ubus` from PATH unless
 * SDEWAN_UBUS names another, and SDEWAN_STATUS_TIMEOUT_MS for both (test and tuning hooks).
 */
export function statusOptionsOf(settings: Pick<Settings, 'swanctlBin' | 'viciUri'>, env: NodeJS.ProcessEnv = process.env): StatusOptions {
  const timeout = Number(env['SDEWAN_STATUS_TIMEOUT_MS']);
  return {
    ubusBin: env['SDEWAN_UBUS'] || 'ubus',
    swanctlBin: settings.swanctlBin,
    viciUri: settings.viciUri,
    timeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : DEFAULT_STATUS_TIMEOUT_MS,
  };
}

/** LuCI's base path (the same as resource-routes.ts; kept here so these routes do not load the UCI layer). */
const LUCI_BASE = '/cgi-bin/luci';
const MODULES = ['wan', 'ipsec', 'services'] as const;
type StatusModule = (typeof MODULES)[number];
const BAD_URI = 'Bad request URI';

/** Concurrent callers share one run of `fn` (a burst of status requests starts one process). */
export function shareInFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= fn().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

function methodNotAllowed(reply: FastifyReply, allow: string) {
  return reply.code(405).header('Allow', allow).send({ message: 'Method Not Allowed' });
}

/** `reloader` is the one made by createReloader (src/services/reloader.ts), normally ctx.reloader. */
export async function registerServiceRoutes(
  app: FastifyInstance,
  ctx: AgentContext,
  reloader: ServiceReloader = ctx.reloader,
  options: StatusOptions = statusOptionsOf(ctx.settings),
): Promise<void> {
  const base = `${LUCI_BASE}/sdewan/v1`;
  const services = reloader;

  const ubusOutput = shareInFlight(() => ubusMwan3Status({ ubusBin: options.ubusBin, timeoutMs: options.timeoutMs }));
  const ikeSas = shareInFlight(() => listIkeSas({ swanctlBin: options.swanctlBin, viciUri: options.viciUri, timeoutMs: options.timeoutMs }));

  /** The ubus answer, or undefined (logged) when ubus is absent or its answer unusable. */
  async function ubusStatus(): Promise<Record<string, unknown> | undefined> {
    const out = await ubusOutput();
    if (!out.ok) {
      if (out.missing) ctx.log.debug({ reason: out.reason }, 'mwan3 status from the config: no ubus');
      else ctx.log.warn({ reason: out.reason }, 'ubus call mwan3 status failed');
      return undefined;
    }
    try {
      return parseUbusStatus(out.stdout);
    } catch (err) {
      ctx.log.warn({ reason: (err as Error).message }, 'ubus call mwan3 status: unusable answer');
      return undefined;
    }
  }

  const configStatus = async (): Promise<LegacyMwan3Status> => fromMwan3Config(await ctx.store.read('mwan3'));

  async function wanStatus(): Promise<Record<string, unknown> | LegacyMwan3Status> {
    return (await ubusStatus()) ?? configStatus();
  }

  async function ipsecModule(): Promise<RemoteStatus[]> {
    const [out, pkg] = await Promise.all([ikeSas(), ctx.store.read('ipsec')]);
    if (!out.ok) ctx.log.warn({ reason: out.reason }, 'IPsec status unknown');
    return out.ok ? ipsecStatus(pkg, out.sas, new Date()) : ipsecStatus(pkg, undefined, new Date(), out.reason);
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

  const moduleStatus = (m: StatusModule): Promise<unknown> =>
    m === 'wan' ? wanStatus() : m === 'ipsec' ? ipsecModule() : Promise.resolve(servicesModule());

  // --- services -------------------------------------------------------------------------

  app.all(`${base}/services`, async (req, reply) => {
    if (req.method !== 'GET') return methodNotAllowed(reply, 'GET');
    return { services: [...SERVICE_NAMES] };
  });

  const serviceHandler = async (req: FastifyRequest<{ Params: { name?: string } }>, reply: FastifyReply) => {
    if (req.method !== 'PUT') return methodNotAllowed(reply, 'PUT');
    const name = req.params.name;
    if (name === undefined || name === '') throw badRequest(BAD_URI);
    if (!isServiceName(name)) {
      throw badRequest(`${BAD_URI}: unknown service ${JSON.stringify(name)}, expected one of ${SERVICE_NAMES.join(', ')}`);
    }
    const body: unknown = req.body;
    const action = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['action'] : undefined;
    if (action === undefined || action === null || action === '') {
      throw badRequest(`Field[action] checked failed: action is required, one of ${SERVICE_ACTIONS.join(', ')}`);
    }
    if (!isServiceAction(action)) {
      throw badRequest(`Field[action] checked failed: action should be one of ${SERVICE_ACTIONS.join(', ')}`);
    }
    const result = await services.runAction(name, action);
    if (!result.ok) {
      throw new ApiError(result.timedOut ? 504 : 500, `${name} ${action} failed: ${result.message ?? 'unknown error'}`);
    }
    return { message: 'success' };
  };
  app.all(`${base}/service`, serviceHandler);
  app.all(`${base}/service/:name`, serviceHandler);
  app.all(`${base}/service/:name/*`, async (req, reply) => {
    if (req.method !== 'PUT') return methodNotAllowed(reply, 'PUT');
    throw badRequest(BAD_URI);
  });

  // --- status ---------------------------------------------------------------------------

  app.all(`${base}/status`, async (req, reply) => {
    if (req.method !== 'GET') return methodNotAllowed(reply, 'GET');
    const statuses = await Promise.all(MODULES.map((m) => moduleStatus(m)));
    return MODULES.map((name, i) => ({ name, status: statuses[i] }));
  });
  app.all(`${base}/status/:module`, async (req: FastifyRequest<{ Params: { module: string } }>, reply) => {
    if (req.method !== 'GET') return methodNotAllowed(reply, 'GET');
    const m = req.params.module;
    if (!(MODULES as readonly string[]).includes(m)) {
      throw notFound(`${BAD_URI}: status module ${JSON.stringify(m)} is not supported, expected one of ${MODULES.join(', ')}`);
    }
    return reply.send({ name: m, status: await moduleStatus(m as StatusModule) });
  });
  app.all(`${base}/status/:module/*`, async (req, reply) => {
    if (req.method !== 'GET') return methodNotAllowed(reply, 'GET');
    throw badRequest(BAD_URI);
  });

  // --- legacy LuCI mwan3 status -----------------------------------------------------------

  app.all(`${LUCI_BASE}/admin/status/mwan/interface_status`, async (req, reply) => {
    if (req.method !== 'GET') return methodNotAllowed(reply, 'GET');
    const live = await ubusStatus();
    return live ? fromUbusStatus(live) : configStatus();
  });
  app.all(`${LUCI_BASE}/admin/status/mwan/detailed_status`, async (req, reply) => {
    if (req.method !== 'GET') return methodNotAllowed(reply, 'GET');
    const status = (await ubusStatus()) ?? (await configStatus());
    return { mwandetail: [detailedStatusText(status)] };
  });
}
