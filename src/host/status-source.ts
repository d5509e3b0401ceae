import { readFile } from 'node:fs/promises';
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
  /** The connection tracking table as text: /proc/net/nf_conntrack, else (unreadable) `conntrack -L` (both families). */
  conntrack(): Promise<CommandOutput>;
}

export interface SystemStatusSourceOptions {
  /** The ip program (default `ip` on PATH). */
  ipBin?: string;
  /** The conntrack program (default `conntrack` on PATH), used when the proc file is absent. */
  conntrackBin?: string;
  /** The kernel's conntrack table file (default /proc/net/nf_conntrack). */
  conntrackFile?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

async function readProcFile(file: string): Promise<CommandOutput> {
  try {
    return { ok: true, stdout: await readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', reason: `${file}: ${code ?? (err as Error).message}` };
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
      const proc = await readProcFile(file);
      if (proc.ok) return proc;
      const prog = await runStatusCommand(opts.conntrackBin ?? 'conntrack', ['-L'], opts);
      return prog.ok ? prog : { ok: false, missing: proc.missing && prog.missing, reason: `${proc.reason}; ${prog.reason}` };
    },
  };
}
