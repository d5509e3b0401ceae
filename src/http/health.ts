// Kubernetes probes, served without a session: /healthz (the process answers) and /readyz
// (the UCI config directory can be read and written: not read-only, not full).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { unwritableReason } from './storage-errors.js';

export async function confdirReadable(confdir: string): Promise<boolean> {
  try {
    await access(confdir, constants.R_OK | constants.X_OK);
    return (await stat(confdir)).isDirectory();
  } catch {
    return false;
  }
}

export function registerHealth(app: FastifyInstance, opts: { confdir: string }): void {
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    if (!(await confdirReadable(opts.confdir))) return reply.code(503).send({ message: 'config directory not readable' });
    const unwritable = await unwritableReason(opts.confdir);
    if (unwritable !== undefined) return reply.code(503).send({ message: `config directory not writable: ${unwritable}` });
    return { status: 'ready' };
  });
}
