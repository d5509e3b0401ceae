import { statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import type { OwnedFile, ResourceDef, Snapshot } from '../resources/types.js';
import { buildBatch } from '../uci/index.js';
import type { BatchOp, UciPackage, UpdateResult } from '../uci/types.js';
import { ApiError, badRequest, conflict, notFound } from './errors.js';
import { type FileStage, fillFileFields, removeOwnedFiles, stageOwnedFiles } from './owned-files.js';
import { parseBody } from './validate.js';
import { storageFailure } from './storage-errors.js';
import { checkObjectName } from '../resources/names.js';

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

/** A planned write: the batch, and the owned files to put in place or take away with it. */
interface Plan {
  ops: BatchOp[];
  /** Files the object owns after the write (`def.files`), and the paths it owned before. */
  files?: { next: OwnedFile[]; previous: string[] };
  /** Paths to remove once the batch is committed (a delete). */
  remove?: string[];
}

async function listOf(ctx: AgentContext, def: AnyDef, snap: Snapshot) {
  return fillFileFields(def, snap, def.list(snap), ctx.settings.ipsecDir);
}

const findIn = (def: AnyDef, snap: Snapshot, name: string) => def.list(snap).find((o) => o.name === name);

/**
 * A write: the operations are planned from the package as it is under its write lock and
 * applied as one batch, committed; owned files are staged under the same lock and put back
 * if the batch fails. Then the service is scheduled for reload. With `?dry_run=1` the batch
 * text is answered and nothing changes.
 */
async function write(ctx: AgentContext, def: AnyDef, reply: FastifyReply, dryRun: boolean, plan: (snap: Snapshot) => Plan): Promise<boolean> {
  if (dryRun) {
    const { ops } = plan(await snapshotOf(ctx, def));
    await reply.code(200).send({ dry_run: true, batch: ops.length ? buildBatch(def.config, ops) : '' });
    return false;
  }
  const root = ctx.settings.ipsecDir;
  let stage: FileStage | undefined;
  let remove: string[] = [];
  let result;
  try {
    result = await ctx.store.update(def.config, async (current) => {
      const planned = plan(await snapshotOf(ctx, def, current));
      if (planned.files) stage = await stageOwnedFiles(root, planned.files.next, planned.files.previous);
      remove = planned.remove ?? [];
      return planned.ops;
    });
  } catch (err) {
    await stage?.rollback().catch((rollbackErr: unknown) => ctx.log.error({ err: rollbackErr }, 'putting the owned files back failed'));
    throw (await storageFailure(err, [ctx.store.confdir, ctx.settings.savedir, ...(def.files ? [root] : [])])) ?? err;
  }
  await stage?.commit();
  if (remove.length) await removeOwnedFiles(root, remove);
  if (result.changed || stage) await reload(ctx, def, result);
  return true;
}

/**
 * Schedules the service's reload. With SDEWAN_ROLLBACK the write waits for the reload that
 * covers it (coalescing still applies); when that reload fails, the file goes back to its
 * content before this write, unless a later write changed it since, and the write is answered
 * with a 5xx carrying the script's message. No further reload is scheduled.
 */
async function reload(ctx: AgentContext, def: AnyDef, result: UpdateResult): Promise<void> {
  const outcome = ctx.reloader.schedule(def.service);
  if (!ctx.settings.rollback || !outcome) return;
  const { ok, timedOut, message } = await outcome;
  if (ok) return;
  const restored = await ctx.store.restore(def.config, result.before, { ifCurrent: result.after });
  ctx.log.warn({ service: def.service, config: def.config, restored }, 'reload after a write failed');
  const what = restored ? 'the change was rolled back' : `the change was not rolled back: ${def.config} changed since`;
  throw new ApiError(timedOut ? 504 : 500, `${def.service} reload failed: ${message ?? 'unknown error'}; ${what}`);
}

/** The plan of a create or replace of `obj`. */
function upsertPlan(def: AnyDef, obj: { name: string }, snap: Snapshot, existing: { name: string } | undefined): Plan {
  checkObjectName(obj.name);
  def.check?.(obj, snap, existing);
  const ops = def.toBatch(obj, snap, existing);
  return def.files ? { ops, files: { next: def.files(obj), previous: def.ownedPaths?.(obj.name, snap) ?? [] } } : { ops };
}

async function readBack(ctx: AgentContext, def: AnyDef, name: string) {
  const snap = await snapshotOf(ctx, def);
  const obj = (await listOf(ctx, def, snap)).find((o) => o.name === name);
  if (!obj) throw new ApiError(500, `The written object ${JSON.stringify(name)} did not read back`);
  return obj;
}

function logUnknownFields(req: FastifyRequest, body: unknown, parsed: object) {
  if (body === null || typeof body !== 'object') return;
  const unknown = Object.keys(body).filter((k) => !(k in parsed) && (body as Record<string, unknown>)[k] !== '' && (body as Record<string, unknown>)[k] !== null);
  // how many, not which: field names are request data
  if (unknown.length) req.log.debug({ unknownFields: unknown.length }, 'ignored unknown fields');
}

/**
 * What identifies one version of a config file: inode (a commit renames a new file in), size,
 * mtime. A synchronous stat: a few microseconds, far less than a round trip to the thread pool.
 */
function fileStamp(confdir: string, pkg: string): string {
  const st = statSync(path.join(confdir, pkg), { bigint: true, throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}` : 'missing';
}

/**
 * The JSON text of a collection's list, kept while the files it comes from are unchanged: a
 * list of hundreds of objects then costs a stat per file instead of a parse, a translation and
 * a serialization per request. The stamps are taken before the files are read, so the text
 * is never older than its stamps. Kinds whose objects carry owned files (read outside UCI)
 * are not cached.
 */
function listCache(ctx: AgentContext, def: AnyDef): () => Promise<Buffer> {
  const pkgs = [def.config, ...(def.reads ?? [])];
  let cached: { stamps: string; body: Buffer } | undefined;
  return async () => {
    const stamps = def.readFiles ? undefined : pkgs.map((p) => fileStamp(ctx.store.confdir, p)).join('/');
    if (stamps !== undefined && cached?.stamps === stamps) return cached.body;
    const body = Buffer.from(JSON.stringify({ [def.collection]: await listOf(ctx, def, await snapshotOf(ctx, def)) }));
    if (stamps !== undefined) cached = { stamps, body };
    return body;
  };
}

/** The five routes of a collection (and its aliases), with the contract's status codes. */
export function registerResource(app: FastifyInstance, ctx: AgentContext, def: AnyDef): void {
  const listText = listCache(ctx, def);
  const collectionHandler = async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    const dryRun = req.query.dry_run === '1' || req.query.dry_run === 'true';
    switch (req.method) {
      case 'GET':
        return reply.type('application/json; charset=utf-8').send(await listText());
      case 'POST': {
        const obj = parseBody(def.schema, req.body);
        logUnknownFields(req, req.body, obj);
        const done = await write(ctx, def, reply, dryRun, (snap) => {
          if (findIn(def, snap, obj.name)) throw conflict();
          return upsertPlan(def, obj, snap, undefined);
        });
        if (!done) return reply;
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
        const snap = await snapshotOf(ctx, def);
        const obj = findIn(def, snap, name);
        if (!obj) throw notFound();
        return (await fillFileFields(def, snap, [obj], ctx.settings.ipsecDir))[0];
      }
      case 'PUT': {
        const body = req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? { ...(req.body as object), name } : req.body;
        const obj = parseBody(def.schema, body);
        logUnknownFields(req, req.body, obj);
        const done = await write(ctx, def, reply, dryRun, (snap) => upsertPlan(def, obj, snap, findIn(def, snap, obj.name)));
        if (!done) return reply;
        return reply.code(200).send(await readBack(ctx, def, obj.name));
      }
      case 'DELETE': {
        const done = await write(ctx, def, reply, dryRun, (snap) => {
          if (!findIn(def, snap, name)) throw notFound();
          const user = def.usedBy?.(name, snap);
          if (user) throw badRequest(user);
          return { ops: def.deleteBatch(name, snap), remove: def.ownedPaths?.(name, snap) ?? [] };
        });
        if (!done) return reply;
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
