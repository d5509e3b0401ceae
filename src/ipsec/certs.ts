import * as z from 'zod';
import type { OwnedFile } from '../resources/types.js';

/**
 * The certificate fields of a remote (pubkey authentication) and where they go.
 *
 * The API carries each as base64-encoded PEM. The agent writes the PEM into the directory of
 * the swanctl tree that strongSwan loads it from, under the file name `<remote section>.pem`,
 * and the remote section names the file (not a path) in the option swanctl.init reads:
 * `local_cert` (x509/), `local_key` (private/, mode 0600), `ca_cert` (x509ca/).
 * Reading back encodes the file's bytes again; since only canonical base64 is accepted, that
 * gives the string as sent.
 */
export const CERT_FIELDS = [
  { api: 'local_public_cert', option: 'local_cert', dir: 'x509', mode: 0o644 },
  { api: 'local_private_cert', option: 'local_key', dir: 'private', mode: 0o600 },
  { api: 'shared_ca', option: 'ca_cert', dir: 'x509ca', mode: 0o644 },
] as const;

export type CertField = (typeof CERT_FIELDS)[number]['api'];
export type CertValues = Partial<Record<CertField, string>>;

/** The file name of a remote's certificates (one per directory). */
export const certFileName = (remoteSection: string) => `${remoteSection}.pem`;

/** A plain file name of the swanctl tree (what the options hold): no directories. */
export const isPlainFileName = (v: string) => /^[A-Za-z0-9_.-]+$/.test(v) && v !== '.' && v !== '..';

/** The PEM text inside a canonical base64 string, or undefined when it is not one. */
export function decodePem(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) return undefined;
  const pem = bytes.toString('latin1');
  if (!/^[\t\n\r\x20-\x7e]*$/.test(pem)) return undefined;
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(pem) || !/-----END [A-Z0-9 ]+-----/.test(pem)) return undefined;
  return pem;
}

/** A zod field holding base64-encoded PEM (canonical: padded, no line breaks). */
export const pemBase64 = (what: string) =>
  z
    .string({ error: 'should be a string' })
    .refine((v) => decodePem(v) !== undefined, { error: `should be a base64-encoded PEM ${what} (standard alphabet, padded, without line breaks)` });

/** The files a remote's certificate fields become. */
export function certFiles(remoteSection: string, values: CertValues): OwnedFile[] {
  const files: OwnedFile[] = [];
  for (const f of CERT_FIELDS) {
    const value = values[f.api];
    if (value === undefined) continue;
    const pem = decodePem(value);
    if (pem === undefined) continue;
    files.push({ path: `${f.dir}/${certFileName(remoteSection)}`, content: pem, mode: f.mode });
  }
  return files;
}

/** Path of the file an option names, relative to the swanctl tree, or undefined when not plain. */
export function certPath(field: (typeof CERT_FIELDS)[number], fileName: string | undefined): string | undefined {
  return fileName !== undefined && isPlainFileName(fileName) ? `${field.dir}/${fileName}` : undefined;
}
