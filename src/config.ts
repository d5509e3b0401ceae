// OWNER: foundation helper (issue 3) implements loading/validation here; the Settings shape below is shared.
export interface Settings {
  host: string;
  port: number;
  /** UCI config directory (/etc/config on OpenWRT, ./var/config otherwise). */
  confdir: string;
  /** UCI save (delta) directory. */
  savedir: string;
  /** Path of a real uci binary, or undefined for the embedded engine. */
  uciBin: string | undefined;
  /** Where the service init scripts are (/etc/init.d). */
  initd: string;
  auth: 'static' | 'shadow' | 'ubus';
  user: string;
  password: string | undefined;
  shadowFile: string;
  sessionTtlSec: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  reloadDelayMs: number;
  logLevel: string;
}
