import { runStatusCommand, type CommandOutput } from './command.js';

export interface UbusOptions {
  /** The ubus program (default `ubus`, looked up on PATH). */
  ubusBin?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** `ubus call mwan3 status`: the JSON text of mwan3's rpcd plugin, or why it is not available. */
export function ubusMwan3Status(opts: UbusOptions): Promise<CommandOutput> {
  return runStatusCommand(opts.ubusBin ?? 'ubus', ['call', 'mwan3', 'status'], opts);
}
