import type { UciStore } from './types.js';

/**
 * The store with a callback after every write that changed a file (a committed update, or a
 * whole file put back): the config event watcher and the write counters listen there.
 */
export function observeWrites(store: UciStore, onWrite: (pkg: string) => void): UciStore {
  return {
    get confdir() {
      return store.confdir;
    },
    read: (pkg) => store.read(pkg),
    identity: (pkg) => store.identity(pkg),
    async update(pkg, plan) {
      const result = await store.update(pkg, plan);
      if (result.changed) onWrite(pkg);
      return result;
    },
    async restore(pkg, content, opts) {
      const written = await store.restore(pkg, content, opts);
      if (written) onWrite(pkg);
      return written;
    },
  };
}
