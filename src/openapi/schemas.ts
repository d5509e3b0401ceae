import * as z from 'zod';
import { SERVICE_ACTIONS, SERVICE_NAMES } from '../services/table.js';

/**
 * Payloads of the routes that are not resource collections (login, services, status,
 * health), as zod schemas: the OpenAPI document is generated from them and the typed
 * client takes its types from them. Field names and values follow ../../contract (§1, §3, §6).
 */

export { SERVICE_ACTIONS, SERVICE_NAMES };

/** The modules of GET /sdewan/v1/status (src/http/service-routes.ts). */
export const STATUS_MODULES = ['wan', 'ipsec', 'services'] as const;

export const messageSchema = z.object({ message: z.string() }).meta({ description: 'An answer or an error: `{"message": "..."}`.' });
export type Message = z.infer<typeof messageSchema>;

export const successSchema = z.object({ message: z.literal('success') });

export const dryRunSchema = z
  .object({ dry_run: z.literal(true), batch: z.string().meta({ description: 'The `uci batch` text the request would apply (empty when nothing changes).' }) })
  .meta({ description: 'The answer to a write with `?dry_run=1`: nothing was changed.' });
export type DryRunResult = z.infer<typeof dryRunSchema>;

export const loginFormSchema = z.object({
  luci_username: z.string().meta({ description: 'The account name (usually `root`).' }),
  luci_password: z.string().meta({
    description: 'The account password. Empty only for an account without one, with the `shadow` check (a fresh OpenWRT); never with `static`.',
  }),
});

export const serviceListSchema = z.object({ services: z.array(z.enum(SERVICE_NAMES)) });
export type ServiceList = z.infer<typeof serviceListSchema>;

export const serviceActionSchema = z.object({ action: z.enum(SERVICE_ACTIONS) });
export type ServiceAction = z.infer<typeof serviceActionSchema>['action'];

export const moduleStatusValueSchema = z.unknown().meta({
  description:
    'The status of one module. `wan`: the object of `ubus call mwan3 status` (without ubus, the mwan3 interfaces in the ' +
    'interface_status shape, status `unknown`). `ipsec`: one entry per remote of the ipsec config, `state` up, connecting, ' +
    'down or unknown, with its child SAs. `services`: the last action run per service, or null.',
});

export const moduleStatusSchema = z.object({
  name: z.enum(STATUS_MODULES),
  status: moduleStatusValueSchema,
});

const trackIpSchema = z.object({
  status: z.string(),
  latency: z.int(),
  packetloss: z.int(),
  ip: z.string(),
});

const interfaceStatusSchema = z.object({
  running: z.boolean(),
  score: z.int(),
  lost: z.int(),
  status: z.string(),
  age: z.int(),
  turn: z.int(),
  track_ip: z.array(trackIpSchema),
});

export const mwan3InterfaceStatusSchema = z.object({
  interfaces: z.record(z.string(), interfaceStatusSchema).meta({ description: 'By mwan3 interface name.' }),
  connected: z.object({ ipv4: z.array(z.string()), ipv6: z.array(z.string()) }),
});
export type Mwan3InterfaceStatus = z.infer<typeof mwan3InterfaceStatusSchema>;

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({ status: z.literal('ready') });
