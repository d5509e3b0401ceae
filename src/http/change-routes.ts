// Change sets over HTTP (paths under /cgi-bin/luci):
//
//   POST /sdewan/v1/changes               {"changes": [{method, path, body?}, ...], "rollback_after"?: seconds}
//        `path` is relative to /cgi-bin/luci/sdewan/ (`mwan3/v1/rules`, `firewall/v1/rules/web`),
//        a collection of the registry or one of its aliases; the methods mean what they mean
//        on that path (POST creates, PUT creates or replaces, DELETE deletes). 200 with the set
//        `{id, state, created_at, deadline?, packages, services, results: [...]}`; a refused
//        change refuses the set: its status, the message prefixed with `changes.<index>: `.
//   GET  /sdewan/v1/changes/{id}          the set: state `pending`, `confirmed` or `rolled_back` and when.
//   POST /sdewan/v1/changes/{id}/confirm  keeps a pending set; 409 when it was rolled back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Change, NAME_MISMATCH } from '../changes/index.js';
import type { AgentContext } from '../context.js';
import { ApiError, BAD_URI, badRequest, fieldError } from '../errors.js';
import type { AnyObject, Resource } from '../resources/types.js';
import { type ChangeSetRequest, changeSetRequestSchema } from '../openapi/schemas.js';
import { CHANGES_PATH } from '../paths.js';
import { serve } from './methods.js';
import { parseBody } from '../validate.js';

type Entry = ChangeSetRequest['changes'][number];

/** `<domain>/v1/<segment>` -> kind, for every collection of the registry and its aliases. */
export function collectionsOf(kinds: readonly Resource[]): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const kind of kinds) {
    for (const segment of [kind.collection, ...(kind.aliases ?? [])]) out.set(`${kind.prefix.slice('/sdewan/'.length)}/${segment}`, kind);
  }
  return out;
}

/** The change entry `i` asks for, validated as the route of its path validates it. */
function changeOf(collections: Map<string, Resource>, entry: Entry, i: number): Change {
  const parts = entry.path.split('/');
  const kind = parts.length === 3 || parts.length === 4 ? collections.get(parts.slice(0, 3).join('/')) : undefined;
  if (!kind) throw fieldError(`changes.${i}.path`, 'names no collection: expected <domain>/v1/<collection>[/<name>], relative to /cgi-bin/luci/sdewan/');
  let name: string | undefined;
  try {
    name = parts[3] === undefined ? undefined : decodeURIComponent(parts[3]);
  } catch {
    throw fieldError(`changes.${i}.path`, 'holds a bad percent-encoding');
  }
  const at = (err: unknown) => (err instanceof ApiError ? new ApiError(err.status, `changes.${i}: ${err.message}`) : err);
  const bodyOf = (withName?: string): AnyObject => {
    try {
      return parseBody(kind.schema, withName === undefined || entry.body === undefined ? entry.body : { ...entry.body, name: withName });
    } catch (err) {
      throw at(err);
    }
  };
  switch (entry.method) {
    case 'POST':
      if (name !== undefined) throw at(badRequest(BAD_URI));
      return { op: 'create', kind, obj: bodyOf() };
    case 'PUT': {
      if (name === undefined || name === '') throw at(badRequest(BAD_URI));
      const sent = entry.body?.['name'];
      if (sent !== undefined && sent !== null && sent !== '' && sent !== name) throw at(fieldError('name', NAME_MISMATCH));
      return { op: 'replace', kind, obj: bodyOf(name) };
    }
    case 'DELETE':
      if (name === undefined || name === '') throw at(badRequest(BAD_URI));
      return { op: 'delete', kind, name };
    case 'PATCH':
      if (name === undefined || name === '') throw at(badRequest(BAD_URI));
      // The objects of such kinds keep fields in files the set's workspace does not hold.
      if (kind.ownedFiles) throw at(badRequest(`PATCH of ${kind.collection} is not supported in a change set: send the whole object with PUT`));
      if (entry.body === undefined) throw at(badRequest('Request body must be a JSON object'));
      return { op: 'patch', kind, name, patch: entry.body };
  }
}

export function registerChangeRoutes(app: FastifyInstance, ctx: AgentContext, kinds: readonly Resource[]): void {
  const collections = collectionsOf(kinds);
  serve(app, CHANGES_PATH, ['POST'], async (req: FastifyRequest, reply: FastifyReply) => {
    const set = parseBody(changeSetRequestSchema, req.body);
    // A merge patch's nulls remove fields: its body as sent, not with "" and null dropped.
    const sent = (req.body as { changes: Array<{ body?: Record<string, unknown> }> }).changes;
    const changes = set.changes.map((entry, i) => changeOf(collections, entry.method === 'PATCH' ? { ...entry, body: sent[i]?.body } : entry, i));
    const { record, results } = await ctx.changeSets.apply(changes, set.rollback_after === undefined ? {} : { rollbackAfter: set.rollback_after });
    return reply.code(200).send({ ...record, results });
  });
  serve(app, `${CHANGES_PATH}/:id`, ['GET'], async (req: FastifyRequest<{ Params: { id: string } }>) => {
    return ctx.changeSets.get(req.params.id);
  });
  serve(app, `${CHANGES_PATH}/:id/confirm`, ['POST'], async (req: FastifyRequest<{ Params: { id: string } }>) => {
    return ctx.changeSets.confirm(req.params.id);
  });
}
