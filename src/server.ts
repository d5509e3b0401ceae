// The fastify application: body parsing and limits, uniform JSON errors, one log line per
// request, LuCI login and its gate, health probes, and the API routes.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { liveSession, LoginThrottle, registerAuth, SessionStore, verifierFor, type PasswordVerifier } from './auth/index.js';
import type { Listener, Settings } from './config.js';
import { ChangeSets } from './changes/index.js';
import type { AgentContext } from './context.js';
import { kernelHostView } from './host/facts.js';
import { AfterAnswer } from './http/after-answer.js';
import { installMethodFallback } from './http/methods.js';
import { registerApi } from './http/api.js';
import { ApiError } from './errors.js';
import { UciParseError } from './uci/errors.js';
import { registerHealth } from './http/health.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { watchTlsFiles } from './tls-files.js';
import { AGENT_VERSION } from './version.js';
import { watchConfig, type ConfigWatcher } from './events/config-watch.js';
import { watchStatus } from './events/status-watch.js';
import { DEFAULT_VICI_URI } from './ipsec/vici.js';
import { registerEventStream } from './events/stream.js';
import { registerMetricsRoute } from './metrics/route.js';
import { createObservers, type Observers } from './observers.js';
import { RESOURCES } from './resources/index.js';
import { observeWrites } from './uci/observed-store.js';

export const BODY_LIMIT = 1024 * 1024;

export interface ServerDeps {
  logger: Logger;
  store: AgentContext['store'];
  reloader: AgentContext['reloader'];
  /** Default: the kernel of this network namespace. */
  host?: AgentContext['host'];
  /** Default: from settings.auth. */
  verifier?: PasswordVerifier;
  /** Failed logins allowed per client address and minute before 429 (default 5). */
  maxLoginFailures?: number;
  /** The event hub and metrics (default: new ones; src/main.ts makes them first, for the reloader). */
  observers?: Observers;
  /** Heartbeat interval of the event stream (default 15 s). */
  eventHeartbeatMs?: number;
}

export interface AgentServer {
  app: FastifyInstance;
  ctx: AgentContext;
  sessions: SessionStore;
  observers: Observers;
  /** Opens every listener of settings.listeners; their addresses, in the same order. */
  listen(): Promise<{ listener: Listener; address: AddressInfo }[]>;
}

type RawServer = http.Server | https.Server;

function listenOn(server: RawServer, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** `{"message": ...}` and the status for any error thrown in a route or by fastify. */
export function errorAnswer(err: FastifyError | Error): { status: number; message: string } {
  if (err instanceof ApiError) return { status: err.status, message: err.message };
  // A config file broken by hand: say which file and line, for the operator who mends it.
  if (err instanceof UciParseError) return { status: 500, message: `Config file cannot be parsed: ${err.message}` };
  const fe = err as FastifyError;
  if (fe.validation) return { status: 400, message: fe.message };
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) return { status, message: fe.message };
  return { status: status >= 500 && status < 600 ? status : 500, message: 'Internal server error' };
}

/** The compiler factory of an application whose routes declare no schema. */
function noRouteSchemas(): never {
  throw new Error('route schemas are not supported: bodies are validated with zod');
}

