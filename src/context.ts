import type { FastifyBaseLogger } from 'fastify';
import type { Settings } from './config.js';
import type { ServiceName } from './resources/types.js';
import type { UciStore } from './uci/types.js';

/** Schedules the reload of a service after a committed change (coalesced per burst). */
export interface Reloader {
  schedule(service: ServiceName): void;
}

/** Everything the API routes need, built once at start (src/main.ts) and passed down. */
export interface AgentContext {
  settings: Settings;
  store: UciStore;
  reloader: Reloader;
  log: FastifyBaseLogger;
}
