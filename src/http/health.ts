// Kubernetes probes, served without a session: /healthz (the process answers, with its
// version), /readyz (the UCI config directory can be read and written: not read-only, not
// full), and `/`, the path ICN's CNF chart probes.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { unwritableReason } from '../changes/storage-errors.js';
import { AGENT_VERSION } from '../version.js';

export async function confdirReadable(confdir: string): Promise<boolean> {
  try {
    await access(confdir, constants.R_OK | constants.X_OK);
    return (await stat(confdir)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `/` as OpenWRT's web server answers it (its index page sends the browser on to LuCI): a
 * 200 without a login, so that a kubelet `httpGet /` probe (ICN's e2e CNF chart) passes.
 */
const INDEX_PAGE =
  '<!DOCTYPE html>\n<html><head><meta http-equiv="refresh" content="0; URL=cgi-bin/luci/"><title>sdewan-agent</title></head>' +
  '<body><a href="cgi-bin/luci/">LuCI API</a></body></html>\n';

export function registerHealth(app: FastifyInstance, opts: { confdir: string }): void {
  app.get('/', { config: { public: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(INDEX_PAGE));
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok', version: AGENT_VERSION }));
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    if (!(await confdirReadable(opts.confdir))) return reply.code(503).send({ message: 'config directory not readable' });
    const unwritable = await unwritableReason(opts.confdir);
    if (unwritable !== undefined) return reply.code(503).send({ message: `config directory not writable: ${unwritable}` });
    return { status: 'ready' };
  });
}
