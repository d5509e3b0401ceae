import type { KernelStatusSource } from '../host/status-source.js';
import type { CommandOutput } from './command.js';
import { conntrackStatus, type ConntrackEntry } from './conntrack.js';
import { interfaceStatus, type InterfaceStatus } from './links.js';
import { routeStatus, ruleStatus, type RouteStatus, type RuleEntry } from './routes.js';

export interface StatusLog {
  warn(obj: object, msg: string): void;
}

/** The status modules read from the kernel. A source that cannot be read gives an empty answer and a warning. */
export interface KernelModules {
  interface(): Promise<InterfaceStatus[]>;
  route(): Promise<RouteStatus>;
  rule(): Promise<RuleEntry[]>;
  conntrack(): Promise<ConntrackEntry[]>;
}

/** Concurrent callers share one run of `fn` (a burst of status requests starts one process). */
export function shareInFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= fn().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

export function kernelModules(source: KernelStatusSource, log: StatusLog): KernelModules {
  const links = shareInFlight(() => source.links());
  const routes = shareInFlight(() => source.routes());
  const rules = shareInFlight(() => source.rules());
  const conntrack = shareInFlight(() => source.conntrack());

  /** The translation of `out`, or undefined (logged) when there is no output or it is unusable. */
  function translate<T>(module: string, out: CommandOutput, fn: (text: string) => T): T | undefined {
    if (!out.ok) {
      log.warn({ module, reason: out.reason }, `${module} status empty: its source is not available`);
      return undefined;
    }
    try {
      return fn(out.stdout);
    } catch (err) {
      log.warn({ module, reason: (err as Error).message }, `${module} status empty: its source gave an unusable answer`);
      return undefined;
    }
  }

  return {
    interface: async () => translate('interface', await links(), interfaceStatus) ?? [],
    rule: async () => translate('rule', await rules(), ruleStatus) ?? [],
    // the tables listed are those the rules look up: no rules, no tables
    route: async () => {
      const [ruleOut, out] = await Promise.all([rules(), routes()]);
      const list = translate('route', ruleOut, ruleStatus);
      if (list === undefined) return {};
      return translate('route', out, (text) => routeStatus(text, list)) ?? {};
    },
    conntrack: async () => {
      const out = await conntrack();
      if (out.ok && out.truncated) log.warn({ module: 'conntrack', bytes: out.stdout.length }, 'conntrack status lists the first entries of the table only');
      return translate('conntrack', out, conntrackStatus) ?? [];
    },
  };
}
