import type { LiveStatus } from '../status/live.js';
import type { UciStore } from '../uci/types.js';
import type { EventHub, IpsecEventData } from './hub.js';
import { ipsecChanges, ipsecNames, upSas, wanChanges, wanStates } from './status-diff.js';

export interface StatusWatchLog {
  debug(obj: object, msg: string): void;
}

export interface StatusWatcher {
  /** No more polls (a poll in flight finishes). */
  stop(): void;
}

/**
 * Polls mwan3's interface status and charon's SAs every `intervalMs` while the event stream
 * has subscribers (none: no process is started), and publishes a `wan` event per interface
 * whose status changed and an `ipsec` event per IKE or child SA that went up or down. The
 * first reading is the baseline; readings are kept while nobody listens, so a change between
 * two subscriptions is reported at the next one. A reading that fails changes nothing.
 */
export function watchStatus(opts: { hub: EventHub; live: LiveStatus; store: UciStore; intervalMs: number; log: StatusWatchLog }): StatusWatcher {
  const { hub, live, store, log } = opts;
  let wan: Map<string, string> | undefined;
  let sas: Map<string, Omit<IpsecEventData, 'state'>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let active = false;
  let polling = false;

  async function poll(): Promise<void> {
    const [w, s] = await Promise.all([live.wan(), live.ikeSas()]);
    if (w.ok) {
      const next = wanStates(w.value);
      if (wan) for (const e of wanChanges(wan, next)) hub.publish('wan', e);
      wan = next;
    } else log.debug({ reason: w.reason }, 'wan events: no mwan3 status');
    if (s.ok) {
      const next = upSas(s.value, ipsecNames(await store.read('ipsec')));
      if (sas) for (const e of ipsecChanges(sas, next)) hub.publish('ipsec', e);
      sas = next;
    } else log.debug({ reason: s.reason }, 'ipsec events: no SA list');
  }

  function next(delay: number): void {
    timer = setTimeout(() => {
      timer = undefined;
      if (!active || polling) return;
      polling = true;
      poll()
        .catch((err: unknown) => log.debug({ reason: (err as Error).message }, 'status events: poll failed'))
        .finally(() => {
          polling = false;
          if (active) next(opts.intervalMs);
        });
    }, delay);
  }

  hub.onActivity((on) => {
    active = on;
    if (on && !timer && !polling) next(0);
    if (!on && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  });

  return {
    stop() {
      active = false;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
