/**
 * BatchRunner on a real uci program: `uci -c confdir -t savedir batch`, the text on stdin.
 *
 * Starting a process costs the agent ~1 ms of blocked event loop (libuv forks a process the
 * agent's size and waits for its exec) and uci ~1 ms more to be ready to read. So after each
 * write the runner starts the process of the next one, which waits on its standard input
 * until that write gives it its batch. A waiting `uci batch` has read nothing: it opens the
 * package only when a command names it, so it sees the file as it is when the write runs
 * (hand edits and other writers included), exactly as a process started then would. It is
 * still one process per write; between writes one process waits, and it ends on its own
 * (end of input, nothing done) when the agent stops or dies.
 */
import type { ResultPromise } from 'execa';
import type { BatchResult, BatchRunner } from './types.js';

type Options = { confdir: string; savedir: string };
type Child = ResultPromise<{ stdin: 'pipe'; buffer: false; reject: false; cleanup: false; extendEnv: false }>;

interface Waiting {
  key: string;
  child: Child;
}

const keyOf = (opts: Options): string => `${opts.confdir}\0${opts.savedir}`;

type Refable = { ref(): unknown; unref(): unknown };

/** The process and its pipes keep the event loop alive only while they run a batch. */
function setRef(child: Child, on: boolean): void {
  // the pipes are sockets
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as Refable[]) {
    if (on) handle.ref();
    else handle.unref();
  }
}

export class BinaryRunner implements BatchRunner {
  readonly kind = 'binary' as const;
  /** The program's environment, made once (execa would copy process.env for every run). */
  private readonly env = { ...process.env, LC_ALL: 'C' };
  private waiting: Waiting | undefined;

  constructor(
    readonly bin: string,
    private readonly timeoutMs = 60_000,
  ) {}

  /**
   * execa's options are chosen for what a run costs (measured in a process the agent's size:
   * ~1.1 ms above a bare child_process.spawn with execa's defaults, ~0.7 ms with these): the
   * output is collected here rather than by execa (`buffer: false`), the environment is given
   * whole (`extendEnv: false`), and no exit hook is registered per run (`cleanup: false`:
   * uci's commit is an atomic rename, so a uci that outlives an agent exiting mid-write
   * leaves the file whole, as a killed one would). The timeout is the runner's own: it counts
   * from the batch, not from the start of a process that may have waited.
   */
  private async start(opts: Options): Promise<{ child: Child }> {
    const { execa } = await import('execa'); // loaded on first use: it weighs on the agent's start-up
    // boxed: an async function returning the (thenable) process would resolve to its result
    const child = execa(this.bin, ['-c', opts.confdir, '-t', opts.savedir, 'batch'], {
      stdin: 'pipe',
      buffer: false,
      reject: false,
      cleanup: false,
      env: this.env,
      extendEnv: false,
    });
    return { child };
  }

  /** The waiting process for these directories, if it is still there; else a new one. */
  private async take(opts: Options): Promise<{ child: Child }> {
    const w = this.waiting;
    this.waiting = undefined;
    if (w && w.key === keyOf(opts) && w.child.exitCode === null && w.child.signalCode === null) return { child: w.child };
    if (w) w.child.stdin.end();
    return this.start(opts);
  }

  /**
   * Starts the next write's process once the event loop has been idle (a timer, not the turn
   * right after: the fork blocks the loop ~1 ms, which would delay the client reading the
   * answer on a box with few cores; src/http/after-answer.ts).
   */
  private prepare(opts: Options): void {
    setTimeout(() => {
      if (this.waiting) return;
      void this.start(opts).then(
        ({ child }) => {
          if (this.waiting) {
            child.stdin.end();
            return;
          }
          setRef(child, false);
          void child.then(() => {
            if (this.waiting?.child === child) this.waiting = undefined;
          });
          this.waiting = { key: keyOf(opts), child };
        },
        () => undefined, // execa not loadable: the next write starts its own and reports it
      );
    }, 1);
  }

  async run(batch: string, opts: Options): Promise<BatchResult> {
    const { child } = await this.take(opts);
    setRef(child, true);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, this.timeoutMs);
    child.stdin.end(batch);
    const r = await child;
    clearTimeout(timer);
    this.prepare(opts);
    const err = Buffer.concat(stderr).toString('utf8');
    const failed = r.exitCode === undefined || (r.failed && r.exitCode === 0);
    const why = timedOut ? `${this.bin} timed out after ${this.timeoutMs} ms` : r.shortMessage;
    return {
      exit: r.exitCode ?? 1,
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: failed && err === '' ? `${why}\n` : err,
    };
  }

  /** Lets the waiting process end (its input closes; it does nothing). */
  close(): void {
    this.waiting?.child.stdin.end();
    this.waiting = undefined;
  }
}
