/**
 * The only commands the agent can run on behalf of a request: `<initd>/<script> <argument>`,
 * with the script and the argument both taken from this table. Request data selects a row and
 * an action by exact match; it never reaches a command line itself.
 */

export const SERVICE_ACTIONS = ['start', 'stop', 'restart', 'reload'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

interface ServiceEntry {
  /** File name of the init script under the init.d directory. */
  readonly script: string;
  /** The argument given to the script for each API action. */
  readonly actions: Readonly<Record<ServiceAction, string>>;
}

const sameActions: Readonly<Record<ServiceAction, string>> = {
  start: 'start',
  stop: 'stop',
  restart: 'restart',
  reload: 'reload',
};

export const SERVICE_TABLE = {
  // mwan3's reload does not rebuild everything the way the Lua agent expected: reload means restart.
  mwan3: { script: 'mwan3', actions: { ...sameActions, reload: 'restart' } },
  firewall: { script: 'firewall', actions: sameActions },
  // OpenWRT's strongSwan package: /etc/init.d/swanctl turns /etc/config/ipsec into swanctl.conf.
  ipsec: { script: 'swanctl', actions: sameActions },
  // netifd: reload re-reads /etc/config/network and applies its routes and rules.
  network: { script: 'network', actions: sameActions },
} as const satisfies Readonly<Record<string, ServiceEntry>>;

/** A service the agent manages: a row of the table, so none can be half-declared. */
export type ServiceName = keyof typeof SERVICE_TABLE;

/** Every service, in table order. */
export const SERVICE_NAMES = Object.keys(SERVICE_TABLE) as ServiceName[];

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICE_NAMES as readonly string[]).includes(value);
}

export function isServiceAction(value: unknown): value is ServiceAction {
  return typeof value === 'string' && (SERVICE_ACTIONS as readonly string[]).includes(value);
}

/** The init script and its single argument for a service action. */
export function commandFor(service: ServiceName, action: ServiceAction): { script: string; argument: string } {
  const entry: ServiceEntry = SERVICE_TABLE[service];
  return { script: entry.script, argument: entry.actions[action] };
}
