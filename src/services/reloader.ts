import type { ServiceName } from './table.js';
import { DEFAULT_SERVICE_TIMEOUT_MS, runInitScript, type RunResult } from './run.js';
import { SERVICE_NAMES, commandFor, type ServiceAction } from './table.js';

/** How the reload that covered a change went (an ActionResult fits). */
export interface ReloadOutcome {
  ok: boolean;
  timedOut?: boolean;
  message?: string;
}

/**
 * Schedules the reload of a service after a committed change (coalesced per burst). The
 * agent's reloader resolves with the outcome of the reload that covered the change.
 */
export interface Reloader {
  schedule(service: ServiceName): void | Promise<ReloadOutcome>;
}

/** The outcome of one service action, kept per service for the status routes. */
export interface ActionResult {
  service: ServiceName;
  action: ServiceAction;
  /** `auto`: the reload after committed changes; `explicit`: PUT /sdewan/v1/service/{name}. */
  trigger: 'auto' | 'explicit';
  ok: boolean;
  timedOut?: boolean;
  message?: string;
  /** When the action finished (ISO 8601). */
  at: string;
}

export interface ReloaderLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Runs a service's actions in place of its init script (the agent's own IPsec on plain Linux). */
export type ServiceRunner = (action: ServiceAction, opts: { timeoutMs: number }) => Promise<RunResult>;

export interface ReloaderOptions {
  /** The init.d directory holding the service scripts. */
  initd: string;
  /** Quiet time after the last change of a burst before the reload runs. */
  delayMs: number;
  /**
   * Upper bound on how long a steady stream of changes may postpone the reload (default 25 ×
   * delayMs, at least 5 s: a service restart takes seconds on a router, so a long burst of
   * writes is better served by few reloads than by one every second).
   */
  maxWaitMs?: number;
  /**
   * Least time between the starts of two automatic reloads of one service (default: maxWaitMs).
   * A change arriving sooner after a reload waits for it: under any stream of writes, however
   * long each takes, a service is reloaded at most once per this interval.
   */
  minIntervalMs?: number;
  /** Per-command timeout (the setting SDEWAN_SERVICE_TIMEOUT_MS; default 30 s). */
  timeoutMs?: number;
  log: ReloaderLog;
  env?: NodeJS.ProcessEnv;
  /** Services whose actions run through a runner instead of <initd>/<script> (see src/ipsec/platform.ts). */
  runners?: Partial<Record<ServiceName, ServiceRunner>>;
  /** Told the outcome of every action run, automatic or explicit (the event stream, the metrics). */
  onResult?: (result: ActionResult) => void;
}

export interface ServiceReloader extends Reloader {
  /** Reload `service` after the current burst of changes; resolves with the reload that covered this call. */
  schedule(service: ServiceName): Promise<ActionResult>;
  /** Runs an explicit action, after whatever is running for that service; replaces a pending automatic reload. */
  runAction(service: ServiceName, action: ServiceAction): Promise<ActionResult>;
  lastResults(): Record<ServiceName, ActionResult | undefined>;
  /** Runs pending reloads now, waits for everything queued, then refuses new work. */
  close(): Promise<void>;
}

type Waiter = (result: ActionResult) => void;

interface QueuedAction {
  action: ServiceAction;
  trigger: 'auto' | 'explicit';
  waiters: Waiter[];
}

interface PendingReload {
  firstAt: number;
  timer: NodeJS.Timeout;
  waiters: Waiter[];
}

interface ServiceState {
  pending?: PendingReload;
  /** When the last automatic reload left its window (Date.now()). */
  lastFiredAt?: number;
  running?: Promise<void>;
  /** Waiting for the running action: explicit actions in order, at most one automatic reload. */
  queue: QueuedAction[];
}

/**
 * Coalesces reloads per service. A schedule() opens a window (trailing debounce of delayMs,
 * bounded by maxWaitMs from its first call); every schedule() inside it joins the same reload.
 * A window never closes sooner than minIntervalMs after the previous one closed: writes slower
 * than delayMs each would otherwise close a window apiece. Actions of one service never run
 * concurrently: when the window closes while an action runs, the reload waits behind it, and
 * further schedules join that one queued reload.
 */
