// The agent's own settings: environment variables, and on OpenWRT its UCI config
// /etc/config/sdewan-agent (the environment wins). Validated with zod; a bad value stops the
// start with a SettingsError that names the setting.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { passwordFileProblem } from './auth/password-file.js';
import { tlsFilesIn, tlsPairProblem } from './tls-files.js';
import { findExecutable } from './uci/runner.js';
import type { UciPackage } from './uci/types.js';

/** One socket the agent listens on: plain HTTP, or HTTPS with the configured certificate. */
export interface Listener {
  port: number;
  tls: boolean;
}

export interface Settings {
  host: string;
  /** The first listener's port. */
  port: number;
  /** Every socket of the one agent process (HTTPS ones need tlsCert/tlsKey). */
  listeners: Listener[];
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
  /** A file holding the static password (a mounted secret), checked at each login. */
  passwordFile?: string;
  shadowFile: string;
  sessionTtlSec: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  reloadDelayMs: number;
  logLevel: string;
  /** A file that gets a copy of every log line (e.g. /proc/1/fd/1, the container's stdout). */
  logTee: string | undefined;
  /** Root of the swanctl tree where IPsec certificates and keys are written (/etc/swanctl). */
  ipsecDir: string;
  /** openwrt: /etc/init.d/swanctl runs IPsec; linux: the agent renders and loads swanctl.conf itself. */
  platform: Platform;
  /** Where the linux platform writes the rendered swanctl.conf (default <ipsecDir>/swanctl.conf). */
  swanctlConf: string;
  /** charon's vici socket, or undefined for the default unix:///var/run/charon.vici (swanctl's too). */
  viciUri: string | undefined;
  /** The swanctl program (a path, or a name looked up on PATH). */
  swanctlBin: string;
  /** Roll a write back when the reload it caused fails (the write then waits for its reload). */
  rollback: boolean;
  /**
   * The linux platform's WireGuard (the tunnels of the network config, applied at each reload of
   * `network`): the kernel module, wireguard-go, either (auto: the module when the kernel has it),
   * or off (the agent only writes the config). Unused on OpenWRT, where netifd applies them.
   */
  wireguard: WireguardImplementation;
  /** True when confdir is the development default (./var/config), seeded from uci-fixtures. */
  seedConfdir?: boolean;
  /** True when initd is the development default (./var/initd), created with recording scripts. */
  seedInitd?: boolean;
}

export const PLATFORMS = ['openwrt', 'linux'] as const;
export const WIREGUARD_IMPLEMENTATIONS = ['auto', 'kernel', 'userspace', 'off'] as const;
export type WireguardImplementation = (typeof WIREGUARD_IMPLEMENTATIONS)[number];
export type Platform = (typeof PLATFORMS)[number];

/** A setting that cannot be used; `setting` is the environment variable's name. */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`invalid setting ${setting}: ${message}`);
    this.name = 'SettingsError';
  }
}

/** Environment variable -> option of `config agent` in /etc/config/sdewan-agent. */
export const SETTING_OPTIONS = {
  HOST: 'host',
  PORT: 'port',
  SDEWAN_HTTP_PORTS: 'http_ports',
  SDEWAN_HTTPS_PORTS: 'https_ports',
  SDEWAN_CONFDIR: 'confdir',
  SDEWAN_SAVEDIR: 'savedir',
  SDEWAN_UCI_BIN: 'uci_bin',
  SDEWAN_INITD: 'initd',
  SDEWAN_AUTH: 'auth',
  SDEWAN_USER: 'user',
  SDEWAN_PASSWORD: 'password',
  SDEWAN_PASSWORD_FILE: 'password_file',
  SDEWAN_SHADOW: 'shadow',
  SDEWAN_SESSION_TTL: 'session_ttl',
  SDEWAN_TLS_CERT: 'tls_cert',
  SDEWAN_TLS_KEY: 'tls_key',
  SDEWAN_TLS_DIR: 'tls_dir',
  SDEWAN_RELOAD_DELAY_MS: 'reload_delay_ms',
  LOG_LEVEL: 'log_level',
  SDEWAN_LOG_TEE: 'log_tee',
  SDEWAN_SWANCTL_DIR: 'swanctl_dir',
  SDEWAN_PLATFORM: 'platform',
  SDEWAN_SWANCTL_CONF: 'swanctl_conf',
  SDEWAN_VICI_URI: 'vici_uri',
  SDEWAN_SWANCTL: 'swanctl_bin',
  SDEWAN_ROLLBACK: 'rollback',
  SDEWAN_WIREGUARD: 'wireguard',
} as const;

