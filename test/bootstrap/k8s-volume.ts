// Test helpers: a secret volume laid out as kubelet does, and throw-away certificates.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

let generation = 0;

/**
 * Writes (or updates) a secret volume at `volume` with `data`, the way kubelet does:
 * <volume>/..<timestamp>/<key> holds the data, <volume>/..data links to the current
 * timestamp directory, <volume>/<key> links to ..data/<key>; an update writes a new
 * timestamp directory and renames a new ..data link over the old one.
 */
export function writeSecretVolume(volume: string, data: Record<string, string | Buffer>): void {
  mkdirSync(volume, { recursive: true });
  const stamp = `..gen_${process.pid}_${++generation}`;
  mkdirSync(path.join(volume, stamp));
  for (const [key, value] of Object.entries(data)) writeFileSync(path.join(volume, stamp, key), value, { mode: 0o644 });
  symlinkSync(stamp, path.join(volume, '..data_tmp'));
  renameSync(path.join(volume, '..data_tmp'), path.join(volume, '..data'));
  for (const key of Object.keys(data)) {
    try {
      symlinkSync(path.join('..data', key), path.join(volume, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** A self-signed EC certificate for 127.0.0.1 with the common name `cn`. */
export function makeCert(tmp: string, cn: string): { cert: Buffer; key: Buffer } {
  const out = mkdtempSync(path.join(tmp, 'cert-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(out, 'k'), '-out', path.join(out, 'c')],
    { stdio: 'ignore' },
  );
  const pair = { cert: readFileSync(path.join(out, 'c')), key: readFileSync(path.join(out, 'k')) };
  rmSync(out, { recursive: true, force: true });
  return pair;
}

/** The common name of the certificate served at 127.0.0.1:port. */
export function servedCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(Array.isArray(cn) ? cn.join(',') : String(cn));
    });
    socket.on('error', reject);
  });
}
