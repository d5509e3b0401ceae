// LuCI login for fastify: the login and logout routes, and the gate that answers 403 with
// `X-LuCI-Login-Required: yes` to every request without a live session (routes marked
// `config: { public: true }` excepted). The gate runs in onRequest, before body parsing.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { methodNotAllowed } from '../http/methods.js';
import { LOGIN_PATHS, LOGOUT_PATH, LUCI_HOME } from '../paths.js';
import { loginCookies, logoutCookies, sessionTokens } from './cookies.js';
import { LOGIN_PAGE_CSP, loginPage } from './login-page.js';
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


export interface AuthOptions {
  verifier: PasswordVerifier;
  /** The user allowed to log in (settings.user): a failed login logs whether it was this one. */
  user: string;
  sessions: SessionStore;
  throttle: LoginThrottle;
  /** The largest login form, in bytes. */
  bodyLimit: number;
  /** The agent's version, shown on the page of GET /cgi-bin/luci/. */
  version: string;
}

export function loginRequired(reply: FastifyReply, message = 'Login required'): FastifyReply {
  return reply.code(403).header('X-LuCI-Login-Required', 'yes').send({ message });
}

/** The session a request carries in its cookies, if it is live (touched: its idle time starts again). */
export function liveSession(request: FastifyRequest, sessions: SessionStore): Session | undefined {
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

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * The login form of a request whose method fastify parses no body for. `wget --spider
 * --post-data ...` (ICN's e2e script) sends a HEAD request that carries the form, and LuCI
 * reads the form whatever the method: so does the agent. Undefined without a form body;
 * a body over `limit` bytes is a 413.
 */
async function bodylessForm(request: FastifyRequest, limit: number): Promise<Record<string, string> | undefined> {
  const h = request.headers;
  if (!FORM_TYPE.test(h['content-type'] ?? '')) return undefined;
  if (Number(h['content-length'] ?? 0) > limit) throw Object.assign(new Error('Request body is too large'), { statusCode: 413 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  const { verifier, sessions, throttle } = opts;
  app.decorateRequest('session', undefined);

  // a callback rather than an async hook: one promise less per request
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.public === true) return done();
    const session = liveSession(request, sessions);
    if (!session) {
      loginRequired(reply); // answered: the request goes no further (done is not called)
      return;
    }
    request.session = session;
    done();
  });

  const login = async (request: FastifyRequest, reply: FastifyReply, form: unknown) => {
    const address = request.ip;
    const waitMs = throttle.retryAfterMs(address);
    if (waitMs > 0) {
      request.log.warn({ address }, 'login throttled');
      return reply
        .code(429)
        .header('Retry-After', String(Math.ceil(waitMs / 1000)))
        .send({ message: 'Too many failed logins, try again later' });
    }
    const user = formField(form, 'luci_username');
    // an empty password is a password: the check decides (static never accepts one)
    const password = formField(form, 'luci_password');
    let ok = false;
    if (user && password !== undefined) {
      try {
        ok = await verifier(user, password);
      } catch (err) {
        request.log.error({ err }, 'password check failed');
      }
    }
    if (!ok) {
      throttle.recordFailure(address);
      // never the name sent: a password typed into the user field would land in the log
      request.log.warn({ configuredUser: user === opts.user, address }, 'login failed');
      return loginRequired(reply, 'Login failed');
    }
    const session = sessions.create(user!);
    request.log.info({ user }, 'login');
    return reply.code(302).header('Location', LUCI_HOME).header('Set-Cookie', loginCookies(session.token, request.protocol === 'https')).send();
  };

  // The login page: GET answers it with or without a session (browsers and probes look there).
  const page = loginPage({ name: 'sdewan-agent', version: opts.version });
  const sendPage = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('Content-Security-Policy', LOGIN_PAGE_CSP).header('Cache-Control', 'no-store').send(page);

  // HEAD with a form logs in like POST (ICN's e2e script logs in with `wget --spider
  // --post-data`). Without one (wget following the login's redirect), it answers as GET does.
  const headLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    let form;
    try {
      form = await bodylessForm(request, opts.bodyLimit);
    } catch (err) {
      // the rest of the body is not read: it must not be taken for the next request
      reply.header('Connection', 'close');
      throw err;
    }
    if (form !== undefined) return login(request, reply, form);
    return sendPage(reply);
  };

  // The login form takes POST (and HEAD, above). Other methods, like any path, need a session
  // first (a 403 asks for the login, as LuCI does), then get a 405. The form parser belongs to
  // these routes alone: every other body is JSON.
  const otherMethods = app.supportedMethods.filter((m) => m !== 'POST' && m !== 'GET' && m !== 'HEAD');
  app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: opts.bodyLimit });
    for (const url of LOGIN_PATHS) {
      scope.post(url, { config: { public: true } }, (request, reply) => login(request, reply, request.body));
      scope.head(url, { config: { public: true } }, headLogin);
      scope.get(url, { config: { public: true }, exposeHeadRoute: false }, async (_request, reply) => sendPage(reply));
      scope.route({
        method: otherMethods,
        url,
        handler: async (_request, reply) => methodNotAllowed(reply, ['GET', 'HEAD', 'POST']),
      });
    }
  });

  app.get(LOGOUT_PATH, async (request, reply) => {
    if (request.session) sessions.destroy(request.session.token);
    request.log.info({ user: request.session?.user }, 'logout');
    return reply.code(302).header('Location', LUCI_HOME).header('Set-Cookie', logoutCookies(request.protocol === 'https')).send();
  });
}
