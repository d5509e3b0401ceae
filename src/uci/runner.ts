/** Which BatchRunner to use: a configured binary, else `uci` on PATH, else the embedded engine. */
import { accessSync, constants, statSync } from 'node:fs';
import * as path from 'node:path';
import { BinaryRunner } from './runner-binary.js';
import { EmbeddedRunner } from './runner-embedded.js';
import type { BatchRunner } from './types.js';

export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      if (statSync(full).isFile()) return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `uciBin`: path of a uci program; `'embedded'` forces the embedded engine; undefined looks
 * for `uci` on PATH and falls back to the embedded engine.
 */
export function createRunner(uciBin?: string | null, opts: { searchPath?: string } = {}): BatchRunner {
  if (uciBin === 'embedded' || uciBin === null) return new EmbeddedRunner();
  if (uciBin) return new BinaryRunner(uciBin);
  const found = findExecutable('uci', opts.searchPath);
  return found ? new BinaryRunner(found) : new EmbeddedRunner();
}
