// LuCI login for fastify: the login and logout routes, and the gate that answers 403 with
// `X-LuCI-Login-Required: yes` to every request without a live session (routes marked
// `config: { public: true }` excepted). The gate runs in onRequest, before body parsing.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loginCookies, logoutCookies, sessionTokens } from './cookies.js';
import { SessionStore, type Session } from './sessions.js';
import { LoginThrottle } from './throttle.js';
import type { PasswordVerifier } from './verifiers.js';

export { SessionStore, type Session } from './sessions.js';
export { LoginThrottle } from './throttle.js';
export { verifierFor, type PasswordVerifier } from './verifiers.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session of an authenticated request (undefined on public routes). */
    session: Session | undefined;
  }
  interface FastifyContextConfig {
    /** Served without a session. */
    public?: boolean;
  }
}

export const LOGIN_PATHS = ['/cgi-bin/luci', '/cgi-bin/luci/'] as const;
export const LOGOUT_PATH = '/cgi-bin/luci/admin/logout';

export interface AuthOptions {
  verifier: PasswordVerifier;
  sessions: SessionStore;
  throttle: LoginThrottle;
  /** The largest login form, in bytes. */
  bodyLimit: number;
}

export function loginRequired(reply: FastifyReply, message = 'Login required'): FastifyReply {
  return reply.code(403).header('X-LuCI-Login-Required', 'yes').send({ message });
}

function liveSession(request: FastifyRequest, sessions: SessionStore): Session | undefined {
  for (const token of sessionTokens(request.headers.cookie)) {
    const s = sessions.touch(token);
    if (s) return s;
  }
  return undefined;
}

function formField(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  const { verifier, sessions, throttle } = opts;
  app.decorateRequest('session', undefined);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public === true) return;
    const session = liveSession(request, sessions);
    if (!session) return loginRequired(reply);
    request.session = session;
  });

  const login = async (request: FastifyRequest, reply: FastifyReply) => {
    const address = request.ip;
    const waitMs = throttle.retryAfterMs(address);
    if (waitMs > 0) {
      request.log.warn({ address }, 'login throttled');
      return reply
        .code(429)
        .header('Retry-After', String(Math.ceil(waitMs / 1000)))
        .send({ message: 'Too many failed logins, try again later' });
    }
    const user = formField(request.body, 'luci_username');
    const password = formField(request.body, 'luci_password');
    let ok = false;
    if (user && password) {
      try {
        ok = await verifier(user, password);
      } catch (err) {
        request.log.error({ err: (err as Error).message }, 'password check failed');
      }
    }
    if (!ok) {
      throttle.recordFailure(address);
      request.log.warn({ user, address }, 'login failed');
      return loginRequired(reply, 'Login failed');
    }
    const session = sessions.create(user!);
    request.log.info({ user }, 'login');
    return reply.code(302).header('Location', '/cgi-bin/luci/').header('Set-Cookie', loginCookies(session.token, request.protocol === 'https')).send();
  };

  // The login form takes POST only. Other methods, like any path, need a session first (a
  // 403 asks for the login, as LuCI does), then get a 405. The form parser belongs to these
  // routes alone: every other body is JSON.
  const otherMethods = app.supportedMethods.filter((m) => m !== 'POST');
  app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: opts.bodyLimit });
    for (const url of LOGIN_PATHS) {
      scope.post(url, { config: { public: true } }, login);
      scope.route({
        method: otherMethods,
        url,
        handler: async (_request, reply) => reply.code(405).header('Allow', 'POST').send({ message: 'Method Not Allowed' }),
      });
    }
  });

  app.get(LOGOUT_PATH, async (request, reply) => {
    if (request.session) sessions.destroy(request.session.token);
    request.log.info({ user: request.session?.user }, 'logout');
    return reply.code(302).header('Location', '/cgi-bin/luci/').header('Set-Cookie', logoutCookies(request.protocol === 'https')).send();
  });
}
