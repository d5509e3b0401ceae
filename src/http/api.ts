import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';
import { mwan3Resources } from '../resources/mwan3/index.js';
import type { ResourceDef } from '../resources/types.js';
import { registerPrefix, registerResource } from './resource-routes.js';

/** Every resource kind the API serves. Adding a kind is adding its definition here. */
export const resources: ResourceDef<{ name: string }>[] = [...mwan3Resources];

/** Registers every API route (resources, services, status) under /cgi-bin/luci. */
export async function registerApi(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  for (const prefix of new Set(resources.map((r) => r.prefix))) registerPrefix(app, prefix);
  for (const def of resources) registerResource(app, ctx, def);
}