export type SettingName = keyof typeof SETTING_OPTIONS;

/** What each setting means, for `sdewan-agent --help` (README's table says more). */
export const SETTING_HELP: Record<SettingName, string> = {
  HOST: 'address to listen on',
  PORT: 'port to listen on (0: any free port)',
  SDEWAN_HTTP_PORTS: 'ports serving plain HTTP, separated by spaces or commas (instead of PORT)',
  SDEWAN_HTTPS_PORTS: 'ports serving HTTPS (needs a certificate), separated by spaces or commas (instead of PORT)',
  SDEWAN_CONFDIR: 'UCI config directory',
  SDEWAN_SAVEDIR: 'UCI save (delta) directory',
  SDEWAN_UCI_BIN: 'a uci program, or "embedded" (default: uci on PATH, else embedded)',
  SDEWAN_INITD: 'directory of the init scripts mwan3, firewall, swanctl (off OpenWRT by default: recording stand-ins)',
  SDEWAN_AUTH: 'password check: static, shadow or ubus',
  SDEWAN_USER: 'the user allowed to log in',
  SDEWAN_PASSWORD: 'password of the static check (default: random, printed once)',
  SDEWAN_PASSWORD_FILE: 'with static: a file whose content is the password',
  SDEWAN_SHADOW: 'shadow file of the shadow check',
  SDEWAN_SESSION_TTL: 'idle seconds after which a session ends',
  SDEWAN_TLS_CERT: 'PEM certificate (chain): serve HTTPS',
  SDEWAN_TLS_KEY: 'PEM private key of the certificate',
  SDEWAN_TLS_DIR: 'a directory with tls.crt and tls.key, instead of the two above',
  SDEWAN_RELOAD_DELAY_MS: 'window in which service reloads after writes are coalesced',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  SDEWAN_LOG_TEE: 'a file that also gets every log line (the container: /proc/1/fd/1)',
  SDEWAN_SWANCTL_DIR: 'where IPsec certificates and keys are written for swanctl',
  SDEWAN_PLATFORM: 'openwrt (/etc/init.d/swanctl) or linux (the agent loads swanctl.conf itself)',
  SDEWAN_SWANCTL_CONF: 'where the linux platform writes swanctl.conf (default: <SDEWAN_SWANCTL_DIR>/swanctl.conf)',
  SDEWAN_VICI_URI: "charon's vici socket (default: unix:///var/run/charon.vici)",
  SDEWAN_SWANCTL: 'the swanctl program',
  SDEWAN_ROLLBACK: '1: a write whose reload fails is put back and answered 500',
  SDEWAN_WIREGUARD: 'linux platform: WireGuard tunnels through auto, kernel, userspace (wireguard-go) or off',
};
export type RawSettings = Partial<Record<SettingName, string>>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LoadOptions {
  /** Base for relative paths and the development defaults (default: process.cwd()). */
  cwd?: string;
  /** Whether this is OpenWRT (default: /etc/openwrt_release exists). */
  openwrt?: boolean;
  /** Settings from the agent's UCI config (see settingsFromAgentConfig); used only on OpenWRT. */
  fileSettings?: RawSettings;
  /** PATH used to look for a `uci` binary (default: env.PATH). */
  searchPath?: string;
}

