import path from 'node:path';

/** What running an init script gave. `message` carries the tail of the script's output. */
export interface RunResult {
  ok: boolean;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  message?: string;
}

export interface RunOptions {
  /** Kill the script (and everything it started in its process group) after this long. */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL when the script ignores SIGTERM. */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_SERVICE_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 2000;
/** After the script exits, how long its output may still take to arrive (a daemon it forked may hold the pipe). */
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * Runs `<initd>/<script> <argument>` with an argument array (no shell). The script runs in its
 * own process group so that a timeout ends the whole group, including children that still hold
 * its output pipe. A daemon that the script leaves behind is not waited for and not killed.
 */
export async function runInitScript(
  initd: string,
  script: string,
  argument: string,
  opts: RunOptions,
): Promise<RunResult> {
  const file = path.join(initd, script);
  const stdout = new TailBuffer(OUTPUT_TAIL_CHARS);
  const stderr = new TailBuffer(OUTPUT_TAIL_CHARS);

  const { execa } = await import('execa'); // loaded on first use: it weighs on the agent's start-up
  const sub = execa(file, [argument], {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    detached: true,
    cleanup: false,
    env: opts.env,
    extendEnv: opts.env === undefined,
  });
  sub.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
  sub.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    sub.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const closed = new Promise<void>((resolve) => sub.once('close', () => resolve()));

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timeoutTimer = setTimeout(() => {
    timedOut = true;
    killGroup(sub.pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(sub.pid, 'SIGKILL'), opts.killGraceMs ?? 1000);
  }, opts.timeoutMs);

  try {
    const first = await Promise.race([exited, sub.then((result) => ({ spawnResult: result }))]);
    if ('spawnResult' in first && first.spawnResult.exitCode === undefined && first.spawnResult.signal === undefined) {
      // The script could not be started at all (missing, not executable).
      const reason = first.spawnResult.originalMessage ?? first.spawnResult.shortMessage ?? 'cannot run';
      return { ok: false, timedOut: false, message: `${file}: ${reason}` };
    }
    const status = 'spawnResult' in first
      ? { code: first.spawnResult.exitCode ?? null, signal: (first.spawnResult.signal ?? null) as NodeJS.Signals | null }
      : first;
    await Promise.race([closed, delay(DRAIN_AFTER_EXIT_MS)]);
    sub.stdout?.destroy();
    sub.stderr?.destroy();

    const output = stderr.text().trim() || stdout.text().trim();
    if (timedOut) {
      const note = `timed out after ${opts.timeoutMs} ms`;
      return { ok: false, timedOut: true, signal: status.signal ?? undefined, message: output ? `${note}: ${output}` : note };
    }
    if (status.code === 0) return { ok: true, exitCode: 0, timedOut: false, ...(output ? { message: output } : {}) };
    if (status.code === null) {
      const note = `killed by ${status.signal ?? 'a signal'}`;
      return { ok: false, timedOut: false, signal: status.signal ?? undefined, message: output ? `${note}: ${output}` : note };
    }
    return { ok: false, exitCode: status.code, timedOut: false, message: output || `exit status ${status.code}` };
  } finally {
    clearTimeout(timeoutTimer);
    if (killTimer) clearTimeout(killTimer);
    // After a timeout nothing the script started may outlive it (a child may ignore SIGTERM).
    if (timedOut) killGroup(sub.pid, 'SIGKILL');
    // With reject: false the promise never rejects; this only keeps it from dangling unobserved.
    void sub.catch(() => undefined);
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Keeps the last `max` characters written to it. */
class TailBuffer {
  private buf = '';
  constructor(private readonly max: number) {}
  push(s: string): void {
    this.buf += s;
    if (this.buf.length > this.max * 2) this.buf = this.buf.slice(-this.max);
  }
  text(): string {
    return this.buf.length > this.max ? this.buf.slice(-this.max) : this.buf;
  }
}
