// Tests that need something the machine may lack (root, chromium, strongSwan): outside CI they
// are skipped, saying what is missing; under CI=true they always run (and fail on what is
// missing), so that CI never passes by skipping.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export const isRoot = process.getuid?.() === 0;
export const inCi = process.env.CI === 'true';

/** Whether `program` is an executable file on PATH (or the absolute path given). */
export function hasProgram(program: string): boolean {
  const candidates = path.isAbsolute(program) ? [program] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Whether a test that needs each of `requirements` runs: `{ 'root (mount)': isRoot }`. Outside
 * CI a missing one skips the test with a note on stderr naming it; under CI=true it runs.
 */
export function runsWith(
  test: string,
  requirements: Record<string, boolean>,
  opts: { ci?: boolean; note?: (line: string) => void } = {},
): boolean {
  const missing = Object.entries(requirements).filter(([, ok]) => !ok).map(([what]) => what);
  if (missing.length === 0 || (opts.ci ?? inCi)) return true;
  (opts.note ?? ((line) => process.stderr.write(line)))(`skipped: ${test}: needs ${missing.join(', ')} (CI=true runs it)\n`);
  return false;
}
