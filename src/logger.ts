// pino logger: JSON lines on stdout; readable (pino-pretty) when stdout is a terminal.
import { pino, type DestinationStream, type Logger } from 'pino';
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
  'local_private_cert',
  'key',
];

/** The objects that may carry them: a request body, a request's headers, an IPsec remote. */
const CONTAINERS = ['body', 'req.headers', 'headers', 'remote', 'settings', 'err'];

/**
 * Exact paths only: pino compiles them into plain property accesses, where a wildcard path
 * would walk every key of every logged object on every line (a sixth of a busy agent's time).
 */
export const REDACT_PATHS = [
  ...SECRET_KEYS.map((k) => `["${k}"]`),
  ...CONTAINERS.flatMap((c) => SECRET_KEYS.map((k) => `${c}["${k}"]`)),
];

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
  const base = {
    level: opts.level,
    base: { name: 'sdewan-agent' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
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
