// Change sets: several changes, of any kinds, applied as one. Each change is planned on the
// packages as the earlier ones leave them (src/changes/workspace.ts); the first one refused
// refuses the set, naming its index, and nothing is written. Otherwise every file the set
// changes is written at once through the journal (src/changes/journal.ts), with the set's
// record; then each service concerned is reloaded once. A set given `rollback_after` is
// pending until confirmed: when its deadline passes first, every file goes back to its exact
// bytes from before and the services are reloaded, as LuCI's apply/confirm does. A pending set
// holds its packages: any other write to them is refused with 409 naming it.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Settings } from '../config.js';
import { ApiError, conflict, notFound } from '../errors.js';
import type { HostFacts } from '../host/facts.js';
import type { AnyObject } from '../resources/types.js';
import type { ServiceName } from '../services/table.js';
import { UciBatchError, type UciStore } from '../uci/index.js';
import type { ChangeDeps, PackageHolds } from './apply.js';
import { commitFiles, type FileWrite, recoverJournals } from './journal.js';
import { resolveUnder } from './owned-files.js';
import { type Change, nameOf, planChange } from './plan.js';
import { readObject, rootDir } from './read.js';
import { loadRecords, publicView, pruneRecords, recordWrite, restoreWrite, savedFile, type SavedFile, type SetRecord } from './set-records.js';
import { Workspace } from './workspace.js';

