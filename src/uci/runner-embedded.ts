/** BatchRunner on the embedded engine: same text in, same results out as the uci binary. */
import { fromBytes, toBytes } from './bytes.js';
import { runBatchBytes } from './engine.js';
import type { BatchResult, BatchRunner } from './types.js';

export class EmbeddedRunner implements BatchRunner {
  readonly kind = 'embedded' as const;

  async run(batch: string, opts: { confdir: string; savedir: string }): Promise<BatchResult> {
    const r = runBatchBytes(toBytes(batch), { confdir: opts.confdir, savedir: opts.savedir });
    return { exit: r.exit, stdout: fromBytes(r.stdout), stderr: fromBytes(r.stderr) };
  }
}