const OPENWRT_RELEASE = '/etc/openwrt_release';
export const AGENT_CONFIG_FILE = '/etc/config/sdewan-agent';

/** The repository / package root (holds uci-fixtures/), found from this module's location. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** The agent's version: package.json's (the bundle carries it in SDEWAN_AGENT_VERSION). */
export function packageVersion(): string {
  const bundled = process.env.SDEWAN_AGENT_VERSION;
  if (bundled) return bundled;
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function isOpenWrt(): boolean {
  return existsSync(OPENWRT_RELEASE);
}

const intIn = (name: SettingName, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected an integer from ${min} to ${max}`)
    .describe(name);

/** A boolean as UCI writes them. */
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];
const boolean = () =>
  z.enum([...TRUE_WORDS, ...FALSE_WORDS] as [string, ...string[]], { message: 'expected 0 or 1 (or true/false, yes/no, on/off)' }).transform((v) => TRUE_WORDS.includes(v));

/** A list of ports, separated by spaces or commas ("80 8080"); 0 is any free port. */
const portList = () =>
  z
    .string()
    .regex(/^\s*\d+(?:[\s,]+\d+)*\s*$/, 'expected port numbers from 0 to 65535, separated by spaces or commas')
    .transform((v) => v.trim().split(/[\s,]+/).map(Number))
    .refine((ports) => ports.every((p) => p <= 65535), 'expected port numbers from 0 to 65535, separated by spaces or commas')
    .optional();

const schema = z.object({
  HOST: z.string().regex(/^[A-Za-z0-9.:_-]+$/, 'expected an address or host name'),
  PORT: intIn('PORT', 0, 65535),
  SDEWAN_HTTP_PORTS: portList(),
  SDEWAN_HTTPS_PORTS: portList(),
  SDEWAN_CONFDIR: z.string().min(1),
  SDEWAN_SAVEDIR: z.string().min(1),
  SDEWAN_UCI_BIN: z.string().optional(),
  SDEWAN_INITD: z.string().min(1),
  SDEWAN_AUTH: z.enum(['static', 'shadow', 'ubus'], { message: 'expected static, shadow or ubus' }),
  SDEWAN_USER: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a user name ([A-Za-z0-9._-], 1 to 64 characters)'),
  SDEWAN_PASSWORD: z.string().optional(),
  SDEWAN_PASSWORD_FILE: z.string().optional(),
  SDEWAN_SHADOW: z.string().min(1),
  SDEWAN_SESSION_TTL: intIn('SDEWAN_SESSION_TTL', 1, 31_536_000),
  SDEWAN_TLS_CERT: z.string().optional(),
  SDEWAN_TLS_KEY: z.string().optional(),
  SDEWAN_TLS_DIR: z.string().optional(),
  SDEWAN_RELOAD_DELAY_MS: intIn('SDEWAN_RELOAD_DELAY_MS', 0, 600_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }),
  SDEWAN_LOG_TEE: z.string().optional(),
  SDEWAN_SWANCTL_DIR: z.string().min(1),
  SDEWAN_PLATFORM: z.enum(PLATFORMS, { message: `expected ${PLATFORMS.join(' or ')}` }),
  SDEWAN_SWANCTL_CONF: z.string().optional(),
  SDEWAN_VICI_URI: z.string().regex(/^(unix|tcp):\/\/[^\s]+$/, 'expected unix://<socket path> or tcp://<host>:<port>').optional(),
  SDEWAN_SWANCTL: z.string().min(1),
  SDEWAN_ROLLBACK: boolean(),
  SDEWAN_WIREGUARD: z.enum(WIREGUARD_IMPLEMENTATIONS, { message: `expected one of ${WIREGUARD_IMPLEMENTATIONS.join(', ')}` }),
});

/** The built-in value of every setting, on OpenWRT or elsewhere (relative to `cwd`). */
export function settingDefaults(openwrt: boolean, cwd: string): Record<SettingName, string | undefined> {
  return {
    HOST: openwrt ? '0.0.0.0' : '127.0.0.1',
    PORT: '8080',
    SDEWAN_HTTP_PORTS: undefined,
    SDEWAN_HTTPS_PORTS: undefined,
    SDEWAN_CONFDIR: openwrt ? '/etc/config' : path.join(cwd, 'var', 'config'),
    SDEWAN_SAVEDIR: openwrt ? '/tmp/.uci-sdewan' : path.join(cwd, 'var', 'save'),
    SDEWAN_UCI_BIN: undefined,
    SDEWAN_INITD: openwrt ? '/etc/init.d' : path.join(cwd, 'var', 'initd'),
    SDEWAN_AUTH: openwrt ? 'shadow' : 'static',
    SDEWAN_USER: 'root',
    SDEWAN_PASSWORD: undefined,
    SDEWAN_PASSWORD_FILE: undefined,
    SDEWAN_SHADOW: '/etc/shadow',
    SDEWAN_SESSION_TTL: '3600',
    SDEWAN_TLS_CERT: undefined,
    SDEWAN_TLS_KEY: undefined,
    SDEWAN_TLS_DIR: undefined,
    SDEWAN_RELOAD_DELAY_MS: '200',
    LOG_LEVEL: 'info',
    SDEWAN_LOG_TEE: undefined,
    SDEWAN_SWANCTL_DIR: openwrt ? '/etc/swanctl' : path.join(cwd, 'var', 'swanctl'),
    SDEWAN_PLATFORM: openwrt ? 'openwrt' : 'linux',
    SDEWAN_SWANCTL_CONF: undefined, // <SDEWAN_SWANCTL_DIR>/swanctl.conf
    SDEWAN_VICI_URI: undefined, // unix:///var/run/charon.vici, swanctl's own default
    SDEWAN_SWANCTL: 'swanctl',
    SDEWAN_ROLLBACK: '0',
    SDEWAN_WIREGUARD: 'auto',
  };
}

function requireReadableFile(name: SettingName, file: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    throw new SettingsError(name, `cannot read file ${JSON.stringify(file)}`);
  }
}

/**
 * The settings given in the agent's own UCI config: the options of its `config agent`
 * section (the one named `main`, else the first).
 */
export function settingsFromAgentConfig(pkg: UciPackage): RawSettings {
  const agents = pkg.sections.filter((sec) => sec.type === 'agent');
  const section = agents.find((sec) => sec.name === 'main') ?? agents[0];
  const out: RawSettings = {};
  if (!section) return out;
  for (const [env, opt] of Object.entries(SETTING_OPTIONS) as [SettingName, string][]) {
    const v = section.options.get(opt);
    if (typeof v === 'string') out[env] = v;
  }
  return out;
}

/**
 * The uci program of an SDEWAN_UCI_BIN value: undefined for "embedded" (the built-in engine),
 * a path as given (relative to `cwd`), else a name looked up on `searchPath`; unset means `uci`
 * on the path, or the built-in engine when there is none.
 */
export function resolveUciBin(setting: string | undefined, searchPath: string | undefined, cwd: string): string | undefined {
  if (setting === undefined) return findExecutable('uci', searchPath);
  if (setting === 'embedded') return undefined;
  if (setting.includes('/')) {
    const file = path.resolve(cwd, setting);
    try {
      accessSync(file, constants.X_OK);
    } catch {
      throw new SettingsError('SDEWAN_UCI_BIN', `${JSON.stringify(setting)} is not an executable file (use "embedded" for the built-in engine)`);
    }
    return file;
  }
  const found = findExecutable(setting, searchPath);
  if (!found) throw new SettingsError('SDEWAN_UCI_BIN', `${JSON.stringify(setting)} not found on PATH`);
  return found;
}

/**
 * The sockets to listen on. PORT alone: one listener, HTTPS when a certificate is set. With
 * SDEWAN_HTTP_PORTS and/or SDEWAN_HTTPS_PORTS: those ports, each plain or TLS as its list says
 * (PORT then must not be given as well).
 */
function listenersOf(port: number, portGiven: boolean, http: number[] | undefined, https: number[] | undefined, tls: boolean): Listener[] {
  if (http === undefined && https === undefined) return [{ port, tls }];
  const listName = https !== undefined ? 'SDEWAN_HTTPS_PORTS' : 'SDEWAN_HTTP_PORTS';
  if (portGiven) throw new SettingsError('PORT', `give either PORT or ${listName}`);
  if (https !== undefined && !tls) {
    throw new SettingsError('SDEWAN_HTTPS_PORTS', 'needs a certificate (SDEWAN_TLS_CERT and SDEWAN_TLS_KEY, or SDEWAN_TLS_DIR)');
  }
  const listeners = [...(https ?? []).map((p) => ({ port: p, tls: true })), ...(http ?? []).map((p) => ({ port: p, tls: false }))];
  const seen = new Set<number>();
  for (const l of listeners) {
    if (l.port !== 0 && seen.has(l.port)) {
      throw new SettingsError(https?.includes(l.port) && http?.includes(l.port) ? 'SDEWAN_HTTP_PORTS' : listName, `port ${l.port} is given twice`);
    }
    seen.add(l.port);
  }
  return listeners;
}

/**
 * Loads and validates the settings. An environment variable that is set wins over the file,
 * even when empty (the init script clears a file setting that way); an empty value means the
 * built-in default.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}): Settings {
  const cwd = opts.cwd ?? process.cwd();
  const openwrt = opts.openwrt ?? isOpenWrt();
  const fromFile: RawSettings = openwrt ? (opts.fileSettings ?? {}) : {};
  const dflt = settingDefaults(openwrt, cwd);
  const raw: Record<string, string | undefined> = {};
  const given = new Set<SettingName>();
  for (const name of Object.keys(SETTING_OPTIONS) as SettingName[]) {
    const v = env[name] !== undefined ? env[name] : fromFile[name];
    if (v !== undefined && v !== '') given.add(name);
    raw[name] = given.has(name) ? v : dflt[name];
  }

  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'settings');
    const shown = name === 'SDEWAN_PASSWORD' ? '' : ` (got ${JSON.stringify(raw[name])})`;
    throw new SettingsError(name, issue.message + shown);
  }
  const s = parsed.data;
  const abs = (p: string) => path.resolve(cwd, p);

  const uciBin = resolveUciBin(s.SDEWAN_UCI_BIN, opts.searchPath ?? env.PATH, cwd);

  let tlsCert = s.SDEWAN_TLS_CERT ? abs(s.SDEWAN_TLS_CERT) : undefined;
  let tlsKey = s.SDEWAN_TLS_KEY ? abs(s.SDEWAN_TLS_KEY) : undefined;
  if (s.SDEWAN_TLS_DIR) {
    // A mounted kubernetes.io/tls secret: tls.crt and tls.key.
    if (tlsCert || tlsKey) throw new SettingsError('SDEWAN_TLS_DIR', 'give either SDEWAN_TLS_DIR or SDEWAN_TLS_CERT and SDEWAN_TLS_KEY');
    ({ cert: tlsCert, key: tlsKey } = tlsFilesIn(abs(s.SDEWAN_TLS_DIR)));
  }
  if (tlsCert && !tlsKey) throw new SettingsError('SDEWAN_TLS_KEY', 'required when SDEWAN_TLS_CERT is set');
  if (tlsKey && !tlsCert) throw new SettingsError('SDEWAN_TLS_CERT', 'required when SDEWAN_TLS_KEY is set');
  if (tlsCert) requireReadableFile(s.SDEWAN_TLS_DIR ? 'SDEWAN_TLS_DIR' : 'SDEWAN_TLS_CERT', tlsCert);
  if (tlsKey) requireReadableFile(s.SDEWAN_TLS_DIR ? 'SDEWAN_TLS_DIR' : 'SDEWAN_TLS_KEY', tlsKey);
  if (tlsCert && tlsKey) {
    // A pair that does not load stops the start here, with the setting and the file named.
    const problem = tlsPairProblem(readFileSync(tlsCert), readFileSync(tlsKey));
    if (problem) {
      const file = problem.part === 'cert' ? tlsCert : tlsKey;
      const name = s.SDEWAN_TLS_DIR ? 'SDEWAN_TLS_DIR' : problem.part === 'cert' ? 'SDEWAN_TLS_CERT' : 'SDEWAN_TLS_KEY';
      throw new SettingsError(name, `${JSON.stringify(file)} ${problem.reason}`);
    }
  }

  const listeners = listenersOf(s.PORT, given.has('PORT'), s.SDEWAN_HTTP_PORTS, s.SDEWAN_HTTPS_PORTS, tlsCert !== undefined);

  const shadowFile = abs(s.SDEWAN_SHADOW);
  if (s.SDEWAN_AUTH === 'shadow') requireReadableFile('SDEWAN_SHADOW', shadowFile);

  const passwordFile = s.SDEWAN_PASSWORD_FILE ? abs(s.SDEWAN_PASSWORD_FILE) : undefined;
  if (passwordFile !== undefined) {
    if (s.SDEWAN_AUTH !== 'static') throw new SettingsError('SDEWAN_PASSWORD_FILE', 'used only with SDEWAN_AUTH=static');
    if (s.SDEWAN_PASSWORD) throw new SettingsError('SDEWAN_PASSWORD_FILE', 'give either SDEWAN_PASSWORD or SDEWAN_PASSWORD_FILE');
    const problem = passwordFileProblem(passwordFile);
    if (problem) throw new SettingsError('SDEWAN_PASSWORD_FILE', problem);
  }

  const confdir = abs(s.SDEWAN_CONFDIR);
  const seedConfdir = !openwrt && raw.SDEWAN_CONFDIR === dflt.SDEWAN_CONFDIR;
  const seedInitd = !openwrt && raw.SDEWAN_INITD === dflt.SDEWAN_INITD;
  if (!seedConfdir) {
    try {
      if (!statSync(confdir).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new SettingsError('SDEWAN_CONFDIR', `${JSON.stringify(confdir)} is not a directory`);
    }
  }

  return {
    host: s.HOST,
    port: listeners[0]!.port,
    listeners,
    confdir,
    savedir: abs(s.SDEWAN_SAVEDIR),
    uciBin,
    initd: abs(s.SDEWAN_INITD),
    auth: s.SDEWAN_AUTH,
    user: s.SDEWAN_USER,
    password: s.SDEWAN_PASSWORD || undefined,
    ...(passwordFile !== undefined ? { passwordFile } : {}),
    shadowFile,
    sessionTtlSec: s.SDEWAN_SESSION_TTL,
    tlsCert,
    tlsKey,
    reloadDelayMs: s.SDEWAN_RELOAD_DELAY_MS,
    logLevel: s.LOG_LEVEL,
    logTee: s.SDEWAN_LOG_TEE ? abs(s.SDEWAN_LOG_TEE) : undefined,
    ipsecDir: abs(s.SDEWAN_SWANCTL_DIR),
    platform: s.SDEWAN_PLATFORM,
    swanctlConf: abs(s.SDEWAN_SWANCTL_CONF ?? path.join(s.SDEWAN_SWANCTL_DIR, 'swanctl.conf')),
    viciUri: s.SDEWAN_VICI_URI,
    swanctlBin: s.SDEWAN_SWANCTL.includes('/') ? abs(s.SDEWAN_SWANCTL) : s.SDEWAN_SWANCTL,
    rollback: s.SDEWAN_ROLLBACK,
    wireguard: s.SDEWAN_WIREGUARD,
    seedConfdir,
    seedInitd,
  };
}
