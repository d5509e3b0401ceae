// TLS from a mounted kubernetes.io/tls secret: SDEWAN_TLS_DIR names a directory holding
// tls.crt and tls.key (as cert-manager writes it). The files are polled (stat, every few
// seconds); when they change and the new pair loads, the HTTPS server gets it through
// setSecureContext: new connections use the new certificate, open ones carry on. A pair that
// does not load (half-written, mismatched) is logged and the current one stays.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import type { Logger } from 'pino';

const identity = (s: { dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }) =>
  `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

export const TLS_CERT_FILE = 'tls.crt';
export const TLS_KEY_FILE = 'tls.key';

/** The certificate and key of a kubernetes.io/tls secret mounted at `dir`. */
export function tlsFilesIn(dir: string): { cert: string; key: string } {
  return { cert: path.join(dir, TLS_CERT_FILE), key: path.join(dir, TLS_KEY_FILE) };
}

export interface TlsWatchOptions {
  /** The HTTPS server (fastify's app.server when https is on). */
  server: Pick<tls.Server, 'setSecureContext'>;
  cert: string;
  key: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Poll interval (default 5000 ms); 0 turns polling off (call check() yourself). */
  intervalMs?: number;
}

export interface TlsWatch {
  /** Looks at the files now; true when a new certificate was installed. */
  check(): Promise<boolean>;
  stop(): void;
}

async function filesId(cert: string, key: string): Promise<string | undefined> {
  try {
    const [c, k] = await Promise.all([stat(cert), stat(key)]);
    return `${identity(c)}|${identity(k)}`;
  } catch {
    return undefined;
  }
}

function filesIdSync(cert: string, key: string): string | undefined {
  try {
    return `${identity(statSync(cert))}|${identity(statSync(key))}`;
  } catch {
    return undefined;
  }
}

/** Why a certificate and key do not make a TLS server (which of the two, and the reason), or undefined. */
export function tlsPairProblem(cert: Buffer, key: Buffer): { part: 'cert' | 'key'; reason: string } | undefined {
  const why = (err: unknown) => (err as Error).message;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    return { part: 'cert', reason: `is not a PEM certificate (${why(err)})` };
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    return { part: 'key', reason: `is not an unencrypted PEM private key (${why(err)})` };
  }
  if (!x509.checkPrivateKey(privateKey)) return { part: 'key', reason: 'is not the key of the certificate' };
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    return { part: 'key', reason: `does not load with the certificate (${why(err)})` };
  }
  return undefined;
}

/** Reloads the server's certificate when the files change (compared with the files at the call). */
export function watchTlsFiles(opts: TlsWatchOptions): TlsWatch {
  const { server, cert, key, log } = opts;
  let current = filesIdSync(cert, key);
  let busy: Promise<boolean> | undefined;

  const look = async (): Promise<boolean> => {
    const id = await filesId(cert, key);
    if (id === undefined || id === current) return false;
    let pair: { cert: Buffer; key: Buffer };
    try {
      pair = { cert: await readFile(cert), key: await readFile(key) };
      tls.createSecureContext(pair);
    } catch (err) {
      // Remember this state so that a broken pair is reported once, not at every poll.
      current = id;
      log.warn({ cert, reason: (err as Error).message }, 'TLS certificate or key changed but does not load; keeping the current one');
      return false;
    }
    server.setSecureContext(pair);
    current = id;
    log.info({ cert }, 'TLS certificate reloaded');
    return true;
  };

  const check = (): Promise<boolean> => {
    busy ??= look().finally(() => (busy = undefined));
    return busy;
  };

  const interval = opts.intervalMs ?? 5000;
  const timer = interval > 0 ? setInterval(() => void check(), interval) : undefined;
  timer?.unref();
  return { check, stop: () => timer && clearInterval(timer) };
}
