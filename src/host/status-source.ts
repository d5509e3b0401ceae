import { open } from 'node:fs/promises';
import { runStatusCommand, type CommandOutput } from '../status/command.js';

/**
 * Where the kernel status modules (interface, route, rule, conntrack) read the box's state:
 * the text of `ip -j` and of the conntrack table, unparsed. Translation into the answers is
 * pure (src/status/links.ts, routes.ts, conntrack.ts); tests give a source of their own.
 * Every program runs through execa with a fixed argument array; nothing goes through a shell.
 */
export interface KernelStatusSource {
  /** `ip -j -s addr show`: every link with its addresses and counters (JSON). */
  links(): Promise<CommandOutput>;
  /** `ip -4 -j route show table all`: the IPv4 routes of every table (JSON). */
  routes(): Promise<CommandOutput>;
  /** `ip -4 -j rule show`: the IPv4 policy rules (JSON). */
  rules(): Promise<CommandOutput>;
  /**
   * The connection tracking table as text: /proc/net/nf_conntrack, else (unreadable)
   * `conntrack -L` (both families); whole lines only, at most `conntrackLimitBytes`.
   */
  conntrack(): Promise<ConntrackOutput>;
}

/** The table text, and whether it was cut at the limit (a busy box tracks hundreds of thousands of flows). */
export type ConntrackOutput = { ok: true; stdout: string; truncated?: boolean } | Extract<CommandOutput, { ok: false }>;

/**
 * How much of the conntrack table is read (1 MiB, some 3,500 entries): the agent runs with a
 * small heap, and the controller stores every CNF's status in one Kubernetes object.
 */
export const CONNTRACK_LIMIT_BYTES = 1024 * 1024;

export interface SystemStatusSourceOptions {
  /** The ip program (default `ip` on PATH). */
  ipBin?: string;
  /** The conntrack program (default `conntrack` on PATH), used when the proc file is absent. */
  conntrackBin?: string;
  /** The kernel's conntrack table file (default /proc/net/nf_conntrack). */
  conntrackFile?: string;
  /** At most this much of the conntrack table (default CONNTRACK_LIMIT_BYTES). */
  conntrackLimitBytes?: number;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** `text` cut after its last whole line within `limit` bytes, when it is longer. */
export function wholeLinesWithin(text: string, limit: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= limit) return { text, truncated: false };
  const head = Buffer.from(text).subarray(0, limit).toString('utf8');
  return { text: head.slice(0, head.lastIndexOf('\n') + 1), truncated: true };
}

/** Reads a proc file (its size reads as 0: read until EOF) up to `limit` bytes and one more, in whole lines. */
async function readProcFile(file: string, limit: number): Promise<ConntrackOutput> {
  let handle;
  try {
    handle = await open(file, 'r');
    const buf = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buf.length) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    const cut = wholeLinesWithin(buf.subarray(0, length).toString('utf8'), limit);
    return { ok: true, stdout: cut.text, truncated: cut.truncated };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: `${file}: ${code ?? (err as Error).message}` };
  } finally {
    await handle?.close();
  }
}

/** The source of this machine (the current network namespace). */
export function systemStatusSource(opts: SystemStatusSourceOptions): KernelStatusSource {
  const ip = opts.ipBin ?? 'ip';
  const file = opts.conntrackFile ?? '/proc/net/nf_conntrack';
  return {
    links: () => runStatusCommand(ip, ['-j', '-s', 'addr', 'show'], opts),
    routes: () => runStatusCommand(ip, ['-4', '-j', 'route', 'show', 'table', 'all'], opts),
    rules: () => runStatusCommand(ip, ['-4', '-j', 'rule', 'show'], opts),
    conntrack: async () => {
      const limit = opts.conntrackLimitBytes ?? CONNTRACK_LIMIT_BYTES;
      const proc = await readProcFile(file, limit);
      if (proc.ok) return proc;
      const prog = await runStatusCommand(opts.conntrackBin ?? 'conntrack', ['-L'], opts);
      if (!prog.ok) return { ok: false, missing: proc.missing && prog.missing, reason: `${proc.reason}; ${prog.reason}` };
      const cut = wholeLinesWithin(prog.stdout, limit);
      return { ok: true, stdout: cut.text, truncated: cut.truncated };
    },
  };
}