export function createReloader(opts: ReloaderOptions): ServiceReloader {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SERVICE_TIMEOUT_MS;
  const maxWaitMs = opts.maxWaitMs ?? Math.max(opts.delayMs * 25, 5000);
  const minIntervalMs = opts.minIntervalMs ?? maxWaitMs;
  const states = new Map<ServiceName, ServiceState>(SERVICE_NAMES.map((s) => [s, { queue: [] }]));
  const last: Record<ServiceName, ActionResult | undefined> = { mwan3: undefined, firewall: undefined, ipsec: undefined, network: undefined };
  let closed = false;

  const stateOf = (service: ServiceName): ServiceState => {
    const state = states.get(service);
    if (!state) throw new Error(`unknown service ${String(service)}`);
    return state;
  };

  const refused = (service: ServiceName, action: ServiceAction, trigger: 'auto' | 'explicit'): ActionResult => ({
    service,
    action,
    trigger,
    ok: false,
    message: 'the agent is shutting down',
    at: new Date().toISOString(),
  });

  async function execute(service: ServiceName, item: QueuedAction): Promise<void> {
    const { script, argument } = commandFor(service, item.action);
    const runner = opts.runners?.[service];
    const how = runner ? { runner: 'agent' } : { script, argument };
    opts.log.info({ service, action: item.action, trigger: item.trigger, ...how }, 'service action');
    let result: ActionResult;
    try {
      const run = runner
        ? await runner(item.action, { timeoutMs })
        : await runInitScript(opts.initd, script, argument, { timeoutMs, env: opts.env });
      result = {
        service,
        action: item.action,
        trigger: item.trigger,
        ok: run.ok,
        ...(run.timedOut ? { timedOut: true } : {}),
        ...(run.message !== undefined ? { message: run.message } : {}),
        at: new Date().toISOString(),
      };
    } catch (err) {
      result = {
        service,
        action: item.action,
        trigger: item.trigger,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        at: new Date().toISOString(),
      };
    }
    last[service] = result;
    opts.onResult?.(result);
    if (result.ok) opts.log.info({ service, action: item.action, ...(result.message ? { output: result.message } : {}) }, 'service action done');
    else opts.log.warn({ service, action: item.action, message: result.message }, 'service action failed');
    for (const w of item.waiters) w(result);
  }

  function start(service: ServiceName, item: QueuedAction): void {
    const state = stateOf(service);
    state.running = execute(service, item).finally(() => {
      state.running = undefined;
      const next = state.queue.shift();
      if (next) start(service, next);
    });
  }

  function enqueue(service: ServiceName, item: QueuedAction): void {
    const state = stateOf(service);
    if (!state.running) {
      start(service, item);
      return;
    }
    if (item.trigger === 'explicit') {
      // An explicit action stands in for the automatic reload waiting before it.
      const autos = state.queue.filter((q) => q.trigger === 'auto');
      state.queue = state.queue.filter((q) => q.trigger !== 'auto');
      for (const a of autos) item.waiters.push(...a.waiters);
      state.queue.push(item);
      return;
    }
    const tail = state.queue[state.queue.length - 1];
    if (tail && tail.trigger === 'auto') tail.waiters.push(...item.waiters);
    else state.queue.push(item);
  }

  function fire(service: ServiceName): void {
    const state = stateOf(service);
    const pending = state.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    state.pending = undefined;
    state.lastFiredAt = Date.now();
    enqueue(service, { action: 'reload', trigger: 'auto', waiters: pending.waiters });
  }

  function schedule(service: ServiceName): Promise<ActionResult> {
    if (closed) return Promise.resolve(refused(service, 'reload', 'auto'));
    const state = stateOf(service);
    return new Promise<ActionResult>((resolve) => {
      const now = Date.now();
      const notBefore = state.lastFiredAt === undefined ? now : state.lastFiredAt + minIntervalMs;
      const pending = state.pending;
      let fireAt: number;
      if (pending) {
        clearTimeout(pending.timer);
        pending.waiters.push(resolve);
        fireAt = Math.max(notBefore, Math.min(now + opts.delayMs, pending.firstAt + maxWaitMs));
      } else {
        fireAt = Math.max(notBefore, now + opts.delayMs);
      }
      const timer = setTimeout(() => fire(service), Math.max(0, fireAt - now));
      if (pending) pending.timer = timer;
      else state.pending = { firstAt: now, waiters: [resolve], timer };
    });
  }

  function runAction(service: ServiceName, action: ServiceAction): Promise<ActionResult> {
    if (closed) return Promise.resolve(refused(service, action, 'explicit'));
    const state = stateOf(service);
    return new Promise<ActionResult>((resolve) => {
      const item: QueuedAction = { action, trigger: 'explicit', waiters: [resolve] };
      if (state.pending) {
        clearTimeout(state.pending.timer);
        item.waiters.push(...state.pending.waiters);
        state.pending = undefined;
      }
      enqueue(service, item);
    });
  }

  async function close(): Promise<void> {
    closed = true;
    for (const service of SERVICE_NAMES) fire(service);
    // Each running action starts the next queued one before it settles its own chain.
    for (;;) {
      const running = SERVICE_NAMES.map((s) => stateOf(s).running).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  return {
    schedule,
    runAction,
    lastResults: () => ({ ...last }),
    close,
  };
}
