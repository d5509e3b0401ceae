import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';
import { registerDocs } from '../openapi/routes.js';
import { RESOURCES } from '../resources/index.js';
import { mwan3Source } from '../status/mwan3-source.js';
import { slaPollMsOf, startSlaPoller } from '../status/sla-poller.js';
import { registerChangeRoutes } from './change-routes.js';
import { registerNetworkRoutes } from './network-routes.js';
import { registerMergePatch, registerPrefix, registerResource } from './resource-routes.js';
import { registerServiceRoutes, statusOptionsOf } from './service-routes.js';
import { subResourceHandlers } from './sub-resources.js';

/** Registers every API route (the registry's collections, change sets, services, status) under /cgi-bin/luci. */
export async function registerApi(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  const status = statusOptionsOf(ctx.settings);
  // one reader of mwan3's live status: its answers feed the SLA history (src/status/sla.ts)
  const mwan3 = mwan3Source(status, ctx.log);
  const subResources = subResourceHandlers(ctx, mwan3);
  for (const prefix of new Set(RESOURCES.map((r) => r.prefix))) registerPrefix(app, prefix);
  await app.register(async (collections) => {
    registerMergePatch(collections);
    for (const kind of RESOURCES) registerResource(collections, ctx, kind, subResources(kind));
  });
  registerChangeRoutes(app, ctx, RESOURCES);
  registerNetworkRoutes(app, ctx);
  await registerServiceRoutes(app, ctx, ctx.reloader, status, mwan3);
  await registerDocs(app, { resources: RESOURCES });
  // SLA breaches: the event bus / metrics plug into onBreach; until then a log line (names are request values: counts only)
  const poller = startSlaPoller({
    periodMs: slaPollMsOf(),
    source: mwan3,
    readConfig: () => ctx.store.read('mwan3'),
    onBreach: (change) => ctx.log.info({ breaches: change.breaches.length, previous: change.previous.length }, 'SLA breach changed'),
    onError: (err) => ctx.log.warn({ reason: (err as Error).message }, 'SLA poll failed'),
  });
  app.addHook('onClose', async () => poller.stop());
}
