import type { FastifyBaseLogger } from 'fastify';
import type { Settings } from './config.js';
import type { ServiceName } from './resources/types.js';
import type { ServiceReloader } from './services/reloader.js';
import type { HostView } from './host/facts.js';
import type { UciStore } from './uci/types.js';

/** How the reload that covered a change went (src/services/reloader.ts ActionResult fits). */
export interface ReloadOutcome {
  ok: boolean;
  timedOut?: boolean;
  message?: string;
}

/**
 * Schedules the reload of a service after a committed change (coalesced per burst). The
 * agent's reloader resolves with the outcome of the reload that covered the change.
 */
export interface Reloader {
  schedule(service: ServiceName): void | Promise<ReloadOutcome>;
}

/** Everything the API routes need, built once at start (src/main.ts) and passed down. */
export interface AgentContext {
  settings: Settings;
  store: UciStore;
  reloader: ServiceReloader;
  log: FastifyBaseLogger;
  /** The box's devices and default routes, for the kinds that reference devices. */
  host: HostView;
}
