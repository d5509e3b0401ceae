// The process entry: settings, UCI store, reloader, server; prints the URL it listens on and
// shuts down gracefully on SIGTERM/SIGINT (no new connections, in-flight requests finish).
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  AGENT_CONFIG_FILE,
  isOpenWrt,
  loadSettings,
  packageRoot,
  settingsFromAgentConfig,
  SettingsError,
  type RawSettings,
  type Settings,
} from './config.js';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import type { ActionResult, ServiceReloader } from './services/reloader.js';
import type { UciStore } from './uci/types.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

function fail(message: string): never {
  process.stderr.write(`sdewan-agent: ${message}\n`);
  process.exit(2);
}

/**
 * Development defaults, created on first start only: ./var/config from uci-fixtures, and
 * ./var/initd with init scripts that record what they are asked (src/services/recording-initd.ts).
 */
async function prepareDirs(settings: Settings, logger: Logger): Promise<void> {
  if (settings.seedConfdir && !existsSync(settings.confdir)) {
    cpSync(path.join(packageRoot(), 'uci-fixtures'), settings.confdir, { recursive: true });
  }
  mkdirSync(settings.savedir, { recursive: true });
  if (settings.seedInitd && !existsSync(settings.initd)) {
    const { writeRecordingInitd } = await import('./services/recording-initd.js');
    const scripts = writeRecordingInitd(settings.initd);
    logger.info({ initd: settings.initd, scripts }, 'no SDEWAN_INITD: service actions are recorded, not run');
  }
}

async function createStore(settings: Settings, log: Logger): Promise<UciStore> {
  const uci = await import('./uci/index.js');
  // settings.uciBin is already resolved (PATH looked up): undefined means the embedded engine
  const runner = uci.createRunner(settings.uciBin ?? 'embedded');
  return uci.createUciStore({ confdir: settings.confdir, savedir: settings.savedir, runner, log });
}

async function createReloader(settings: Settings, log: Logger, store: UciStore, onResult: (r: ActionResult) => void): Promise<ServiceReloader> {
  const { createReloader: create } = await import('./services/reloader.js');
  // On plain Linux the agent renders and loads swanctl.conf itself (no /etc/init.d/swanctl).
  const { ipsecRunnerFor } = await import('./ipsec/platform.js');
  const ipsec = ipsecRunnerFor(settings, store, log);
  // ... and applies the WireGuard tunnels of the network config after the network script.
  const { networkRunnerFor } = await import('./wireguard/platform.js');
  const network = networkRunnerFor(settings, store, log);
  const runners = { ...(ipsec ? { ipsec } : {}), ...(network ? { network } : {}) };
  return create({ initd: settings.initd, delayMs: settings.reloadDelayMs, minIntervalMs: settings.reloadIntervalMs, timeoutMs: settings.serviceTimeoutMs, log, onResult, runners });
}

/** The owned files an interrupted write left behind (src/changes/orphan-files.ts). */
async function removeOrphans(settings: Settings, store: UciStore, log: Logger): Promise<void> {
  const [{ removeOrphanFiles }, { RESOURCES }] = await Promise.all([import('./changes/orphan-files.js'), import('./resources/index.js')]);
  try {
    await removeOrphanFiles({ store, settings, resources: RESOURCES, log });
  } catch (err) {
    log.error({ err }, 'checking for unreferenced owned files failed');
  }
}

function listenUrl(address: AddressInfo | string | null, tls: boolean): string {
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' || address.family === (6 as unknown as string) ? `[${address.address}]` : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}

/** On OpenWRT, the settings in /etc/config/sdewan-agent (read with the project's UCI parser). */
async function readAgentConfig(): Promise<RawSettings | undefined> {
  if (!isOpenWrt() || !existsSync(AGENT_CONFIG_FILE)) return undefined;
  const { parseUci } = await import('./uci/index.js');
  try {
    return settingsFromAgentConfig(parseUci(readFileSync(AGENT_CONFIG_FILE), { name: 'sdewan-agent', file: AGENT_CONFIG_FILE }));
  } catch (err) {
    fail(`cannot read ${AGENT_CONFIG_FILE}: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings(process.env, { fileSettings: await readAgentConfig() });
  } catch (err) {
    if (err instanceof SettingsError) fail(err.message);
    throw err;
  }
  const logger = await createLogger({ level: settings.logLevel, ...(settings.logTee ? { tee: settings.logTee } : {}) });

  if (settings.auth === 'static' && settings.password === undefined && settings.passwordFile === undefined) {
    settings.password = randomBytes(12).toString('base64url');
    // Printed once, here (a message, so the redaction of `password` keys does not hide it).
    const note = `no SDEWAN_PASSWORD set: generated password for user ${settings.user}: ${settings.password}`;
    if (logger.isLevelEnabled('warn')) logger.warn(note);
    else process.stderr.write(`sdewan-agent: ${note}\n`);
  }
  if (settings.auth === 'shadow') {
    const { shadowPasswordEmpty } = await import('./auth/verifiers.js');
    if (await shadowPasswordEmpty(settings.shadowFile, settings.user)) {
      logger.warn(`user ${settings.user} has no password in ${settings.shadowFile}: the API accepts a login with an empty password until one is set (passwd ${settings.user})`);
    }
  }
  try {
    await prepareDirs(settings, logger);
  } catch (err) {
    fail(`cannot prepare ${settings.confdir} / ${settings.savedir} / ${settings.initd}: ${(err as Error).message}`);
  }

  const store = await createStore(settings, logger);
  await removeOrphans(settings, store, logger);
  const { createObservers } = await import('./observers.js');
  const observers = createObservers(settings, store);
  const reloader = await createReloader(settings, logger, store, observers.onServiceResult);
  const { buildServer } = await import('./server.js');
  const { app, listen } = await buildServer(settings, { logger, store, reloader, observers });

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app
      .close()
      .then(() => reloader.close())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  let urls: string[];
  try {
    urls = (await listen()).map(({ listener, address }) => listenUrl(address, listener.tls));
  } catch (err) {
    const ports = settings.listeners.map((l) => l.port).join(' ');
    fail(`cannot listen on ${settings.host} port ${ports} (HOST, PORT, SDEWAN_HTTP_PORTS, SDEWAN_HTTPS_PORTS): ${(err as Error).message}`);
  }
  // url: the first listener (HTTPS first when there are both); urls: every one.
  logger.info({ url: urls[0], urls, confdir: settings.confdir, uci: settings.uciBin ?? 'embedded', auth: settings.auth }, 'listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`sdewan-agent: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
