// The route table of src/http/methods.ts in a fastify instance of its own, on a real socket:
// routes are registered for the methods they serve only, and the not-found handler answers the
// other methods of a served path with the 405 (and its Allow), a path answered alike for every
// method with its own answer, and anything else with the 404.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMethodFallback, serve, serveAnyMethod } from '../../src/http/methods.js';

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = Fastify({ routerOptions: { maxParamLength: 16 } });
  installMethodFallback(app);
  serve(app, '/things', ['GET', 'POST', 'PUT'], async (req) => ({ method: req.method }), { allow: ['GET', 'POST'] });
  serve(app, '/things/:name', ['GET', 'DELETE'], async (req: FastifyRequest<{ Params: { name: string } }>) => ({ name: req.params.name }));
  serve(app, '/things/:name/status', ['GET'], async () => ({ status: 'ok' }));
  serveAnyMethod(app, '/things/:name/*', async (_req, reply) => reply.code(400).send({ message: 'too deep' }));
  // registered inside a plugin: the same table
  await app.register(async (scope) => serve(scope, '/scoped', ['PATCH'], async () => ({ scoped: true })));
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
});

async function call(method: string, path: string): Promise<{ status: number; allow: string | null; body: unknown }> {
  const res = await fetch(`${base}${path}`, { method });
  const text = await res.text();
  return { status: res.status, allow: res.headers.get('allow'), body: text === '' ? undefined : JSON.parse(text) };
}

describe('serve and the not-found handler', () => {
  it('answers the methods a route serves, allowed or not', async () => {
    expect(await call('GET', '/things')).toEqual({ status: 200, allow: null, body: { method: 'GET' } });
    expect(await call('PUT', '/things')).toEqual({ status: 200, allow: null, body: { method: 'PUT' } });
    expect(await call('DELETE', '/things/a')).toEqual({ status: 200, allow: null, body: { name: 'a' } });
    expect(await call('PATCH', '/scoped')).toEqual({ status: 200, allow: null, body: { scoped: true } });
  });

  it('any other method of a served path is a 405 naming what the path allows', async () => {
    const notAllowed = { message: 'Method Not Allowed' };
    expect(await call('DELETE', '/things')).toEqual({ status: 405, allow: 'GET, POST', body: notAllowed });
    expect(await call('OPTIONS', '/things/a')).toEqual({ status: 405, allow: 'GET, DELETE', body: notAllowed });
    // HEAD is not added for a GET route
    expect((await call('HEAD', '/things/a')).status).toBe(405);
    // the sub-path registered before the wildcard wins
    expect(await call('PUT', '/things/a/status')).toEqual({ status: 405, allow: 'GET', body: notAllowed });
    expect(await call('GET', '/scoped')).toEqual({ status: 405, allow: 'PATCH', body: notAllowed });
  });

  it('a path answered alike for every method gets its own answer, with no route', async () => {
    for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS']) {
      expect(await call(method, '/things/a/b/c')).toEqual({ status: 400, allow: null, body: { message: 'too deep' } });
    }
  });

  it('404 for a path nothing serves', async () => {
    expect(await call('GET', '/nothing')).toEqual({ status: 404, allow: null, body: { message: 'Not found' } });
    expect(await call('DELETE', '/nothing/at/all')).toEqual({ status: 404, allow: null, body: { message: 'Not found' } });
  });

  it('a name over maxParamLength: the router answers 414 for a method served there, the 405 for the others', async () => {
    expect((await call('GET', `/things/${'x'.repeat(40)}`)).status).toBe(414);
    expect(await call('PATCH', `/things/${'x'.repeat(40)}`)).toMatchObject({ status: 405, allow: 'GET, DELETE' });
  });

  it('a method no route knows is a 405 naming the methods fastify knows', async () => {
    const res = await call('PROPFIND', '/nothing');
    expect(res.status).toBe(405);
    expect(res.allow?.split(', ')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
  });

  it('the query string is not part of the path looked up', async () => {
    expect(await call('DELETE', '/things?dry_run=1')).toMatchObject({ status: 405, allow: 'GET, POST' });
  });
});
