/**
 * Judging what a real uci did with a batch and its commit. `uci batch` exits 0 even when a
 * command fails (it prints the error and carries on), so failure is read from its own
 * messages on stderr and from the exit status; anything else on stderr (a dynamic loader's
 * warning under LD_PRELOAD, say) is noise: logged, not an error. Whether the commit happened
 * is read from the file's identity before and after.
 */
import * as fs from 'node:fs';

/** uci's messages: "<program>: <error text>[ (reason) at line N, byte M]", and cli.c's own lines. */
const UCI_MESSAGE =
  /^(?:\S+: (?:Success|Out of memory|Invalid argument|Entry not found|I\/O error|Parse error|Duplicate entry|Unknown error)\b|Unknown command$|Too many arguments$|Too many input files\.$|Usage: )/;

export interface StderrParts {
  /** uci's own message lines (and the blank lines uci adds after them). */
  uci: string;
  /** Every other non-blank line. */
  noise: string[];
}

export function splitStderr(stderr: string): StderrParts {
  const uci: string[] = [];
  const noise: string[] = [];
  const lines = stderr.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let inUsage = false;
  for (const line of lines) {
    if (line.startsWith('Usage: ')) inUsage = true;
    if (inUsage || UCI_MESSAGE.test(line) || (line === '' && uci.length > 0)) uci.push(line);
    else if (line.trim() !== '') noise.push(line);
  }
  return { uci: uci.length ? `${uci.join('\n')}\n` : '', noise };
}

/**
 * Noise lines fit for a log: a line holding one of the batch's values (of 3 characters or more)
 * is withheld, so that no request value reaches the log.
 */
export function loggableNoise(noise: string[], values: string[]): string[] {
  const long = values.filter((v) => v.length >= 3);
  return noise.map((line) => (long.some((v) => line.includes(v)) ? '[line withheld: it holds a request value]' : line.slice(0, 300)));
}

/** What identifies one version of a file (a commit renames a new file in); 'missing' when absent. */
export function fileIdentity(file: string): string {
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : 'missing';
}
