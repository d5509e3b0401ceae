// What watches the agent from outside the request path: the event hub (GET .../events) and the
// metrics (GET /metrics), with the live status readers they share. Built once per agent, before
// the reloader (which reports every action to both) and the server.
import type { Settings } from './config.js';
import { createEventHub, type EventHub } from './events/hub.js';
import { statusOptionsOf } from './http/service-routes.js';
import { createMetrics, type AgentMetrics } from './metrics/metrics.js';
import type { ActionResult } from './services/reloader.js';
import { liveStatus, type LiveStatus } from './status/live.js';
import type { UciStore } from './uci/types.js';

export interface Observers {
  events: EventHub;
  metrics: AgentMetrics;
  live: LiveStatus;
  /** The reloader's onResult: a `reload` event and the reload counter. */
  onServiceResult(result: ActionResult): void;
}

export function createObservers(settings: Settings, store: UciStore): Observers {
  const events = createEventHub();
  const live = liveStatus(statusOptionsOf(settings));
  const metrics = createMetrics({ live, ipsecConfig: () => store.read('ipsec') });
  return {
    events,
    metrics,
    live,
    onServiceResult(r) {
      metrics.countAction(r);
      events.publish('reload', {
        service: r.service,
        action: r.action,
        trigger: r.trigger,
        ok: r.ok,
        ...(r.timedOut ? { timedOut: true } : {}),
        at: r.at,
      });
    },
  };
}
