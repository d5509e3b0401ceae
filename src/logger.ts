// pino logger: JSON lines on stdout; readable (pino-pretty) when stdout is a terminal.
import { pino, type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import { boundString, safeForLog } from './log-values.js';
import { openTee } from './log-tee.js';

/** Keys whose values never reach the log, at the top level and in the objects below. */
const SECRET_KEYS = [
  'password',
  'luci_password',
  'pre_shared_key',
  'token',
  'sysauth',
  'sysauth_http',
  'sysauth_https',
  'cookie',
  'authorization',
  'set-cookie',
  'private_key',
  'preshared_key',
  'local_private_cert',
  'key',
];

/** The objects that may carry them: a request body, a request's headers, an IPsec remote, a WireGuard tunnel or peer. */
const CONTAINERS = ['body', 'req.headers', 'headers', 'remote', 'tunnel', 'peer', 'settings', 'err'];

/** Lists of objects that carry them (a tunnel's peers): one wildcard over that list only. */
const LISTS = ['body.peers', 'tunnel.peers', 'peers'];

/**
 * Exact paths only: pino compiles them into plain property accesses, where a wildcard path
 * would walk every key of every logged object on every line (a sixth of a busy agent's time).
 */
export const REDACT_PATHS = [
  ...SECRET_KEYS.map((k) => `["${k}"]`),
  ...CONTAINERS.flatMap((c) => SECRET_KEYS.map((k) => `${c}["${k}"]`)),
  ...LISTS.map((l) => `${l}[*].preshared_key`),
];

/**
 * Every call of a log method: the message bounded, printf-style arguments dropped (they would
 * put values into the message), and an error logged without a message of its own gets a
 * generic one (pino would take the error's message, which may quote a request value).
 */
function safeLogCall(this: Logger, args: unknown[], method: (...a: unknown[]) => void): void {
  const [first, second] = args;
  if (typeof first === 'string') return method.apply(this, [boundString(first)]);
  if (typeof second === 'string') return method.apply(this, [first, boundString(second)]);
  const isError = first instanceof Error || (first !== null && typeof first === 'object' && 'err' in first);
  return method.apply(this, isError ? [first, 'error'] : [first]);
}

export interface LoggerOptions {
  level: string;
  /** Human-readable output (default: when stdout is a TTY and NODE_ENV is not production). */
  pretty?: boolean;
  /** Where JSON lines go (default stdout). */
  destination?: DestinationStream;
  /** A file that gets a copy of every JSON line (src/log-tee.ts). */
  tee?: string;
}

export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  const base: PinoOptions = {
    level: opts.level,
    base: { name: 'sdewan-agent' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // every logged object: errors without their messages, strings and sizes bounded (src/log-values.ts)
    formatters: { log: (obj) => safeForLog(obj) as Record<string, unknown> },
    hooks: { logMethod: safeLogCall },
  };
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  if (pretty && process.env.SDEWAN_BUNDLED !== '1') {
    // pino-pretty is a development nicety: absent (the single-file bundle), JSON it is.
    const prettyStream = await import('pino-pretty').then((m) => m.default).catch(() => undefined);
    if (prettyStream) return pino(base, prettyStream({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }));
  }
  if (opts.tee === undefined) return opts.destination ? pino(base, opts.destination) : pino(base);
  const destination = opts.destination ?? pino.destination(1);
  const tee = openTee(opts.tee);
  const streams = [{ stream: destination, level: 'trace' as const }, ...(tee.stream ? [{ stream: tee.stream, level: 'trace' as const }] : [])];
  const logger = pino(base, pino.multistream(streams));
  if (tee.problem) logger.warn({ tee: opts.tee, reason: tee.problem }, 'log copy file cannot be opened: logging to stdout only');
  return logger;
}
