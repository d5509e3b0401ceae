// What a change does to a kind's package, planned from a snapshot. Pure: no I/O.
import type { HostFacts } from '../host/facts.js';
import { badRequest, conflict, fieldError, notFound, preconditionFailed } from '../errors.js';
import { parseBody } from '../validate.js';
import { checkObjectName } from '../resources/names.js';
import type { AnyObject, OwnedFile, Resource, Snapshot } from '../resources/types.js';
import type { BatchOp } from '../uci/types.js';
import { ifMatchPasses, objectEtag } from './etag.js';
import { mergePatch } from './merge-patch.js';

/**
 * A write's condition: `If-Match` as sent (`*`, or a list of ETags), checked against the
 * object as it is when the change is planned (under the package's write lock for a real write).
 */
interface Guard {
  ifMatch?: string;
}

/** One change of one object: what the HTTP verbs (and change sets) ask of the write path. */
export type Change =
  /** POST: a new object; 409 when the name exists. */
  | ({ op: 'create'; kind: Resource; obj: AnyObject } & Guard)
  /** PUT: create or replace the object of that name. */
  | ({ op: 'replace'; kind: Resource; obj: AnyObject } & Guard)
  /** PATCH: a JSON merge patch (RFC 7396) of the stored object, the result validated whole; 404 when missing. */
  | ({ op: 'patch'; kind: Resource; name: string; patch: Record<string, unknown> } & Guard)
  /** DELETE: 404 when missing, 400 when another object uses it. */
  | ({ op: 'delete'; kind: Resource; name: string } & Guard);

/** The batch of a change, and the owned files to put in place or take away with it. */
export interface Plan {
  ops: BatchOp[];
  /** Files the object owns after the write, and the paths it owned before. */
  files?: { next: OwnedFile[]; previous: string[] };
  /** Paths to remove once the batch is committed (a delete). */
  remove?: string[];
}

/** The object of that name in the snapshot, as listed. */
export const findObject = (kind: Resource, snap: Snapshot, name: string): AnyObject | undefined => kind.find(snap, name);

/** Why a body whose name is not the one in the URL is refused. */
export const NAME_MISMATCH = "differs from the object's name in the URL (rename: create the new object, delete the old)";

/** The name a change is about. */
export const nameOf = (change: Change): string => ('name' in change ? change.name : change.obj.name);

/**
 * Plans `change` against the packages as they are (under the write lock, for a real write).
 * `read` is the object as a GET answers it, the fields kept in owned files filled in (by
 * default the one listed: the same for kinds without owned files); `If-Match` is compared
 * with its ETag and a merge patch applies to it.
 */
export function planChange(change: Change, snap: Snapshot, host: HostFacts, read?: AnyObject): Plan {
  const { kind } = change;
  const existing = findObject(kind, snap, nameOf(change));
  const seen = existing && (read ?? existing);
  if (change.ifMatch !== undefined && !ifMatchPasses(change.ifMatch, seen && objectEtag(seen))) {
    throw preconditionFailed(seen ? 'Precondition Failed: the object changed since its ETag was read (If-Match)' : 'Precondition Failed: no object of that name (If-Match)');
  }
  if (change.op === 'delete') {
    if (!existing) throw notFound();
    const user = kind.usedBy?.(change.name, snap);
    if (user) throw badRequest(user);
    return { ops: kind.deleteBatch(change.name, snap), remove: kind.ownedFiles?.paths(change.name, snap) ?? [] };
  }
  checkObjectName(nameOf(change));
  if (change.op === 'create' && existing) throw conflict();
  if (change.op === 'patch' && !seen) throw notFound();
  const obj = change.op === 'patch' ? parseBody(kind.schema, mergePatch(seen, change.patch)) : change.obj;
  if (obj.name !== nameOf(change)) throw fieldError('name', NAME_MISMATCH);
  const before = change.op === 'create' ? undefined : existing;
  kind.check?.(obj, snap, before, host);
  const ops = kind.toBatch(obj, snap, before, host);
  const owned = kind.ownedFiles;
  return owned ? { ops, files: { next: owned.files(obj), previous: owned.paths(obj.name, snap) } } : { ops };
}