export type SetDeps = Omit<ChangeDeps, 'changeSets' | 'settings'> & {
  settings: Pick<Settings, 'rollback' | 'ipsecDir' | 'savedir'>;
  log: Pick<ChangeDeps['log'], 'warn'> & { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
};

/** What a set answered: its record and each change's result. */
export interface SetOutcome {
  record: SetRecord;
  results: Array<AnyObject | { message: 'success' }>;
}

/** Runs `fn` holding the store's write lock of every package (taken in sorted order: no deadlock between sets). */
async function holding<T>(store: UciStore, pkgs: readonly string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = pkgs;
  if (first === undefined) return fn();
  let out: { value: T } | undefined;
  // An update whose plan changes nothing writes nothing: it only holds the lock while `fn` runs
  // (once, should the store ever run a plan again).
  await store.update(first, async () => {
    out ??= { value: await holding(store, rest, fn) };
    return [];
  });
  return out!.value;
}

/** The error of change `i`, its message prefixed with `changes.<i>: `. */
function atIndex(i: number, err: unknown): unknown {
  if (err instanceof ApiError) return new ApiError(err.status, `changes.${i}: ${err.message}`);
  if (err instanceof UciBatchError) return new ApiError(500, `changes.${i}: ${err.message}`);
  return err;
}

/** A file a set puts in place (content) or removes (undefined), and the service reading it. */
type OwnedChange = { content: Buffer | undefined; mode: number; service: ServiceName };

/**
 * Plans every change on the workspace as the earlier ones leave it, applying each batch there;
 * answers the owned files the set puts in place or removes, by absolute path (the last change
 * of a path wins). A refusal names the change's index.
 */
async function planSet(ws: Workspace, changes: readonly Change[], host: HostFacts, settings: SetDeps['settings']): Promise<Map<string, OwnedChange>> {
  const owned = new Map<string, OwnedChange>();
  for (const [i, change] of changes.entries()) {
    const { kind } = change;
    try {
      const snap = Object.fromEntries([kind.config, ...(kind.reads ?? [])].map((n) => [n, ws.read(n)]));
      const plan = planChange(change, snap, host);
      await ws.apply(kind.config, plan.ops);
      const root = kind.ownedFiles ? rootDir(settings, kind.ownedFiles.root) : '';
      const keep = new Set(plan.files?.next.map((f) => f.path));
      const { service } = kind;
      for (const f of plan.files?.next ?? []) owned.set(resolveUnder(root, f.path), { content: Buffer.from(f.content), mode: f.mode, service });
      for (const p of [...(plan.files?.previous ?? []).filter((p) => !keep.has(p)), ...(plan.remove ?? [])]) {
        owned.set(resolveUnder(root, p), { content: undefined, mode: 0o600, service });
      }
    } catch (err) {
      throw atIndex(i, err);
    }
  }
  return owned;
}

/** The files that differ once the set is planned: their writes, their bytes now, the services that read them. */
function fileChanges(ws: Workspace, owned: Map<string, OwnedChange>, changes: readonly Change[]): { writes: FileWrite[]; before: SavedFile[]; services: ServiceName[] } {
  const writes: FileWrite[] = [];
  const before: SavedFile[] = [];
  const services = new Set<ServiceName>();
  for (const r of ws.results()) {
    if (r.before?.equals(r.after)) continue;
    writes.push({ path: r.file, content: r.after, mode: r.mode });
    before.push(savedFile(r.file, r.mode));
    for (const c of changes) if (c.kind.config === r.pkg) services.add(c.kind.service);
  }
  for (const [file, { content, mode, service }] of owned) {
    const was = savedFile(file, mode);
    const same = was.content === null ? content === undefined : content !== undefined && content.equals(Buffer.from(was.content, 'base64')) && was.mode === mode;
    if (same) continue;
    writes.push({ path: file, content, mode });
    before.push(was);
    services.add(service);
  }
  return { writes, before, services: [...services].sort() };
}

export class ChangeSets implements PackageHolds {
  private readonly dir: string;
  private readonly records = new Map<string, SetRecord>();
  /** Package -> the pending set holding it. */
  private readonly held = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Confirmations and rollbacks, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly deps: SetDeps) {
    this.dir = path.join(deps.settings.savedir, 'changes');
  }

  /**
   * Opens the sets of the save directory: finishes an interrupted journal, loads the records,
   * rolls back the pending sets whose deadline passed while the agent was down, and re-arms
   * the timers of the others.
   */
  static async open(deps: SetDeps): Promise<ChangeSets> {
    const sets = new ChangeSets(deps);
    fs.mkdirSync(sets.dir, { recursive: true, mode: 0o700 });
    const recovered = recoverJournals(sets.dir);
    if (recovered.rolledForward + recovered.discarded > 0) deps.log.warn(recovered, 'change set journals of an interrupted run recovered');
    for (const r of loadRecords(sets.dir, (file, err) => deps.log.warn({ file, err: (err as Error).message }, 'unreadable change set record skipped'))) {
      sets.records.set(r.id, r);
      if (r.state === 'pending') for (const p of r.packages) sets.held.set(p, r.id);
    }
    for (const r of [...sets.records.values()].filter((r) => r.state === 'pending')) {
      if (Date.parse(r.deadline!) <= Date.now()) await sets.rollback(r.id, 'timeout');
      else sets.arm(r);
    }
    for (const id of pruneRecords(sets.dir, sets.records.values())) sets.records.delete(id);
    return sets;
  }

  /** Refuses a write to a package a pending set holds (called under the package's write lock). */
  assertFree(config: string): void {
    const id = this.held.get(config);
    if (id === undefined) return;
    const r = this.records.get(id)!;
    throw conflict(`${config} is held by pending change set ${id} until ${r.deadline}: confirm it or wait for its rollback`);
  }

  get(id: string): SetRecord {
    const r = this.records.get(id);
    if (!r) throw notFound(`No change set ${id}`);
    return publicView(r);
  }

  /** Confirms a pending set (a confirmed one stays so); 409 when it was rolled back. */
  confirm(id: string): Promise<SetRecord> {
    return this.serially(async () => {
      const r = this.records.get(id);
      if (!r) throw notFound(`No change set ${id}`);
      if (r.state === 'rolled_back') throw conflict(`Change set ${id} was rolled back at ${r.rolled_back_at}`);
      if (r.state === 'pending') {
        const { restore: _restore, ...rest } = r;
        const confirmed: SetRecord = { ...rest, state: 'confirmed', confirmed_at: new Date().toISOString() };
        commitFiles(this.dir, [recordWrite(this.dir, confirmed)]);
        this.finish(confirmed);
      }
      return publicView(this.records.get(id)!);
    });
  }

  /** Applies the changes as one (see the top of this file). `rollbackAfter` in seconds. */
  async apply(changes: readonly Change[], opts: { rollbackAfter?: number } = {}): Promise<SetOutcome> {
    if (this.closed) throw new ApiError(503, 'The agent is shutting down');
    const { store } = this.deps;
    const pkgs = [...new Set(changes.map((c) => c.kind.config))].sort();
    const host: HostFacts = changes.some((c) => c.kind.usesHost) ? await this.deps.host.facts() : { devices: [] };
    const { record, restore } = await holding(store, pkgs, async () => {
      for (const p of pkgs) this.assertFree(p);
      const ws = new Workspace(store);
      try {
        const owned = await planSet(ws, changes, host, this.deps.settings);
        const { writes, before, services } = fileChanges(ws, owned, changes);
        const now = Date.now();
        const rollbackAfter = opts.rollbackAfter;
        const r: SetRecord = {
          id: randomUUID(),
          state: rollbackAfter ? 'pending' : 'confirmed',
          created_at: new Date(now).toISOString(),
          ...(rollbackAfter ? { deadline: new Date(now + rollbackAfter * 1000).toISOString() } : { confirmed_at: new Date(now).toISOString() }),
          packages: pkgs,
          services,
          ...(rollbackAfter ? { restore: before } : {}),
        };
        commitFiles(this.dir, [...writes, recordWrite(this.dir, r)]);
        this.records.set(r.id, r);
        if (r.state === 'pending') {
          for (const p of pkgs) this.held.set(p, r.id);
          this.arm(r);
        }
        return { record: r, restore: before };
      } finally {
        ws.dispose();
      }
    });
    for (const id of pruneRecords(this.dir, this.records.values())) this.records.delete(id);
    await this.reload(record, restore);
    const results = await Promise.all(
      changes.map(async (c) => (c.op === 'delete' ? undefined : await readObject(this.deps, c.kind, nameOf(c))) ?? { message: 'success' as const }),
    );
    return { record: publicView(record), results };
  }

  /**
   * Reloads each service of the set once. With SDEWAN_ROLLBACK the answer waits for those
   * reloads, and when one fails the whole set goes back and the answer is a 5xx.
   */
  private async reload(record: SetRecord, restore: SavedFile[]): Promise<void> {
    const outcomes = record.services.map((s) => ({ service: s, outcome: this.deps.reloader.schedule(s) }));
    if (!this.deps.settings.rollback) return;
    for (const { service, outcome } of outcomes) {
      const result = await outcome;
      if (!result || result.ok) continue;
      await this.serially(() => this.rollback(record.id, `${service} reload failed`, restore));
      const r = this.records.get(record.id)!;
      throw new ApiError(result.timedOut ? 504 : 500, `${service} reload failed: ${result.message ?? 'unknown error'}; the change set ${r.state === 'rolled_back' ? 'was rolled back' : 'stays applied'}`);
    }
  }

  private arm(r: SetRecord): void {
    const delay = Math.max(0, Date.parse(r.deadline!) - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(r.id);
      void this.serially(() => this.rollback(r.id, 'timeout')).catch((err: unknown) => {
        this.deps.log.error({ id: r.id, err: (err as Error).message }, 'change set rollback failed; retried in 10 s');
        if (!this.closed) this.arm({ ...r, deadline: new Date(Date.now() + 10_000).toISOString() });
      });
    }, delay);
    timer.unref();
    this.timers.set(r.id, timer);
  }

  /** Runs transitions of sets one at a time. */
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Puts every file of the set back as it was (its saved bytes, or `restore`), marks it rolled
   * back and reloads its services. A set no longer pending stays as it is (unless `restore` is given).
   */
  private async rollback(id: string, because: string, restore?: SavedFile[]): Promise<void> {
    const r = this.records.get(id);
    if (!r || (r.state !== 'pending' && !restore)) return;
    const saved = restore ?? r.restore ?? [];
    await holding(this.deps.store, r.packages, async () => {
      const { restore: _restore, ...rest } = r;
      const done: SetRecord = { ...rest, state: 'rolled_back', rolled_back_at: new Date().toISOString(), rolled_back_because: because };
      commitFiles(this.dir, [...saved.map(restoreWrite), recordWrite(this.dir, done)]);
      this.finish(done);
    });
    this.deps.log.info({ id, because }, 'change set rolled back');
    for (const s of r.services) void this.deps.reloader.schedule(s);
  }

  /** A set is no longer pending: its packages are free, its timer gone. */
  private finish(r: SetRecord): void {
    this.records.set(r.id, r);
    for (const [p, holder] of this.held) if (holder === r.id) this.held.delete(p);
    clearTimeout(this.timers.get(r.id));
    this.timers.delete(r.id);
  }

  /** Stops the timers (the pending sets stay pending on disk, for the next start). */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
