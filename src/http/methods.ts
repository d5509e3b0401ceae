// Which methods each path serves, and the one 405. A route is registered with fastify for the
// methods its handler answers only (fastify's router keeps an entry per method and path: nine
// per path when every method is registered, ~1,000 for the API). A request with any other
// method finds no route, and the not-found handler installed here looks its path up in the
// table of the paths served: a 405 naming the methods that path allows, the path's own answer
// for a path that answers every method alike (a URI too deep is a 400 whatever the method), or
// the 404.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';

/** The one 405 answer: `{"message": "Method Not Allowed"}` with the methods the path serves in `Allow`. */
export function methodNotAllowed(reply: FastifyReply, allow: readonly string[]): FastifyReply {
  return reply.code(405).header('Allow', allow.join(', ')).send({ message: 'Method Not Allowed' });
}

type Handler = (request: FastifyRequest<any>, reply: FastifyReply) => unknown;

interface Entry {
  /** The route's path as fastify matches it (`:param` one segment, a final `*` the rest). */
  pattern: RegExp;
  /** The methods of the 405's Allow header. */
  allow: readonly string[];
  /** Answers every method instead (no route is registered for the path). */
  answer?: Handler;
}

/** The paths served, per application (the fastify instances of one application share its server). */
const tables = new WeakMap<object, Entry[]>();

/** A route path as a regular expression over the request's path. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Installs the not-found handler that answers the 405s and 404s of `app` (once per
 * application; src/server.ts calls it first, a test's bare fastify gets it with its first route).
 */
export function installMethodFallback(app: FastifyInstance): Entry[] {
  const known = tables.get(app.server);
  if (known) return known;
  const table: Entry[] = [];
  tables.set(app.server, table);
  app.setNotFoundHandler((request, reply) => {
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    const entry = table.find((e) => e.pattern.test(path));
    if (entry?.answer) return entry.answer(request, reply);
    // a path served with this very method that the router did not match for reasons of its own is not a 405
    if (entry && !entry.allow.includes(request.method)) return methodNotAllowed(reply, entry.allow);
    // A method no route knows (WebDAV's PROPFIND or MKCOL, say) never matches one: a 405.
    if (!app.supportedMethods.includes(request.method)) return methodNotAllowed(reply, app.supportedMethods.filter((m) => m !== 'OPTIONS'));
    return reply.code(404).send({ message: 'Not found' });
  });
  return table;
}

/**
 * Registers `handler` for `methods` on `url`; any other method there is a 405 with `allow` (by
 * default `methods`: a handler may answer more methods than it allows, with a 400). HEAD is a
 * 405 too unless listed: fastify's automatic HEAD of GET routes is off.
 */
export function serve(app: FastifyInstance, url: string, methods: readonly string[], handler: Handler, opts: { allow?: readonly string[]; config?: RouteShorthandOptions['config'] } = {}): void {
  installMethodFallback(app).push({ pattern: patternOf(url), allow: opts.allow ?? methods });
  app.route({ method: [...methods], url, handler, exposeHeadRoute: false, ...(opts.config ? { config: opts.config } : {}) });
}

/** `url` answered alike for every method by `answer`, from the not-found handler (no route is registered). */
export function serveAnyMethod(app: FastifyInstance, url: string, answer: Handler): void {
  installMethodFallback(app).push({ pattern: patternOf(url), allow: [], answer });
}
