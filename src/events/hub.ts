/**
 * The agent's event hub: every event gets the next id (monotonic, from 1), is kept in a ring
 * buffer of the last `capacity` events (for `Last-Event-ID` resumption) and is handed to the
 * current subscribers. Pure in-memory bookkeeping: the sources (config watcher, reloader,
 * status pollers) publish, the event stream route (src/events/stream.ts) subscribes.
 *
 * Events name objects and services only: never a request value, a key or a secret.
 */

/** The event types of the stream (its `event:` field). */
export const EVENT_TYPES = ['config', 'reload', 'wan', 'ipsec', 'reset'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A config object created, updated or deleted, through the API or by hand. */
export interface ConfigEventData {
  /** `<domain>/<collection>`, as in the API's path: `mwan3/rules`. */
  kind: string;
  name: string;
  change: 'created' | 'updated' | 'deleted';
  /** `api`: written by the agent; `file`: found changed in the config directory. */
  source: 'api' | 'file';
}

/** A service action run by the agent (the reload after writes, or an explicit action). */
export interface ReloadEventData {
  service: string;
  action: string;
  trigger: 'auto' | 'explicit';
  ok: boolean;
  timedOut?: boolean;
  at: string;
}

/** An mwan3 interface whose status changed (`online`, `offline`, ... as mwan3 says). */
export interface WanEventData {
  interface: string;
  status: string;
  previous: string;
}

/** An IKE SA (child absent) or a child SA of a remote that went up or down. */
export interface IpsecEventData {
  remote: string;
  child?: string;
  state: 'up' | 'down';
}

export interface EventDataOf {
  config: ConfigEventData;
  reload: ReloadEventData;
  wan: WanEventData;
  ipsec: IpsecEventData;
  /** Sent (never stored) when the id asked to resume from is no longer in the buffer. */
  reset: { oldest: number; last: number };
}

export interface AgentEvent<T extends EventType = EventType> {
  id: number;
  type: T;
  data: EventDataOf[T];
}

export type Listener = (event: AgentEvent) => void;

export interface EventHub {
  publish<T extends Exclude<EventType, 'reset'>>(type: T, data: EventDataOf[T]): AgentEvent<T>;
  /**
   * The events after `lastId` still in the buffer, or `reset` when some of them were dropped
   * from it (or `lastId` is from the future: another run of the agent).
   */
  since(lastId: number): AgentEvent[] | 'reset';
  /** The id of the last event published (0 before the first). */
  lastId(): number;
  /** The id of the oldest event in the buffer (lastId() + 1 when it is empty). */
  oldestId(): number;
  /** Listens until the returned function is called. */
  subscribe(listener: Listener): () => void;
  subscribers(): number;
  /** Called with true when the first subscriber comes, false when the last one leaves. */
  onActivity(fn: (active: boolean) => void): void;
}

export const DEFAULT_EVENT_BUFFER = 1000;

export function createEventHub(opts: { capacity?: number } = {}): EventHub {
  const capacity = opts.capacity ?? DEFAULT_EVENT_BUFFER;
  const ring: AgentEvent[] = [];
  let start = 0; // index in `ring` of the oldest event once it is full
  let last = 0;
  const listeners = new Set<Listener>();
  const activity: Array<(active: boolean) => void> = [];

  const buffered = (): AgentEvent[] => (ring.length < capacity ? ring : [...ring.slice(start), ...ring.slice(0, start)]);

  return {
    publish(type, data) {
      const event = { id: ++last, type, data } as AgentEvent<typeof type>;
      if (ring.length < capacity) ring.push(event);
      else {
        ring[start] = event;
        start = (start + 1) % capacity;
      }
      for (const l of [...listeners]) l(event);
      return event;
    },
    since(lastId) {
      if (lastId > last || lastId < 0) return 'reset';
      if (lastId === last) return [];
      const events = buffered();
      const oldest = events[0]?.id ?? last + 1;
      if (lastId + 1 < oldest) return 'reset';
      return events.slice(lastId + 1 - oldest);
    },
    lastId: () => last,
    oldestId: () => (ring.length < capacity ? (ring[0]?.id ?? last + 1) : ring[start]!.id),
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) for (const fn of activity) fn(true);
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0) for (const fn of activity) fn(false);
      };
    },
    subscribers: () => listeners.size,
    onActivity(fn) {
      activity.push(fn);
    },
  };
}
