import type { FastifyInstance } from 'fastify';
import type { AgentContext } from '../context.js';

/** Registers every API route (resources, services, status) under /cgi-bin/luci. OWNER: lead. */
export async function registerApi(app: FastifyInstance, ctx: AgentContext): Promise<void> {
  void app;
  void ctx;
}
