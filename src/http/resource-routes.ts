import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { applyChange, type Change, listText, readObject } from '../changes/index.js';
import type { AgentContext } from '../context.js';
import { BAD_URI, badRequest, notFound } from '../errors.js';
import type { AnyObject, Resource } from '../resources/types.js';
import { LUCI_BASE } from '../paths.js';
import { methodNotAllowed } from './methods.js';
import { parseBody } from './validate.js';

type Params = { name?: string };
type Query = { dry_run?: string };

const isDryRun = (req: FastifyRequest<{ Querystring: Query }>) => req.query.dry_run === '1' || req.query.dry_run === 'true';

function logUnknownFields(req: FastifyRequest, body: unknown, parsed: object) {
  if (body === null || typeof body !== 'object') return;
  const unknown = Object.keys(body).filter((k) => !(k in parsed) && (body as Record<string, unknown>)[k] !== '' && (body as Record<string, unknown>)[k] !== null);
  // how many, not which: field names are request data
  if (unknown.length) req.log.debug({ unknownFields: unknown.length }, 'ignored unknown fields');
}

/** The validated object of a POST or PUT body (a PUT's name comes from the URL). */
function objectOf(kind: Resource, req: FastifyRequest, name?: string): AnyObject {
  const body = name !== undefined && req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? { ...(req.body as object), name } : req.body;
  const obj = parseBody(kind.schema, body);
  logUnknownFields(req, req.body, obj);
  return obj;
}

/** Runs a change through the write path and answers it: the object read back, `success`, or the dry run's batch. */
async function answer(ctx: AgentContext, reply: FastifyReply, change: Change, dryRun: boolean, status: number) {
  const result = await applyChange(ctx, change, { dryRun });
  if (result.dryRun) return reply.code(200).send({ dry_run: true, batch: result.batch });
  return reply.code(status).send(result.object ?? { message: 'success' });
}

/** The answer of a sub-resource for the stored object `obj` (src/http/sub-resources.ts). */
export type SubResourceHandler = (obj: AnyObject) => Promise<unknown>;

/** The handlers of a kind's sub-resources, by path; every one the kind declares must be there. */
export type SubResourceHandlers = ReadonlyMap<string, SubResourceHandler>;

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
          return reply.type('application/json; charset=utf-8').send(await list());
        case 'POST':
          return answer(ctx, reply, { op: 'create', kind, obj: objectOf(kind, req) }, isDryRun(req), 201);
        case 'PUT':
        case 'DELETE':
          throw badRequest(BAD_URI);
        default:
          return methodNotAllowed(reply, ['GET', 'POST']);
      }
    };
    const item = async (req: FastifyRequest<{ Params: Params; Querystring: Query }>, reply: FastifyReply) => {
      const name = req.params.name ?? '';
      switch (req.method) {
        case 'GET': {
          const obj = await readObject(ctx, kind, name);
          if (!obj) throw notFound();
          return obj;
        }
        case 'PUT':
          return answer(ctx, reply, { op: 'replace', kind, obj: objectOf(kind, req, name) }, isDryRun(req), 200);
        case 'DELETE':
          return answer(ctx, reply, { op: 'delete', kind, name }, isDryRun(req), 200);
        case 'POST':
          throw badRequest(BAD_URI);
        default:
          return methodNotAllowed(reply, ['GET', 'PUT', 'DELETE']);
      }
    };
    const base = `${LUCI_BASE}${kind.prefix}/${segment}`;
    app.all(base, collection);
    app.all(`${base}/`, collection);
    app.all(`${base}/:name`, item);
    for (const sub of subs) {
      app.all(`${base}/:name/${sub.path}`, async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
        if (req.method !== 'GET') return methodNotAllowed(reply, ['GET']);
        const obj = await readObject(ctx, kind, req.params.name ?? '');
        if (!obj) throw notFound();
        return sub.handler(obj);
      });
    }
    app.all(`${base}/:name/*`, tooDeep);
  }
}

async function tooDeep(): Promise<never> {
  throw badRequest(BAD_URI);
}

/** A prefix itself (`.../mwan3/v1`) names no collection: too few segments. */
export function registerPrefix(app: FastifyInstance, prefix: string): void {
  app.all(`${LUCI_BASE}${prefix}`, tooDeep);
  app.all(`${LUCI_BASE}${prefix}/`, tooDeep);
}
