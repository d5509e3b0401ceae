// The agent's own settings: environment variables, and on OpenWRT its UCI config
// /etc/config/sdewan-agent (the environment wins). Validated with zod; a bad value stops the
// start with a SettingsError that names the setting. The settings themselves are one table
// (src/settings-table.ts).
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { passwordFileProblem } from './auth/password-file.js';
import { tlsFilesIn, tlsPairProblem } from './tls-files.js';
import { type Platform, type RawSettings, type SettingName, SETTING_OPTIONS, settingDefaults, settingsSchema, type WireguardImplementation } from './settings-table.js';
import { findExecutable } from './uci/runner.js';
import type { UciPackage } from './uci/types.js';

/** One socket the agent listens on: plain HTTP, or HTTPS with the configured certificate. */
export interface Listener {
  port: number;
  tls: boolean;
}

export { LOG_LEVELS, PLATFORMS, SETTING_HELP, SETTING_OPTIONS, settingDefaults, type Platform, type RawSettings, type SettingName } from './settings-table.js';

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
  /** Least time between the starts of two automatic reloads of one service. */
  reloadIntervalMs: number;
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
  /** How long an init script may run. */
  serviceTimeoutMs: number;
  /** Programs and files the status reads (ubus, ip, conntrack, the conntrack table), and their time limit. */
  status: { ubusBin: string; ipBin: string; wgBin: string; conntrackBin: string; conntrackFile: string; timeoutMs: number };
  /** A bearer token that reads GET /metrics without a session; undefined: a session only. */
  metricsToken?: string;
  /** How often mwan3 and IPsec status are read for the event stream while it has subscribers. */
  eventsPollMs: number;
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

export { WIREGUARD_IMPLEMENTATIONS, type WireguardImplementation } from './settings-table.js';
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

export function isOpenWrt(): boolean {
  return existsSync(OPENWRT_RELEASE);
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

  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'settings');
    const shown = name === 'SDEWAN_PASSWORD' || name === 'SDEWAN_METRICS_TOKEN' ? '' : ` (got ${JSON.stringify(raw[name])})`;
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
    reloadIntervalMs: s.SDEWAN_RELOAD_INTERVAL_MS,
    logLevel: s.LOG_LEVEL,
    logTee: s.SDEWAN_LOG_TEE ? abs(s.SDEWAN_LOG_TEE) : undefined,
    ipsecDir: abs(s.SDEWAN_SWANCTL_DIR),
    platform: s.SDEWAN_PLATFORM,
    swanctlConf: abs(s.SDEWAN_SWANCTL_CONF ?? path.join(s.SDEWAN_SWANCTL_DIR, 'swanctl.conf')),
    viciUri: s.SDEWAN_VICI_URI,
    swanctlBin: s.SDEWAN_SWANCTL.includes('/') ? abs(s.SDEWAN_SWANCTL) : s.SDEWAN_SWANCTL,
    rollback: s.SDEWAN_ROLLBACK,
    serviceTimeoutMs: s.SDEWAN_SERVICE_TIMEOUT_MS,
    status: {
      ubusBin: s.SDEWAN_UBUS,
      ipBin: s.SDEWAN_IP,
      wgBin: s.SDEWAN_WG,
      conntrackBin: s.SDEWAN_CONNTRACK,
      conntrackFile: abs(s.SDEWAN_NF_CONNTRACK),
      timeoutMs: s.SDEWAN_STATUS_TIMEOUT_MS,
    },
    ...(s.SDEWAN_METRICS_TOKEN !== undefined ? { metricsToken: s.SDEWAN_METRICS_TOKEN } : {}),
    eventsPollMs: s.SDEWAN_EVENTS_POLL_MS,
    wireguard: s.SDEWAN_WIREGUARD,
    seedConfdir,
    seedInitd,
  };
}
