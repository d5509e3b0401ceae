import type { Settings } from '../config.js';
import { runInitScript, type RunResult } from '../services/run.js';
import type { ServiceRunner } from '../services/reloader.js';
import { commandFor } from '../services/table.js';
import type { UciStore } from '../uci/types.js';
import { createLinuxWireguard } from './linux.js';

/**
 * What runs the `network` service's actions on this platform. On OpenWRT, /etc/init.d/network
 * alone (netifd applies the WireGuard interfaces itself): undefined. On plain Linux, the init
 * script, then the agent's own WireGuard (src/wireguard/linux.ts), unless SDEWAN_WIREGUARD=off.
 */
export function networkRunnerFor(
  settings: Pick<Settings, 'platform' | 'wireguard' | 'initd'>,
  store: Pick<UciStore, 'read'>,
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void },
  env?: NodeJS.ProcessEnv,
): ServiceRunner | undefined {
  if (settings.platform !== 'linux' || settings.wireguard === 'off') return undefined;
  const wireguard = createLinuxWireguard({ readNetwork: () => store.read('network'), implementation: settings.wireguard, ...(log ? { log } : {}) });
  return async (action, opts): Promise<RunResult> => {
    const { script, argument } = commandFor('network', action);
    const ran = await runInitScript(settings.initd, script, argument, { timeoutMs: opts.timeoutMs, env });
    if (!ran.ok) return ran;
    const wg = await wireguard(action, opts);
    const message = [ran.message, wg.message].filter((m) => m !== undefined && m !== '').join('\n');
    return { ...wg, ...(message ? { message } : {}) };
  };
}
