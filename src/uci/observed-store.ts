import type { UciStore } from './types.js';

/**
 * The store with a callback after every write that changed a file (a committed update, a
 * whole file put back, or files a change set's journal committed under the package's lock):
 * the config event watcher and the write counters listen there.
 */
export function observeWrites(store: UciStore, onWrite: (pkg: string) => void): UciStore {
  return {
    get confdir() {
      return store.confdir;
    },
    read: (pkg) => store.read(pkg),
    identity: (pkg) => store.identity(pkg),
    async update(pkg, plan) {
      const before = store.identity(pkg);
      const result = await store.update(pkg, plan);
      if (result.changed || store.identity(pkg) !== before) onWrite(pkg);
      return result;
    },
    async restore(pkg, content, opts) {
      const written = await store.restore(pkg, content, opts);
      if (written) onWrite(pkg);
      return written;
    },
  };
}
