// Applies a definition's batch to a config text through the embedded uci engine (the one the
// agent runs by default), in a temporary directory: what `uci batch` + commit would write.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedRunner, createUciStore, parseUci } from '../../src/uci/index.js';
import type { BatchOp, UciPackage } from '../../src/uci/types.js';

/** The file text after `ops` were applied to `text` and committed. */
export async function applyOps(pkg: string, text: string, ops: BatchOp[]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-apply-'));
  try {
    const confdir = path.join(dir, 'config');
    mkdirSync(confdir);
    writeFileSync(path.join(confdir, pkg), text);
    const store = createUciStore({ confdir, savedir: path.join(dir, 'save'), runner: new EmbeddedRunner() });
    await store.update(pkg, async () => ops);
    return readFileSync(path.join(confdir, pkg), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const parsed = (pkg: string, text: string): UciPackage => parseUci(text, pkg);
