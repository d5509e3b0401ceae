import type { Settings } from '../config.js';
import type { UciStore } from '../uci/types.js';
import { createLinuxIpsec, type IpsecRunner } from './linux.js';

/**
 * What runs the `ipsec` service's actions on this platform. On OpenWRT nothing replaces the
 * init script (/etc/init.d/swanctl renders and loads the config): undefined. On plain Linux,
 * the agent's own swanctl renderer and loader (src/ipsec/linux.ts).
 */
export function ipsecRunnerFor(
  settings: Pick<Settings, 'platform' | 'swanctlConf' | 'ipsecDir' | 'viciUri' | 'swanctlBin'>,
  store: Pick<UciStore, 'read'>,
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void },
): IpsecRunner | undefined {
  if (settings.platform !== 'linux') return undefined;
  return createLinuxIpsec({
    readIpsec: () => store.read('ipsec'),
    swanctlConf: settings.swanctlConf,
    swanctlDir: settings.ipsecDir,
    viciUri: settings.viciUri,
    swanctlBin: settings.swanctlBin,
    ...(log ? { log } : {}),
  });
}
