import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import type { ResourceDef, Snapshot } from '../resources/types.js';
import { buildBatch } from '../uci/index.js';
import type { BatchOp, UciPackage } from '../uci/types.js';
import { ApiError, badRequest, conflict, notFound } from './errors.js';
import { parseBody } from './validate.js';

/** The base of every API path, as LuCI serves it. */
export const LUCI_BASE = '/cgi-bin/luci';

type AnyDef = ResourceDef<{ name: string }>;
type Params = { name?: string };
type Query = { dry_run?: string };

const BAD_URI = 'Bad request URI';

/** Loads the def's packages: its own (given, e.g. under the write lock) plus what it reads. */
async function snapshotOf(ctx: AgentContext, def: AnyDef, own?: UciPackage): Promise<Snapshot> {
  const names = [def.config, ...(def.reads ?? [])];
  const pkgs = await Promise.all(names.map((n) => (n === def.config && own ? own : ctx.store.read(n))));
  return Object.fromEntries(names.map((n, i) => [n, pkgs[i] as UciPackage]));
}

const findIn = (def: AnyDef, snap: Snapshot, name: string) => def.list(snap).find((o) => o.name === name);

/**
 * A write: the operations are planned from the package as it is under its write lock,
 * applied as one batch and committed, then the service is scheduled for reload and the
 * object is read back. With `?dry_run=1` the batch text is answered and nothing changes.
 */
async function write(
  ctx: AgentContext,
  def: AnyDef,
  reply: FastifyReply,
  dryRun: boolean,
  plan: (snap: Snapshot) => BatchOp[],
): Promise<void> {
  if (dryRun) {
    const ops = plan(await snapshotOf(ctx, def));
    await reply.code(200).send({ dry_run: true, batch: ops.length ? buildBatch(def.config, ops) : '' });
    return;
  }
  const result = await ctx.store.update(def.config, async (current) => plan(await snapshotOf(ctx, def, current)));
  if (result.changed) ctx.reloader.schedule(def.service);
}

async function readBack(ctx: AgentContext, def: AnyDef, name: string) {
  const obj = findIn(def, await snapshotOf(ctx, def), name);
  if (!obj) throw new ApiError(500, `The written object ${JSON.stringify(name)} did not read back`);
  return obj;
}

function logUnknownFields(req: FastifyRequest, body: unknown, parsed: object) {
  if (body === null || typeof body !== 'object') return;
  const unknown = Object.keys(body).filter((k) => !(k in parsed) && (body as Record<string, unknown>)[k] !== '' && (body as Record<string, unknown>)[k] !== null);
  if (unknown.length) req.log.debug({ unknown }, 'ignored unknown fields');
}

/** The five routes of a collection (and its aliases), with the contract's status codes. */
export function registerResource(app: FastifyInstance, ctx: AgentContext, def: AnyDef): void {
  const collectionHandler = async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    const dryRun = req.query.dry_run === '1' || req.query.dry_run === 'true';
    switch (req.method) {
      case 'GET':
        return { [def.collection]: def.list(await snapshotOf(ctx, def)) };
      case 'POST': {
        const obj = parseBody(def.schema, req.body);
        logUnknownFields(req, req.body, obj);
        await write(ctx, def, reply, dryRun, (snap) => {
          if (findIn(def, snap, obj.name)) throw conflict();
          def.check?.(obj, snap, undefined);
          return def.toBatch(obj, snap, undefined);
        });
        if (dryRun) return reply;
        return reply.code(201).send(await readBack(ctx, def, obj.name));
      }
      case 'PUT':
      case 'DELETE':
        throw badRequest(BAD_URI);
      default:
        return reply.code(405).send({ message: 'Method Not Allowed' });
    }
  };

  const itemHandler = async (req: FastifyRequest<{ Params: Params; Querystring: Query }>, reply: FastifyReply) => {
    const name = req.params.name ?? '';
    const dryRun = req.query.dry_run === '1' || req.query.dry_run === 'true';
    switch (req.method) {
      case 'GET': {
        const obj = findIn(def, await snapshotOf(ctx, def), name);
        if (!obj) throw notFound();
        return obj;
      }
      case 'PUT': {
        const body = req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? { ...(req.body as object), name } : req.body;
        const obj = parseBody(def.schema, body);
        logUnknownFields(req, req.body, obj);
        await write(ctx, def, reply, dryRun, (snap) => {
          const existing = findIn(def, snap, obj.name);
          def.check?.(obj, snap, existing);
          return def.toBatch(obj, snap, existing);
        });
        if (dryRun) return reply;
        return reply.code(200).send(await readBack(ctx, def, obj.name));
      }
      case 'DELETE': {
        await write(ctx, def, reply, dryRun, (snap) => {
          if (!findIn(def, snap, name)) throw notFound();
          const user = def.usedBy?.(name, snap);
          if (user) throw badRequest(user);
          return def.deleteBatch(name, snap);
        });
        if (dryRun) return reply;
        return { message: 'success' };
      }
      case 'POST':
        throw badRequest(BAD_URI);
      default:
        return reply.code(405).send({ message: 'Method Not Allowed' });
    }
  };

  const tooDeep = async () => {
    throw badRequest(BAD_URI);
  };

  for (const segment of [def.collection, ...(def.aliases ?? [])]) {
    const base = `${LUCI_BASE}${def.prefix}/${segment}`;
    app.all(base, collectionHandler);
    app.all(`${base}/`, collectionHandler);
    app.all(`${base}/:name`, itemHandler);
    app.all(`${base}/:name/*`, tooDeep);
  }
}

/** A prefix itself (`.../mwan3/v1`) names no collection: too few segments. */
export function registerPrefix(app: FastifyInstance, prefix: string): void {
  const handler = async () => {
    throw badRequest(BAD_URI);
  };
  app.all(`${LUCI_BASE}${prefix}`, handler);
  app.all(`${LUCI_BASE}${prefix}/`, handler);
}
