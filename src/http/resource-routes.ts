import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { applyChange, type Change, etagOf, ifNoneMatchHits, listText, NAME_MISMATCH, objectBytes, readObject } from '../changes/index.js';
import type { AgentContext } from '../context.js';
import { BAD_URI, badRequest, fieldError, notFound, unsupportedMediaType } from '../errors.js';
import type { AnyObject, Resource } from '../resources/types.js';
import { LUCI_BASE } from '../paths.js';
import { methodNotAllowed, serve, serveAnyMethod } from './methods.js';
import { parseBody } from '../validate.js';

type Params = { name?: string };
type Query = { dry_run?: string };

/** The media type of a PATCH body (RFC 7396). */
export const MERGE_PATCH = 'application/merge-patch+json';

const isDryRun = (req: FastifyRequest<{ Querystring: Query }>) => req.query.dry_run === '1' || req.query.dry_run === 'true';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

const mediaType = (req: FastifyRequest) => header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase();

const isObjectBody = (body: unknown): body is Record<string, unknown> => body !== null && typeof body === 'object' && !Array.isArray(body);

function logUnknownFields(req: FastifyRequest, body: unknown, parsed: object) {
  if (!isObjectBody(body)) return;
  const unknown = Object.keys(body).filter((k) => !(k in parsed) && body[k] !== '' && body[k] !== null);
  // how many, not which: field names are request data
  if (unknown.length) req.log.debug({ unknownFields: unknown.length }, 'ignored unknown fields');
}

/** A write's condition, as sent. */
const guard = (req: FastifyRequest) => {
  const ifMatch = header(req, 'if-match');
  return ifMatch === undefined ? {} : { ifMatch };
};

/**
 * The validated object of a POST or PUT body. A PUT's name comes from the URL: a body may
 * leave it out (or send it empty), but not name another object.
 */
function objectOf(kind: Resource, req: FastifyRequest, name?: string): AnyObject {
  if (mediaType(req) === MERGE_PATCH) throw unsupportedMediaType(`Unsupported Media Type: ${req.method} takes application/json`);
  let body = req.body;
  if (name !== undefined && isObjectBody(body)) {
    const sent = body['name'];
    if (sent !== undefined && sent !== null && sent !== '' && sent !== name) throw fieldError('name', NAME_MISMATCH);
    body = { ...body, name };
  }
  const obj = parseBody(kind.schema, body);
  logUnknownFields(req, req.body, obj);
  return obj;
}

/** The merge patch of a PATCH body: 415 for any other content type. */
function patchOf(req: FastifyRequest): Record<string, unknown> {
  if (mediaType(req) !== MERGE_PATCH) throw unsupportedMediaType(`Unsupported Media Type: PATCH takes ${MERGE_PATCH}`);
  if (!isObjectBody(req.body)) throw badRequest('Request body must be a JSON object');
  return req.body;
}

/** An object's answer: its JSON bytes with their ETag. */
function sendObject(reply: FastifyReply, status: number, obj: AnyObject) {
  const body = objectBytes(obj);
  return reply.code(status).header('etag', etagOf(body)).type('application/json; charset=utf-8').send(body);
}

/** A GET's answer: 304 without a body when If-None-Match names its ETag. */
function sendRead(req: FastifyRequest, reply: FastifyReply, body: Buffer) {
  const etag = etagOf(body);
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatchHits(ifNoneMatch, etag)) return reply.code(304).header('etag', etag).send();
  return reply.code(200).header('etag', etag).type('application/json; charset=utf-8').send(body);
}

/** Runs a change through the write path and answers it: the object read back, `success`, or the dry run's batch. */
async function answer(ctx: AgentContext, reply: FastifyReply, change: Change, dryRun: boolean, status: number) {
  const result = await applyChange(ctx, change, { dryRun });
  if (result.dryRun) return reply.code(200).send({ dry_run: true, batch: result.batch });
  return result.object ? sendObject(reply, status, result.object) : reply.code(status).send({ message: 'success' });
}

/** The answer of a sub-resource for the stored object `obj` (src/http/sub-resources.ts). */
export type SubResourceHandler = (obj: AnyObject) => Promise<unknown>;

