import { watch, type FSWatcher } from 'node:fs';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Resource } from '../resources/types.js';
import type { UciPackage, UciStore } from '../uci/types.js';
import { diffObjects, indexObjects, kindKey, packagesOf, type ObjectIndex } from './config-diff.js';
import type { ConfigEventData, EventHub } from './hub.js';

export interface ConfigWatchLog {
  warn(obj: object, msg: string): void;
}

export interface ConfigWatcher {
  /** The agent wrote `pkg`: compare now (the watcher would see it a little later). */
  written(pkg: string): void;
  stop(): void;
}

/** Events published between two turns of the event loop. */
const PUBLISH_BATCH = 100;

/** Quiet time after a file event before the config is compared (an editor writes in steps). */
const FILE_SETTLE_MS = 30;

/** A package as read right after the agent wrote it, with the file's identity then. */
interface Taken {
  pkg: string;
  identity: string;
  reading: Promise<UciPackage>;
}

/**
 * After the agent's write, the comparison waits for the turn of the event loop after the one
 * that answers the request: the listing and comparing of every object of the written package
 * (a millisecond for a few hundred rules) is not part of the write's answer.
 */
const afterTheAnswer = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/**
 * Publishes a `config` event for each object created, updated or deleted: after the agent's
 * own writes and when a file of the config directory changes otherwise (an edit by hand,
 * `uci commit` on the box). The source is `api` when the kind's file is still the one the
 * agent last wrote (same inode, size and mtime), `file` otherwise. The directory is watched (fs.watch); each
 * comparison reads the packages the registry knows through the store (cached on the files'
 * identity; a file whose identity did not change is not read again) and compares the objects of
 * every kind that reads a changed file with its last listing. Comparisons run one at a
 * time, in order; after an agent's write, with the package as that write left it, once the
 * request has been answered. A file that does not parse keeps its last reading until it does.
 */
export function watchConfig(opts: { store: UciStore; kinds: readonly Resource[]; hub: EventHub; log: ConfigWatchLog }): ConfigWatcher {
  const { store, kinds, hub, log } = opts;
  const packages = [...new Set(kinds.flatMap(packagesOf))];
  const readings = new Map<string, UciPackage>();
  let index: ObjectIndex = new Map();
  let stopped = false;

  /** Each package's file identity at its last reading. */
  const identities = new Map<string, string>();

  /** Whether fs.watch reports the directory's changes (then an agent's write compares only its package). */
  let watching = false;

  /**
   * Reads the packages whose file changed since their last reading; returns their names.
   * `taken`: a package as read when the agent wrote it, used instead of reading it now; the
   * other files are the watcher's to report, when there is one.
   */
  async function read(taken?: Taken): Promise<Set<string>> {
    const changed = new Set<string>();
    await Promise.all(
      (taken && watching ? [taken.pkg] : packages).map(async (pkg) => {
        const given = taken?.pkg === pkg ? taken : undefined;
        const identity = given?.identity ?? store.identity(pkg);
        if (identities.get(pkg) === identity) return;
        try {
          readings.set(pkg, given ? await given.reading : await store.read(pkg));
          identities.set(pkg, identity);
          changed.add(pkg);
        } catch (err) {
          log.warn({ config: pkg, reason: (err as Error).message }, 'config events: file not read, its last reading is kept');
        }
      }),
    );
    return changed;
  }

  /** The identity of each package as the agent last wrote it. */
  const written = new Map<string, string>();
  const configOf = new Map(kinds.map((k) => [kindKey(k), k.config]));
  const sourceOf = (kind: string): ConfigEventData['source'] => {
    const pkg = configOf.get(kind);
    return pkg !== undefined && written.get(pkg) === store.identity(pkg) ? 'api' : 'file';
  };

  async function compare(taken?: Taken): Promise<void> {
    if (stopped) return;
    const changed = await read(taken);
    if (changed.size === 0) return;
    // only the kinds that read a changed file are listed again
    const next = indexObjects(kinds.filter((k) => packagesOf(k).some((p) => changed.has(p))), readings);
    // the others, and a kind that could not be listed now, keep their last listing (unknown is not deleted)
    for (const [kind, objects] of index) if (!next.has(kind)) next.set(kind, objects);
    const changes = diffObjects(index, next, sourceOf);
    index = next;
    // A big edit is many events: let the sockets take them in between.
    for (let i = 0; i < changes.length; i++) {
      hub.publish('config', changes[i]!);
      if (i % PUBLISH_BATCH === PUBLISH_BATCH - 1) await yieldToIo();
    }
  }

  let chain: Promise<void> = read().then(() => {
    index = indexObjects(kinds, readings);
  });
  const enqueue = (taken?: Taken) => {
    chain = chain
      .then(() => (taken ? afterTheAnswer() : undefined))
      .then(() => compare(taken))
      .catch((err: unknown) => log.warn({ reason: (err as Error).message }, 'config events: comparison failed'));
  };

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(store.confdir, { persistent: false }, (_event, filename) => {
      if (filename !== null && !packages.includes(String(filename))) return;
      clearTimeout(timer);
      timer = setTimeout(() => enqueue(), FILE_SETTLE_MS);
    });
    watching = true;
    watcher.on('error', (err) => {
      watching = false;
      log.warn({ reason: err.message }, 'config events: the config directory is no longer watched');
    });
  } catch (err) {
    log.warn({ confdir: store.confdir, reason: (err as Error).message }, 'config events: the config directory cannot be watched, only the agent\'s writes are reported');
  }

  return {
    written(pkg) {
      if (!packages.includes(pkg)) return;
      const identity = store.identity(pkg);
      written.set(pkg, identity);
      // the package as this write left it, read now (from the store's cache); compared later
      const reading = store.read(pkg);
      reading.catch(() => undefined);
      enqueue({ pkg, identity, reading });
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
