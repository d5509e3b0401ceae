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
 *
 * `shared_ca` may be a chain, as ICN's central controller (scc) sends it: the base64 of each
 * CA certificate's PEM (root first, then the overlay's CA), joined with `___`. strongSwan
 * takes one certificate per file in x509ca/ and trusts every file there, so each certificate
 * gets its own file: the first `<remote>.pem` (the one `ca_cert` names), the next ones
 * `<remote>_ca1.pem`, `<remote>_ca2.pem`, ..., listed in the remote's `api_ca_chain`. Reading
 * back joins the files' encodings with `___` again.
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

/** How scc joins the certificates of a chain (central-controller GetCertChain). */
export const CHAIN_SEPARATOR = '___';
/** The remote option listing the x509ca/ files of a shared_ca chain after the first. */
export const CHAIN_OPTION = 'api_ca_chain';
/** The file of the `index`-th (from 1) further certificate of a remote's shared_ca chain. */
export const chainFileName = (remoteSection: string, index: number) => `${remoteSection}_ca${index}.pem`;
export const splitChain = (value: string): string[] => value.split(CHAIN_SEPARATOR);

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

const PEM_HINT = '(standard alphabet, padded, without line breaks)';

/** The form of a value for the document: the base64 of a PEM block (its body shortened). */
export const pemBase64Example = (label: string) => Buffer.from(`-----BEGIN ${label}-----\nMIIBszCCAVmgAwIBAgIU...\n-----END ${label}-----\n`).toString('base64');

/** A zod field holding base64-encoded PEM (canonical: padded, no line breaks). */
export const pemBase64 = (what: string) =>
  z.string({ error: 'should be a string' }).refine((v) => decodePem(v) !== undefined, { error: `should be a base64-encoded PEM ${what} ${PEM_HINT}` });

/** A zod field holding one base64-encoded PEM certificate, or several joined with `___`. */
export const pemChainBase64 = (what: string) =>
  z.string({ error: 'should be a string' }).superRefine((v, ctx) => {
    const parts = splitChain(v);
    const bad = parts.findIndex((part) => decodePem(part) === undefined);
    if (bad === -1) return;
    const which = parts.length > 1 ? `part ${bad + 1} of ${parts.length} (joined with ${CHAIN_SEPARATOR}) ` : '';
    ctx.addIssue({ code: 'custom', message: `${which}should be a base64-encoded PEM ${what} ${PEM_HINT}` });
  });

/** The files a remote's certificate fields become (a shared_ca chain: one file per certificate). */
export function certFiles(remoteSection: string, values: CertValues): OwnedFile[] {
  const files: OwnedFile[] = [];
  for (const f of CERT_FIELDS) {
    const value = values[f.api];
    if (value === undefined) continue;
    const parts = f.api === 'shared_ca' ? splitChain(value) : [value];
    parts.forEach((part, i) => {
      const pem = decodePem(part);
      if (pem === undefined) return;
      const name = i === 0 ? certFileName(remoteSection) : chainFileName(remoteSection, i);
      files.push({ path: `${f.dir}/${name}`, content: pem, mode: f.mode });
    });
  }
  return files;
}

/** The x509ca/ file names of a shared_ca chain after its first certificate. */
export function chainFileNames(remoteSection: string, sharedCa: string | undefined): string[] {
  if (sharedCa === undefined) return [];
  return splitChain(sharedCa)
    .slice(1)
    .map((_, i) => chainFileName(remoteSection, i + 1));
}

/** Path of the file an option names, relative to the swanctl tree, or undefined when not plain. */
export function certPath(field: (typeof CERT_FIELDS)[number], fileName: string | undefined): string | undefined {
  return fileName !== undefined && isPlainFileName(fileName) ? `${field.dir}/${fileName}` : undefined;
}
