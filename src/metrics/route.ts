// GET /metrics: the Prometheus text exposition, for a logged-in client or a scraper that
// sends `Authorization: Bearer <SDEWAN_METRICS_TOKEN>`.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loginRequired } from '../auth/index.js';
import { methodNotAllowed } from '../http/methods.js';
import { METRICS_PATH } from '../paths.js';
import type { AgentMetrics } from './metrics.js';

export interface MetricsRouteOptions {
  metrics: AgentMetrics;
  /** SDEWAN_METRICS_TOKEN; undefined: only a session gets in. */
  token: string | undefined;
  /** Whether the request carries a live session. */
  hasSession(request: FastifyRequest): boolean;
  /** Runs before each rendering (the requests answered but not yet counted are counted). */
  beforeRender?: () => void;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Compared in constant time (the digests: equal lengths whatever was sent). */
export function tokenMatches(sent: string, token: string): boolean {
  return timingSafeEqual(digest(sent), digest(token));
}

/**
 * Credentials: a bearer token, when an Authorization header is sent, else the session cookie.
 * A wrong (or unexpected) bearer token is a 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"` (RFC 6750: the credentials were not accepted, send others), not the
 * API's 403 "login required": a scraper has no login to do. Without either: that 403.
 */
export function registerMetricsRoute(app: FastifyInstance, opts: MetricsRouteOptions): void {
  app.all(METRICS_PATH, { config: { public: true } }, async (request, reply) => {
    const auth = request.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(auth);
      if (!m || opts.token === undefined || !tokenMatches(m[1]!, opts.token)) {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'Bearer realm="sdewan-agent metrics", error="invalid_token"')
          .send({ message: opts.token === undefined ? 'Bearer tokens are not accepted: SDEWAN_METRICS_TOKEN is not set' : 'Invalid bearer token' });
      }
    } else if (!opts.hasSession(request)) {
      return loginRequired(reply);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(reply, ['GET']);
    opts.beforeRender?.();
    const text = await opts.metrics.render();
    return reply.type(opts.metrics.contentType).header('Cache-Control', 'no-store').send(text);
  });
}
