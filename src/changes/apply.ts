// The one write path: every change of /etc/config (HTTP writes, the bootstrap) goes through
// `commit`: under the package's write lock, plan from its current content, stage owned files,
// apply the batch and commit it; then schedule the reload of the service that reads it, and
// with SDEWAN_ROLLBACK put the file back when that reload fails.
import type { FastifyBaseLogger } from 'fastify';
import type { Settings } from '../config.js';
import { ApiError } from '../errors.js';
import type { HostFacts, HostView } from '../host/facts.js';
import type { AnyObject } from '../resources/types.js';
import type { Reloader } from '../services/reloader.js';
import type { ServiceName } from '../services/table.js';
import { buildBatch } from '../uci/index.js';
import type { UciPackage, UciStore, UpdateResult } from '../uci/types.js';
import { type FileStage, removeOwnedFiles, stageOwnedFiles } from './owned-files.js';
import { type Change, nameOf, type Plan, planChange } from './plan.js';
import { storageFailure } from './storage-errors.js';
import { objectIn, readObject, rootDir, snapshotOf } from './read.js';

/** What may hold packages against writes (pending change sets): `assertFree` throws a 409 naming the holder. */
export interface PackageHolds {
  assertFree(config: string): void;
}

export interface ChangeDeps {
  store: UciStore;
  reloader: Reloader;
  settings: Pick<Settings, 'rollback' | 'ipsecDir' | 'savedir'>;
  log: Pick<FastifyBaseLogger, 'warn' | 'error'>;
  host: HostView;
  /** The pending change sets (src/changes/sets.ts), checked under each package's write lock. */
  changeSets?: PackageHolds;
}

/** Where a commit writes: the package, the service that reads it (none: no reload), the root of owned files. */
export interface CommitTarget {
  config: string;
  service?: ServiceName;
  fileRoot?: string;
}

/**
 * Commits what `plan` returns for the package as it is under its write lock (the plan may run
 * more than once). Owned files are staged under the same lock and put back if the batch
 * fails; the files the object no longer owns go once it is committed. Then the service is
 * scheduled for reload (see `reload`).
 */
/**
 * What a commit needs: the store and a log; the reloader and the settings (rollback) only when
 * the target names a service to reload (the bootstrap, which runs before the services, has none).
 */
export type CommitDeps = Pick<ChangeDeps, 'store'> & { log: Pick<ChangeDeps['log'], 'error' | 'warn'> } & Partial<Pick<ChangeDeps, 'reloader' | 'settings' | 'changeSets'>>;

export async function commit(
  deps: CommitDeps,
  target: CommitTarget,
  plan: (current: UciPackage) => Plan | Promise<Plan>,
): Promise<UpdateResult> {
  const root = target.fileRoot ?? '';
  let stage: FileStage | undefined;
  let remove: string[] = [];
  let result: UpdateResult;
  try {
    result = await deps.store.update(target.config, async (current) => {
      deps.changeSets?.assertFree(target.config);
      await stage?.rollback();
      const planned = await plan(current);
      stage = planned.files ? await stageOwnedFiles(root, planned.files.next, planned.files.previous) : undefined;
      remove = planned.remove ?? [];
      return planned.ops;
    });
  } catch (err) {
    await stage?.rollback().catch((rollbackErr: unknown) => deps.log.error({ err: rollbackErr }, 'putting the owned files back failed'));
    throw (await storageFailure(err, [deps.store.confdir, ...(deps.settings ? [deps.settings.savedir] : []), ...(target.fileRoot ? [target.fileRoot] : [])])) ?? err;
  }
  await stage?.commit();
  if (remove.length) await removeOwnedFiles(root, remove);
  if (target.service && deps.reloader && (result.changed || stage)) await reload({ ...deps, reloader: deps.reloader }, target.service, target.config, result);
  return result;
}

/**
 * Schedules the service's reload. With SDEWAN_ROLLBACK the write waits for the reload that
 * covers it (coalescing still applies); when that reload fails, the file goes back to its
 * content before this write, unless a later write changed it since, and the write is answered
 * with a 5xx carrying the script's message. No further reload is scheduled.
 */
async function reload(deps: CommitDeps & Pick<ChangeDeps, 'reloader'>, service: ServiceName, config: string, result: UpdateResult): Promise<void> {
  const outcome = deps.reloader.schedule(service);
  if (!deps.settings?.rollback || !outcome) return;
  const { ok, timedOut, message } = await outcome;
  if (ok) return;
  const restored = await deps.store.restore(config, result.before, { ifCurrent: result.after });
  deps.log.warn({ service, config, restored }, 'reload after a write failed');
  const what = restored ? 'the change was rolled back' : `the change was not rolled back: ${config} changed since`;
  throw new ApiError(timedOut ? 504 : 500, `${service} reload failed: ${message ?? 'unknown error'}; ${what}`);
}

/** What a change answered: the object as read back (none after a delete), or the batch of a dry run. */
export type ChangeResult = { dryRun: true; batch: string } | { dryRun: false; object: AnyObject | undefined };

/**
 * Plans `change` against the packages as they are (`own`: the kind's package as read under its
 * write lock), the object compared and merged as a GET reads it, owned files included.
 */
export async function planFromStore(deps: Pick<ChangeDeps, 'store' | 'settings'>, change: Change, host: HostFacts, own?: UciPackage): Promise<Plan> {
  const snap = await snapshotOf(deps.store, change.kind, own);
  return planChange(change, snap, host, await objectIn(deps, change.kind, snap, nameOf(change)));
}

/** Applies one change of one object (or, with `dryRun`, answers the batch it would apply). */
export async function applyChange(deps: ChangeDeps, change: Change, opts: { dryRun?: boolean } = {}): Promise<ChangeResult> {
  const { kind } = change;
  const host: HostFacts = kind.usesHost ? await deps.host.facts() : { devices: [] };
  if (opts.dryRun) {
    const { ops } = await planFromStore(deps, change, host);
    return { dryRun: true, batch: ops.length ? buildBatch(kind.config, ops) : '' };
  }
  const fileRoot = kind.ownedFiles ? rootDir(deps.settings, kind.ownedFiles.root) : undefined;
  await commit(deps, { config: kind.config, service: kind.service, ...(fileRoot ? { fileRoot } : {}) }, (current) => planFromStore(deps, change, host, current));
  if (change.op === 'delete') return { dryRun: false, object: undefined };
  const object = await readObject(deps, kind, nameOf(change));
  if (!object) throw new ApiError(500, `The written object ${JSON.stringify(nameOf(change))} did not read back`);
  return { dryRun: false, object };
}