export async function buildServer(settings: Settings, deps: ServerDeps): Promise<AgentServer> {
  const tlsPair =
    settings.tlsCert !== undefined && settings.tlsKey !== undefined ? { cert: readFileSync(settings.tlsCert), key: readFileSync(settings.tlsKey) } : undefined;
  // One application (one session table, one UCI store, one reloader) behind every listener.
  const servers: RawServer[] = [];
  const options: FastifyServerOptions = {
    loggerInstance: deps.logger,
    // fastify's own per-request lines are off: the onResponse hook below writes them
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    forceCloseConnections: 'idle',
    // Kubernetes names are up to 253 characters (fastify's default allows 100 in a path segment).
    routerOptions: { maxParamLength: 1024 },
    // Bodies are validated with zod (src/http/validate.ts), never with route schemas: fastify's
    // JSON-schema compilers (ajv, fast-json-stringify) are not loaded, a few MiB less resident.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
  };
  // The first listener is fastify's own server; the others are created here with fastify's
  // request handler (app.routing), so that one application serves them all.
  const [first, ...others] = settings.listeners as [Listener, ...Listener[]];
  for (const l of settings.listeners) if (l.tls && !tlsPair) throw new Error(`port ${l.port} is HTTPS but no certificate is set`);
  const app = (first.tls ? Fastify({ ...options, https: tlsPair! } as FastifyServerOptions) : Fastify(options)) as unknown as FastifyInstance;
  servers.push(app.server as RawServer);
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => app.routing(req, res);
  for (const l of others) servers.push(l.tls ? https.createServer(tlsPair!, route) : http.createServer(route));
  const [primary, ...extra] = servers as [RawServer, ...RawServer[]];
  // fastify sets its timeouts on the server it is given; the other listeners get the same.
  for (const s of extra) {
    s.keepAliveTimeout = primary.keepAliveTimeout;
    s.requestTimeout = primary.requestTimeout;
    s.headersTimeout = primary.headersTimeout;
    s.timeout = primary.timeout;
  }
  // On close, the other listeners stop accepting with the first (fastify closes that one), idle
  // keep-alive connections are dropped, and requests in flight finish.
  const extraClosed: Promise<void>[] = [];
  app.addHook('preClose', async () => {
    for (const s of extra) {
      if (!s.listening) continue;
      extraClosed.push(new Promise((resolve) => s.close(() => resolve())));
      s.closeIdleConnections();
    }
  });
  app.addHook('onClose', async () => {
    await Promise.all(extraClosed);
  });

  // The controller's Go client sends its JSON bodies without a Content-Type (LuCI's Lua
  // original read the raw body as JSON): a body without one is parsed as JSON.
  // (the hooks on every request take a callback: an async hook costs fastify a promise per request)
  app.addHook('onRequest', (request, _reply, done) => {
    const h = request.headers;
    if (h['content-type'] === undefined && (h['transfer-encoding'] !== undefined || Number(h['content-length'] ?? 0) > 0)) {
      h['content-type'] = 'application/json';
    }
    done();
  });

  // Bodies are JSON (the login's form aside, src/auth); anything else (text/plain included) is a 415.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app, BODY_LIMIT);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, message } = errorAnswer(err);
    // the error reduced to its class and frames (src/log-values.ts); never the message, which
    // may quote what the request sent
    if (status >= 500) request.log.error({ err }, 'request failed');
    else request.log.debug({ status }, 'request refused');
    return reply.code(status).send({ message });
  });
  // Routes are registered for the methods they serve only: the 405s of the others, and the 404s,
  // come from the not-found handler (src/http/methods.ts).
  installMethodFallback(app);

  // Once the agent is closing (SIGTERM), a response ends its connection: a keep-alive client
  // would otherwise hold the server open after the requests in flight have finished.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // One line per request; only the path, never the query string, headers or body.
  // One line per request, at info for writes, logins and failures, at debug for the reads that
  // succeed: a controller polls, and a router's log buffer is small. Counted in the metrics by
  // the route's pattern. Both once the answer is out (src/http/after-answer.ts).
  const observers = deps.observers ?? createObservers(settings, deps.store);
  const afterAnswer = new AfterAnswer();
  app.addHook('onResponse', (request, reply, done) => {
    const { method, url, log } = request;
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    afterAnswer.add(() => {
      observers.metrics.observeRequest(method, route, status, ms / 1000);
      const level = status < 400 && (method === 'GET' || method === 'HEAD') ? 'debug' : 'info';
      const q = url.indexOf('?');
      log[level]({ method, path: q === -1 ? url : url.slice(0, q), status, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    done();
  });
  app.addHook('onClose', async () => afterAnswer.flush());

  const sessions = new SessionStore({ ttlMs: settings.sessionTtlSec * 1000 });
  const throttle = new LoginThrottle({ maxFailures: deps.maxLoginFailures ?? 5, windowMs: 60_000 });
  registerAuth(app, { verifier: deps.verifier ?? verifierFor(settings), user: settings.user, sessions, throttle, bodyLimit: BODY_LIMIT, version: AGENT_VERSION });
  registerHealth(app, { confdir: settings.confdir });
  app.addHook('onClose', async () => sessions.close());
  // (which servers are HTTPS from the listeners: an instanceof would load node:https, which the
  // single-file bundle loads on first use only, scripts/bundle.mjs)
  const tlsServers = settings.listeners.flatMap((l, i) => (l.tls ? [servers[i] as https.Server] : []));
  if (tlsServers.length > 0) {
    // A renewed certificate (a Kubernetes TLS secret updated in place) is served without a restart.
    const server = { setSecureContext: (pair: { cert: Buffer; key: Buffer }) => tlsServers.forEach((s) => s.setSecureContext(pair)) };
    const watch = watchTlsFiles({ server, cert: settings.tlsCert!, key: settings.tlsKey!, log: app.log });
    app.addHook('onClose', async () => watch.stop());
  }

  // Every object created, updated or deleted (by the API or by hand) becomes a `config` event;
  // mwan3 and IPsec state is followed while the stream has listeners (src/events/status-watch.ts).
  const { events, metrics, live } = observers;
  const config: ConfigWatcher = watchConfig({ store: deps.store, kinds: RESOURCES, hub: events, log: app.log });
  const status = watchStatus({ hub: events, live, store: deps.store, intervalMs: settings.eventsPollMs, viciUri: settings.viciUri ?? DEFAULT_VICI_URI, log: app.log });
  app.addHook('onClose', async () => {
    config.stop();
    status.stop();
  });
  const store = observeWrites(deps.store, (pkg) => {
    metrics.countWrite(pkg);
    config.written(pkg);
  });
  registerEventStream(app, { hub: events, log: app.log, ...(deps.eventHeartbeatMs !== undefined ? { heartbeatMs: deps.eventHeartbeatMs } : {}) });
  registerMetricsRoute(app, { metrics, token: settings.metricsToken, hasSession: (request) => liveSession(request, sessions) !== undefined, beforeRender: () => afterAnswer.flush() });

  const base = { settings, store, reloader: deps.reloader, log: app.log, host: deps.host ?? kernelHostView };
  // Before any route: an interrupted set's journal is finished, expired pending sets rolled back.
  const changeSets = await ChangeSets.open(base);
  app.addHook('onClose', async () => changeSets.close());
  const ctx: AgentContext = { ...base, changeSets };
  await registerApi(app, ctx);

  const listen = async () => {
    await app.listen({ host: settings.host, port: first.port });
    const out = [{ listener: first, address: primary.address() as AddressInfo }];
    for (const [i, listener] of others.entries()) out.push({ listener, address: await listenOn(extra[i]!, listener.port, settings.host) });
    return out;
  };
  return { app, ctx, sessions, listen, observers };
}