/** The handlers of a kind's sub-resources, by path; every one the kind declares must be there. */
export type SubResourceHandlers = ReadonlyMap<string, SubResourceHandler>;

/** What a collection and an object allow (a PUT or DELETE of a collection, a POST of an object: 400). */
const COLLECTION_ALLOW = ['GET', 'POST'];
const OBJECT_ALLOW = ['GET', 'PUT', 'PATCH', 'DELETE'];

/**
 * The five routes of a collection (and its aliases), with the contract's status codes, and
 * `GET .../{name}/<path>` for each sub-resource the kind declares (404 when the object is absent).
 */
export function registerResource(app: FastifyInstance, ctx: AgentContext, kind: Resource, handlers: SubResourceHandlers = new Map()): void {
  const subs = (kind.subResources ?? []).map((sub) => {
    const handler = handlers.get(sub.path);
    if (!handler) throw new Error(`${kind.prefix}/${kind.collection} declares the sub-resource ${sub.path}, which nothing answers`);
    return { path: sub.path, handler };
  });
  for (const segment of [kind.collection, ...(kind.aliases ?? [])]) {
    const list = listText(ctx, kind, segment);
    const collection = async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
      switch (req.method) {
        case 'GET':
          return sendRead(req, reply, await list());
        case 'POST':
          return answer(ctx, reply, { op: 'create', kind, obj: objectOf(kind, req) }, isDryRun(req), 201);
        case 'PUT':
        case 'DELETE':
          throw badRequest(BAD_URI);
        default:
          return methodNotAllowed(reply, COLLECTION_ALLOW);
      }
    };
    const item = async (req: FastifyRequest<{ Params: Params; Querystring: Query }>, reply: FastifyReply) => {
      const name = req.params.name ?? '';
      switch (req.method) {
        case 'GET': {
          const obj = await readObject(ctx, kind, name);
          if (!obj) throw notFound();
          return sendRead(req, reply, objectBytes(obj));
        }
        case 'PUT':
          return answer(ctx, reply, { op: 'replace', kind, obj: objectOf(kind, req, name), ...guard(req) }, isDryRun(req), 200);
        case 'PATCH':
          return answer(ctx, reply, { op: 'patch', kind, name, patch: patchOf(req), ...guard(req) }, isDryRun(req), 200);
        case 'DELETE':
          return answer(ctx, reply, { op: 'delete', kind, name, ...guard(req) }, isDryRun(req), 200);
        case 'POST':
          throw badRequest(BAD_URI);
        default:
          return methodNotAllowed(reply, OBJECT_ALLOW);
      }
    };
    const base = `${LUCI_BASE}${kind.prefix}/${segment}`;
    for (const url of [base, `${base}/`]) serve(app, url, [...COLLECTION_ALLOW, 'PUT', 'DELETE'], collection, { allow: COLLECTION_ALLOW });
    serve(app, `${base}/:name`, [...OBJECT_ALLOW, 'POST'], item, { allow: OBJECT_ALLOW });
    for (const sub of subs) {
      serve(app, `${base}/:name/${sub.path}`, ['GET'], async (req: FastifyRequest<{ Params: Params }>) => {
        const obj = await readObject(ctx, kind, req.params.name ?? '');
        if (!obj) throw notFound();
        return sub.handler(obj);
      });
    }
    serveAnyMethod(app, `${base}/:name/*`, tooDeep);
  }
}

/** Merge patches are parsed as JSON (in the scope of the collections' routes only). */
export function registerMergePatch(app: FastifyInstance): void {
  app.addContentTypeParser(MERGE_PATCH, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
}

async function tooDeep(): Promise<never> {
  throw badRequest(BAD_URI);
}

/** A prefix itself (`.../mwan3/v1`) names no collection: too few segments. */
export function registerPrefix(app: FastifyInstance, prefix: string): void {
  serveAnyMethod(app, `${LUCI_BASE}${prefix}`, tooDeep);
  serveAnyMethod(app, `${LUCI_BASE}${prefix}/`, tooDeep);
}
