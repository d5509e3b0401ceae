// What a change does to a kind's package, planned from a snapshot. Pure: no I/O.
import type { HostFacts } from '../host/facts.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { checkObjectName } from '../resources/names.js';
import type { AnyObject, OwnedFile, Resource, Snapshot } from '../resources/types.js';
import type { BatchOp } from '../uci/types.js';

/** One change of one object: what the HTTP verbs (and change sets) ask of the write path. */
export type Change =
  /** POST: a new object; 409 when the name exists. */
  | { op: 'create'; kind: Resource; obj: AnyObject }
  /** PUT: create or replace the object of that name. */
  | { op: 'replace'; kind: Resource; obj: AnyObject }
  /** DELETE: 404 when missing, 400 when another object uses it. */
  | { op: 'delete'; kind: Resource; name: string };

/** The batch of a change, and the owned files to put in place or take away with it. */
export interface Plan {
  ops: BatchOp[];
  /** Files the object owns after the write, and the paths it owned before. */
  files?: { next: OwnedFile[]; previous: string[] };
  /** Paths to remove once the batch is committed (a delete). */
  remove?: string[];
}

/** The object of that name in the snapshot, as listed. */
export const findObject = (kind: Resource, snap: Snapshot, name: string): AnyObject | undefined => kind.list(snap).find((o) => o.name === name);

/** The name a change is about. */
export const nameOf = (change: Change): string => (change.op === 'delete' ? change.name : change.obj.name);

/** Plans `change` against the packages as they are (under the write lock, for a real write). */
export function planChange(change: Change, snap: Snapshot, host: HostFacts): Plan {
  const { kind } = change;
  const existing = findObject(kind, snap, nameOf(change));
  if (change.op === 'delete') {
    if (!existing) throw notFound();
    const user = kind.usedBy?.(change.name, snap);
    if (user) throw badRequest(user);
    return { ops: kind.deleteBatch(change.name, snap), remove: kind.ownedFiles?.paths(change.name, snap) ?? [] };
  }
  checkObjectName(change.obj.name);
  if (change.op === 'create' && existing) throw conflict();
  const before = change.op === 'replace' ? existing : undefined;
  kind.check?.(change.obj, snap, before, host);
  const ops = kind.toBatch(change.obj, snap, before, host);
  const owned = kind.ownedFiles;
  return owned ? { ops, files: { next: owned.files(change.obj), previous: owned.paths(change.obj.name, snap) } } : { ops };
}
