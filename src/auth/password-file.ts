// The password of the one API user, kept in a file (a Kubernetes secret key mounted as a
// file), with one trailing newline ignored (`echo pw >` and `kubectl create secret
// --from-file` both add one). Logins are checked against the file itself rather than by
// writing a hash into /etc/shadow: the root account of the box stays as the image made it, and
// a rotated secret (kubelet swaps the mounted files atomically) takes effect at the next login,
// without a restart. The file is stat'ed at each login and read again only when it changed.
import { readFileSync, statSync } from 'node:fs';

/** The password in a secret file's content: one trailing "\n" or "\r\n" removed, nothing else. */
export function passwordFromFileContent(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Checks at start that the password file can be read and is not empty; returns the message of the problem. */
export function passwordFileProblem(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `${JSON.stringify(file)} is not a file`;
    if (passwordFromFileContent(readFileSync(file, 'utf8')) === '') return `${JSON.stringify(file)} is empty`;
  } catch (err) {
    return `cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  return undefined;
}
