import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';
import { registerDocs } from '../openapi/routes.js';
import { RESOURCES } from '../resources/index.js';
import { registerChangeRoutes } from './change-routes.js';
import { registerMergePatch, registerPrefix, registerResource } from './resource-routes.js';
import { registerServiceRoutes } from './service-routes.js';

/** Registers every API route (the registry's collections, change sets, services, status) under /cgi-bin/luci. */
export async function registerApi(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  for (const prefix of new Set(RESOURCES.map((r) => r.prefix))) registerPrefix(app, prefix);
  await app.register(async (collections) => {
    registerMergePatch(collections);
    for (const kind of RESOURCES) registerResource(collections, ctx, kind);
  });
  registerChangeRoutes(app, ctx, RESOURCES);
  await registerServiceRoutes(app, ctx, ctx.reloader);
  await registerDocs(app, { resources: RESOURCES });
}
