import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';
import { mwan3Resources } from '../resources/mwan3/index.js';
import { firewallResources } from '../resources/firewall/index.js';
import { ipsecResources } from '../resources/ipsec/index.js';
import { networkResources } from '../resources/network/index.js';
import { registerDocs } from '../openapi/routes.js';
import type { ResourceDef } from '../resources/types.js';
import { registerPrefix, registerResource } from './resource-routes.js';
import { registerServiceRoutes } from './service-routes.js';

/** Every resource kind the API serves. Adding a kind is adding its definition here. */
export const resources: ResourceDef<{ name: string }>[] = [...mwan3Resources, ...firewallResources, ...ipsecResources, ...networkResources];

/** Registers every API route (resources, services, status) under /cgi-bin/luci. */
export async function registerApi(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  for (const prefix of new Set(resources.map((r) => r.prefix))) registerPrefix(app, prefix);
  for (const def of resources) registerResource(app, ctx, def);
  await registerServiceRoutes(app, ctx, ctx.reloader);
  await registerDocs(app, { resources });
}
