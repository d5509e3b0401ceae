import { shareInFlight } from './kernel-modules.js';
import { parseUbusStatus } from './mwan3.js';
import { SlaHistory } from './sla.js';
import { ubusMwan3Status } from './ubus.js';

export interface Mwan3SourceLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * mwan3's live status (`ubus call mwan3 status`), read by the `wan` status module, the legacy
 * LuCI routes, the SLA policies' status and the SLA poller: one process at a time (concurrent
 * reads share it), and every answer feeds the SLA history (src/status/sla.ts).
 */
export interface Mwan3Source {
  /** The ubus answer, or undefined (logged) when ubus is absent or its answer unusable. */
  read(): Promise<Record<string, unknown> | undefined>;
  readonly history: SlaHistory;
}

export function mwan3Source(opts: { ubusBin: string; timeoutMs: number }, log: Mwan3SourceLog, history = new SlaHistory()): Mwan3Source {
  const output = shareInFlight(() => ubusMwan3Status({ ubusBin: opts.ubusBin, timeoutMs: opts.timeoutMs }));
  return {
    history,
    async read() {
      const out = await output();
      if (!out.ok) {
        if (out.missing) log.debug({ reason: out.reason }, 'mwan3 status from the config: no ubus');
        else log.warn({ reason: out.reason }, 'ubus call mwan3 status failed');
        return undefined;
      }
      try {
        const status = parseUbusStatus(out.stdout);
        history.record(status);
        return status;
      } catch (err) {
        log.warn({ reason: (err as Error).message }, 'ubus call mwan3 status: unusable answer');
        return undefined;
      }
    },
  };
}
