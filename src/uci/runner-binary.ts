/** BatchRunner on a real uci program: `uci -c confdir -t savedir batch`, the text on stdin. */
import type { BatchResult, BatchRunner } from './types.js';

export class BinaryRunner implements BatchRunner {
  readonly kind = 'binary' as const;

  constructor(
    readonly bin: string,
    private readonly timeoutMs = 60_000,
  ) {}

  async run(batch: string, opts: { confdir: string; savedir: string }): Promise<BatchResult> {
    const { execa } = await import('execa'); // loaded on first use: it weighs on the agent's start-up
    const r = await execa(this.bin, ['-c', opts.confdir, '-t', opts.savedir, 'batch'], {
      input: batch,
      reject: false,
      stripFinalNewline: false,
      timeout: this.timeoutMs,
      env: { LC_ALL: 'C' },
    });
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    const failed = r.exitCode === undefined || r.failed && r.exitCode === 0;
    return {
      exit: r.exitCode ?? 1,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: failed && stderr === '' ? `${r.shortMessage}\n` : stderr,
    };
  }
}
