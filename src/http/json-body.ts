// The JSON body parser: fastify's own (prototype-poisoning checks included), except that a
// request whose method carries no body (DELETE, GET, HEAD, OPTIONS) may send an empty one with
// `Content-Type: application/json`, as generic HTTP clients do: that is "no body".
import type { FastifyInstance } from 'fastify';

/** The methods whose requests carry a body; for the others an empty JSON body is no body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function registerJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const text = body as string;
    if (!BODY_METHODS.has(request.method) && text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
