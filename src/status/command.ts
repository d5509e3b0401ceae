/** What a read-only status command gave: its output, or why there is none. */
export type CommandOutput =
  | { ok: true; stdout: string }
  | { ok: false; missing: boolean; reason: string };

export const DEFAULT_STATUS_TIMEOUT_MS = 5000;

/**
 * Runs a status command (`ubus`, `swanctl`) with a fixed argument array and a timeout. `file`
 * without a slash is looked up on PATH. A missing program is reported as `missing`, not thrown.
 */
export async function runStatusCommand(
  file: string,
  args: readonly string[],
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<CommandOutput> {
  const { execa } = await import('execa'); // loaded on first use: it weighs on the agent's start-up
  const r = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs,
    forceKillAfterDelay: 1000,
    maxBuffer: 8 * 1024 * 1024,
    ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
  });
  if (r.exitCode === 0 && !r.failed) return { ok: true, stdout: r.stdout };
  const code = (r as { code?: string }).code;
  if (code === 'ENOENT') return { ok: false, missing: true, reason: `${file} not found` };
  if (r.timedOut) return { ok: false, missing: false, reason: `${file} timed out after ${opts.timeoutMs} ms` };
  const output = (r.stderr || r.stdout).trim().slice(-500);
  const how = r.exitCode !== undefined ? `exit status ${r.exitCode}` : (r.shortMessage ?? 'failed');
  return { ok: false, missing: false, reason: output ? `${file}: ${how}: ${output}` : `${file}: ${how}` };
}
