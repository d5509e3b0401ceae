// Every setting of the agent, one row each: its environment variable (the key), its option of
// `config agent 'main'` in /etc/config/sdewan-agent, its default off OpenWRT and on OpenWRT,
// its type (a zod schema over the text given) and what it means (`sdewan-agent --help`).
// src/config.ts derives everything else from this table; README's settings table is checked
// against it by a test.
import path from 'node:path';
import * as z from 'zod';

export const PLATFORMS = ['openwrt', 'linux'] as const;
export const WIREGUARD_IMPLEMENTATIONS = ['auto', 'kernel', 'userspace', 'off'] as const;
export type WireguardImplementation = (typeof WIREGUARD_IMPLEMENTATIONS)[number];
export type Platform = (typeof PLATFORMS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const AUTH_METHODS = ['static', 'shadow', 'ubus'] as const;

/** A default: a value, a value relative to the working directory, or none. */
type Default = string | ((cwd: string) => string) | undefined;

interface SettingRow {
  option: string;
  linux: Default;
  openwrt: Default;
  type: z.ZodType;
  help: string;
}

const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected an integer from ${min} to ${max}`);

/** One port number (0: any free port). */
const port = () => intIn(0, 65535);

/** A list of ports, separated by spaces or commas ("80 8080"); 0 is any free port. */
const portList = () =>
  z
    .string()
    .regex(/^\s*\d+(?:[\s,]+\d+)*\s*$/, 'expected port numbers from 0 to 65535, separated by spaces or commas')
    .transform((v) => v.trim().split(/[\s,]+/).map(Number))
    .pipe(z.array(z.number().max(65535, 'expected port numbers from 0 to 65535, separated by spaces or commas')))
    .optional();

/** A boolean as UCI writes them. */
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];
const boolean = () =>
  z.enum([...TRUE_WORDS, ...FALSE_WORDS] as [string, ...string[]], { message: 'expected 0 or 1 (or true/false, yes/no, on/off)' }).transform((v) => TRUE_WORDS.includes(v));

const oneOf = <const V extends readonly [string, ...string[]]>(values: V) => z.enum(values, { message: `expected one of ${values.join(', ')}` });
const required = () => z.string().min(1);
const optional = () => z.string().optional();
const under = (...parts: string[]) => (cwd: string) => path.join(cwd, ...parts);

const row = <T extends z.ZodType>(option: string, type: T, help: string, linux: Default = undefined, openwrt: Default = linux) => ({ option, linux, openwrt, type, help });

export const SETTINGS = {
  HOST: row('host', z.string().regex(/^[A-Za-z0-9.:_-]+$/, 'expected an address or host name'), 'address to listen on', '127.0.0.1', '0.0.0.0'),
  PORT: row('port', port(), 'port to listen on (0: any free port)', '8080'),
  SDEWAN_HTTP_PORTS: row('http_ports', portList(), 'ports serving plain HTTP, separated by spaces or commas (instead of PORT)'),
  SDEWAN_HTTPS_PORTS: row('https_ports', portList(), 'ports serving HTTPS (needs a certificate), separated by spaces or commas (instead of PORT)'),
  SDEWAN_CONFDIR: row('confdir', required(), 'UCI config directory', under('var', 'config'), '/etc/config'),
  SDEWAN_SAVEDIR: row('savedir', required(), 'UCI save (delta) directory', under('var', 'save'), '/tmp/.uci-sdewan'),
  SDEWAN_UCI_BIN: row('uci_bin', optional(), 'a uci program, or "embedded" (default: uci on PATH, else embedded)'),
  SDEWAN_INITD: row('initd', required(), 'directory of the init scripts (off OpenWRT by default: recording stand-ins)', under('var', 'initd'), '/etc/init.d'),
  SDEWAN_SERVICE_TIMEOUT_MS: row('service_timeout_ms', intIn(1, 3_600_000), 'how long an init script may run before its action is a timeout', '30000'),
  SDEWAN_AUTH: row('auth', oneOf(AUTH_METHODS), 'password check: static, shadow or ubus', 'static', 'shadow'),
  SDEWAN_USER: row('user', z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a user name ([A-Za-z0-9._-], 1 to 64 characters)'), 'the user allowed to log in', 'root'),
  SDEWAN_PASSWORD: row('password', optional(), 'password of the static check (default: random, printed once)'),
  SDEWAN_PASSWORD_FILE: row('password_file', optional(), 'with static: a file whose content is the password'),
  SDEWAN_SHADOW: row('shadow', required(), 'shadow file of the shadow check', '/etc/shadow'),
  SDEWAN_SESSION_TTL: row('session_ttl', intIn(1, 31_536_000), 'idle seconds after which a session ends', '3600'),
  SDEWAN_TLS_CERT: row('tls_cert', optional(), 'PEM certificate (chain): serve HTTPS'),
  SDEWAN_TLS_KEY: row('tls_key', optional(), 'PEM private key of the certificate'),
  SDEWAN_TLS_DIR: row('tls_dir', optional(), 'a directory with tls.crt and tls.key, instead of the two above'),
  SDEWAN_RELOAD_DELAY_MS: row('reload_delay_ms', intIn(0, 600_000), 'window in which service reloads after writes are coalesced', '200'),
  SDEWAN_RELOAD_INTERVAL_MS: row('reload_interval_ms', intIn(0, 3_600_000), 'least time between two automatic reloads of one service', '5000'),
  LOG_LEVEL: row('log_level', oneOf(LOG_LEVELS), 'fatal, error, warn, info, debug, trace or silent', 'info'),
  SDEWAN_LOG_TEE: row('log_tee', optional(), 'a file that also gets every log line (the container: /proc/1/fd/1)'),
  SDEWAN_SWANCTL_DIR: row('swanctl_dir', required(), 'where IPsec certificates and keys are written for swanctl', under('var', 'swanctl'), '/etc/swanctl'),
  SDEWAN_PLATFORM: row('platform', oneOf(PLATFORMS), 'openwrt (/etc/init.d/swanctl) or linux (the agent loads swanctl.conf itself)', 'linux', 'openwrt'),
  SDEWAN_SWANCTL_CONF: row('swanctl_conf', optional(), 'where the linux platform writes swanctl.conf (default: <SDEWAN_SWANCTL_DIR>/swanctl.conf)'),
  SDEWAN_VICI_URI: row(
    'vici_uri',
    z.string().regex(/^(unix|tcp):\/\/[^\s]+$/, 'expected unix://<socket path> or tcp://<host>:<port>').optional(),
    "charon's vici socket (default: unix:///var/run/charon.vici)",
  ),
  SDEWAN_SWANCTL: row('swanctl_bin', required(), 'the swanctl program', 'swanctl'),
  SDEWAN_UBUS: row('ubus_bin', required(), 'the ubus program (mwan3 status)', 'ubus'),
  SDEWAN_IP: row('ip_bin', required(), 'the ip program (interface, route and rule status)', 'ip'),
  SDEWAN_WG: row('wg_bin', required(), 'the wg program (WireGuard status; applying tunnels on linux)', 'wg'),
  SDEWAN_WIREGUARD: row('wireguard', oneOf(WIREGUARD_IMPLEMENTATIONS), 'linux platform: WireGuard tunnels through auto, kernel, userspace (wireguard-go) or off', 'auto'),
  SDEWAN_CONNTRACK: row('conntrack_bin', required(), 'the conntrack program (conntrack status, when the table file cannot be read)', 'conntrack'),
  SDEWAN_NF_CONNTRACK: row('nf_conntrack', required(), 'the kernel connection tracking table (conntrack status)', '/proc/net/nf_conntrack'),
  SDEWAN_STATUS_TIMEOUT_MS: row('status_timeout_ms', intIn(1, 600_000), 'how long a status program may run', '5000'),
  SDEWAN_ROLLBACK: row('rollback', boolean(), '1: a write whose reload fails is put back and answered 500', '0'),
  SDEWAN_METRICS_TOKEN: row(
    'metrics_token',
    z.string().regex(/^[\x21-\x7e]{16,}$/, 'expected at least 16 printable characters, no spaces').optional(),
    'a bearer token that reads /metrics without a login (at least 16 characters)',
  ),
  SDEWAN_EVENTS_POLL_MS: row('events_poll_ms', intIn(100, 3_600_000), 'how often mwan3 and IPsec status are read for the event stream while a client listens', '5000'),
} as const satisfies Record<string, SettingRow>;

export type SettingName = keyof typeof SETTINGS;

/** The settings as given (text), by variable. */
export type RawSettings = Partial<Record<SettingName, string>>;

const names = Object.keys(SETTINGS) as SettingName[];

/** Environment variable -> option of `config agent` in /etc/config/sdewan-agent. */
export const SETTING_OPTIONS = Object.fromEntries(names.map((n) => [n, SETTINGS[n].option])) as Record<SettingName, string>;

/** What each setting means, for `sdewan-agent --help` (README's table says more). */
export const SETTING_HELP = Object.fromEntries(names.map((n) => [n, SETTINGS[n].help])) as Record<SettingName, string>;

/** The built-in value of every setting, on OpenWRT or elsewhere (relative to `cwd`). */
export function settingDefaults(openwrt: boolean, cwd: string): Record<SettingName, string | undefined> {
  return Object.fromEntries(
    names.map((n) => {
      const d = openwrt ? SETTINGS[n].openwrt : SETTINGS[n].linux;
      return [n, typeof d === 'function' ? d(cwd) : d];
    }),
  ) as Record<SettingName, string | undefined>;
}

/** The schema of the whole table: the text of each setting -> its value. */
export const settingsSchema = z.object(Object.fromEntries(names.map((n) => [n, SETTINGS[n].type])) as { [K in SettingName]: (typeof SETTINGS)[K]['type'] });
