import { runStatusCommand, type CommandOutput } from './command.js';

export interface SwanctlOptions {
  /** The swanctl program (default `swanctl`, looked up on PATH). */
  swanctlBin?: string;
  /** charon's vici socket, e.g. `unix:///var/run/charon.vici` (swanctl's own default when absent). */
  viciUri?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** `swanctl --list-sas --raw [--uri <uri>]`: the raw vici dump of the IKE SAs. */
export function swanctlListSas(opts: SwanctlOptions): Promise<CommandOutput> {
  const args = ['--list-sas', '--raw', ...(opts.viciUri ? ['--uri', opts.viciUri] : [])];
  return runStatusCommand(opts.swanctlBin ?? 'swanctl', args, opts);
}
