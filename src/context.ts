import type { FastifyBaseLogger } from 'fastify';
import type { ChangeSets } from './changes/index.js';
import type { Settings } from './config.js';
import type { ServiceReloader } from './services/reloader.js';
import type { HostView } from './host/facts.js';
import type { UciStore } from './uci/types.js';

/** Everything the API routes need, built once at start (src/main.ts) and passed down. */
export interface AgentContext {
  settings: Settings;
  store: UciStore;
  reloader: ServiceReloader;
  log: FastifyBaseLogger;
  /** The box's devices and default routes, for the kinds that reference devices. */
  host: HostView;
  /** Change sets and the packages their pending ones hold (opened at start: src/changes/sets.ts). */
  changeSets: ChangeSets;
}
