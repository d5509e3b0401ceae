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

/**
 * Publishes a `config` event for each object created, updated or deleted: after the agent's
 * own writes and when a file of the config directory changes otherwise (an edit by hand,
 * `uci commit` on the box). The source is `api` when the kind's file is still the one the
 * agent last wrote (same inode, size and mtime), `file` otherwise. The directory is watched (fs.watch); each
 * comparison reads the packages the registry knows through the store (cached on the files'
 * identity; a file whose identity did not change is not read again) and compares the objects of
 * every kind that reads a changed file with its last listing. Comparisons run one at a
 * time. A file that does not parse keeps its last reading until it does.
 */
export function watchConfig(opts: { store: UciStore; kinds: readonly Resource[]; hub: EventHub; log: ConfigWatchLog }): ConfigWatcher {
  const { store, kinds, hub, log } = opts;
  const packages = [...new Set(kinds.flatMap(packagesOf))];
  const readings = new Map<string, UciPackage>();
  let index: ObjectIndex = new Map();
  let stopped = false;

  /** Each package's file identity at its last reading. */
  const identities = new Map<string, string>();

  /** Reads the packages whose file changed since their last reading; returns their names. */
  async function read(): Promise<Set<string>> {
    const changed = new Set<string>();
    await Promise.all(
      packages.map(async (pkg) => {
        const identity = store.identity(pkg);
        if (identities.get(pkg) === identity) return;
        try {
          readings.set(pkg, await store.read(pkg));
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

  async function compare(): Promise<void> {
    if (stopped) return;
    const changed = await read();
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
  const enqueue = () => {
    chain = chain.then(() => compare()).catch((err: unknown) => log.warn({ reason: (err as Error).message }, 'config events: comparison failed'));
  };

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(store.confdir, { persistent: false }, (_event, filename) => {
      if (filename !== null && !packages.includes(String(filename))) return;
      clearTimeout(timer);
      timer = setTimeout(enqueue, FILE_SETTLE_MS);
    });
    watcher.on('error', (err) => log.warn({ reason: err.message }, 'config events: the config directory is no longer watched'));
  } catch (err) {
    log.warn({ confdir: store.confdir, reason: (err as Error).message }, 'config events: the config directory cannot be watched, only the agent\'s writes are reported');
  }

  return {
    written(pkg) {
      if (!packages.includes(pkg)) return;
      written.set(pkg, store.identity(pkg));
      enqueue();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
