import { subscribeVici, type ViciSubscription } from '../ipsec/vici-events.js';
import type { LiveStatus } from '../status/live.js';
import type { UciStore } from '../uci/types.js';
import type { EventHub, IpsecEventData } from './hub.js';
import { ipsecChanges, ipsecEventsOf, ipsecNames, upSas, wanChanges, wanStates } from './status-diff.js';

export interface StatusWatchLog {
  debug(obj: object, msg: string): void;
}

export interface StatusWatcher {
  /** No more polls (a poll in flight finishes). */
  stop(): void;
}

/**
 * While the event stream has subscribers (none: no process is started, no socket open):
 * - polls mwan3's interface status every `intervalMs` and publishes a `wan` event per
 *   interface whose status changed;
 * - registers for charon's `ike-updown` and `child-updown` events over vici and publishes an
 *   `ipsec` event for each; while vici cannot be reached, polls charon's SAs instead (vici's
 *   list-sas, else swanctl) and publishes what went up or down between two readings.
 * The first reading is the baseline; readings are kept while nobody listens, so a change
 * between two subscriptions is reported at the next one. A reading that fails changes nothing.
 */
export function watchStatus(opts: {
  hub: EventHub;
  live: LiveStatus;
  store: UciStore;
  intervalMs: number;
  /** charon's vici socket (events); undefined: SAs are polled only. */
  viciUri?: string;
  log: StatusWatchLog;
}): StatusWatcher {
  const { hub, live, store, log } = opts;
  let wan: Map<string, string> | undefined;
  let sas: Map<string, Omit<IpsecEventData, 'state'>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let active = false;
  let polling = false;
  let vici: ViciSubscription | undefined;
  let viciReady = false;
  /** vici events, translated one after the other (each reads the ipsec config for names). */
  let viciChain: Promise<void> = Promise.resolve();

  function subscribe(): void {
    if (opts.viciUri === undefined || vici) return;
    vici = subscribeVici({
      uri: opts.viciUri,
      events: ['ike-updown', 'child-updown'],
      onReady: () => {
        viciReady = true;
        sas = undefined; // a polled reading would be stale when polling comes back
        log.debug({ uri: opts.viciUri }, 'ipsec events: from vici');
      },
      onEvent: (event, message) => {
        viciChain = viciChain
          .then(async () => {
            for (const e of ipsecEventsOf(event, message, ipsecNames(await store.read('ipsec')))) hub.publish('ipsec', e);
          })
          .catch((err: unknown) => log.debug({ reason: (err as Error).message }, 'ipsec events: a vici event was not translated'));
      },
      onEnd: (err) => {
        vici = undefined;
        viciReady = false;
        log.debug({ reason: err.message }, 'ipsec events: no vici events, SAs are polled');
      },
    });
  }

  function unsubscribe(): void {
    vici?.close();
    vici = undefined;
    viciReady = false;
  }

  async function poll(): Promise<void> {
    subscribe();
    const [w, s] = await Promise.all([live.wan(), viciReady ? undefined : live.ikeSas()]);
    if (w.ok) {
      const next = wanStates(w.value);
      if (wan) for (const e of wanChanges(wan, next)) hub.publish('wan', e);
      wan = next;
    } else log.debug({ reason: w.reason }, 'wan events: no mwan3 status');
    if (s === undefined || viciReady) return;
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
    if (!on) {
      clearTimeout(timer);
      timer = undefined;
      unsubscribe();
    }
  });

  return {
    stop() {
      active = false;
      clearTimeout(timer);
      timer = undefined;
      unsubscribe();
    },
  };
}
