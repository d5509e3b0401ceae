import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AgentContext } from '../context.js';
import type { HostFacts } from '../host/facts.js';
import { BAD_URI, badRequest, notFound } from '../errors.js';
import { NETWORK_INTERFACES_PATH } from '../paths.js';
import { NETWORK_VIEW_PACKAGES, networkInterfaceView, networkInterfaceViews, type NetworkPackages } from '../status/networks.js';
import { serve } from './methods.js';

/**
 * The pod's networks, read-only (src/status/networks.ts). Paths under /cgi-bin/luci:
 *
 *   GET /sdewan/network/v1/interfaces          {"interfaces": [<interface>, ...]}
 *   GET /sdewan/network/v1/interfaces/{name}   <interface>; 404 when the network config has none
 *   deeper paths: 400 Bad request URI; any other method: 405 with `Allow: GET`.
 *
 * A read starts no process: the configs come from the store (parsed files), the kernel's
 * view from ctx.host (/sys/class/net, os.networkInterfaces(), /proc/net).
 */
export function registerNetworkRoutes(app: FastifyInstance, ctx: Pick<AgentContext, 'store' | 'host'>): void {
  const read = async (): Promise<[NetworkPackages, HostFacts]> => {
    const [network, mwan3, firewall, ipsec] = await Promise.all(NETWORK_VIEW_PACKAGES.map((p) => ctx.store.read(p)));
    return [{ network, mwan3, firewall, ipsec }, await ctx.host.facts()];
  };

  const list = async () => {
    const [pkgs, facts] = await read();
    return { interfaces: networkInterfaceViews(pkgs, facts) };
  };
  const one = async (req: FastifyRequest<{ Params: { name: string } }>) => {
    const [pkgs, facts] = await read();
    const view = networkInterfaceView(pkgs, facts, req.params.name);
    if (!view) throw notFound();
    return view;
  };
  serve(app, NETWORK_INTERFACES_PATH, ['GET'], list);
  serve(app, `${NETWORK_INTERFACES_PATH}/`, ['GET'], list);
  serve(app, `${NETWORK_INTERFACES_PATH}/:name`, ['GET'], one);
  serve(app, `${NETWORK_INTERFACES_PATH}/:name/*`, ['GET'], async () => {
    throw badRequest(BAD_URI);
  });
}
