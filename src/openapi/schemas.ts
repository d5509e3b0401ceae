import * as z from 'zod';
import { SERVICE_ACTIONS, SERVICE_NAMES } from '../services/table.js';

/**
 * Payloads of the routes that are not resource collections (login, services, status,
 * health), as zod schemas: the OpenAPI document is generated from them and the typed
 * client takes its types from them. Field names and values follow ../../contract (§1, §3, §6).
 */

export { SERVICE_ACTIONS, SERVICE_NAMES };

/** The modules of GET /sdewan/v1/status (src/http/service-routes.ts): ICN's, in its Lua order, then the agent's own. */
export const STATUS_MODULES = ['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard'] as const;

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

// --- status modules (src/status/*.ts); every value of the kernel modules is a string, as the Lua modules answered ---

const endpointsSchema = z.object({
  src: z.string().meta({ description: '`address:port` (IPv6 in brackets: `[fd00::1]:80`).' }),
  dst: z.string(),
});

export const conntrackStatusSchema = z
  .array(
    z.object({
      protocol: z.enum(['tcp', 'udp']),
      request: endpointsSchema.meta({ description: 'The original direction.' }),
      response: endpointsSchema.meta({ description: 'The reply direction.' }),
      mark: z.string().optional().meta({ description: 'The connection mark, decimal.' }),
      state: z.string().optional().meta({ description: 'TCP only: ESTABLISHED, SYN_SENT, TIME_WAIT, ...' }),
    }),
  )
  .meta({ description: 'The TCP and UDP connections of the connection tracking table (both families).' });

export const linkStatusSchema = z
  .array(
    z.object({
      name: z.string(),
      ip_address: z.array(z.string()).optional().meta({ description: 'IPv4 addresses, without prefix.' }),
      ip6_address: z.array(z.string()).optional().meta({ description: 'IPv6 addresses with their prefix.' }),
      mac_address: z.string().optional().meta({ description: 'Upper case, as busybox ifconfig prints it; Ethernet-style links only.' }),
      received_packets: z.string().optional(),
      send_packets: z.string().optional(),
      status: z.enum(['UP', 'DOWN']).meta({ description: 'The administrative UP flag.' }),
    }),
  )
  .meta({ description: 'One entry per network device except lo, down ones included.' });

const routeEntrySchema = z.object({
  gateway: z.string().optional(),
  device: z.string().optional(),
  destination: z.string().meta({ description: '`default`, a prefix, or a host address.' }),
  scope: z.string().optional(),
  proto: z.string().optional(),
  metric: z.string().optional(),
  src: z.string().optional().meta({ description: 'The preferred source address.' }),
  type: z.string().optional().meta({ description: 'Only for routes that are not unicast: local, broadcast, blackhole, unreachable, ...' }),
});

export const routeStatusSchema = z
  .record(z.string(), z.object({ item: z.array(routeEntrySchema) }))
  .meta({ description: 'IPv4 routes by table, for each table a rule looks up that is main, local, default or a number.' });

export const ruleStatusSchema = z
  .array(
    z.object({
      src: z.string().optional().meta({ description: '`all` or a prefix.' }),
      dst: z.string().optional(),
      prio: z.string(),
      fwmark: z.string().optional().meta({ description: '`mark/mask`, as ip rule prints it.' }),
      table: z.string().optional().meta({ description: 'The table looked up.' }),
      not: z.enum(['true', 'false']),
      action: z.string().optional().meta({ description: 'Only for rules that look nothing up: blackhole, unreachable, prohibit, `goto <prio>`.' }),
    }),
  )
  .meta({ description: 'The IPv4 policy rules in priority order.' });

const childSaSchema = z.object({
  name: z.string(),
  state: z.string(),
  mode: z.string().optional(),
  protocol: z.string().optional(),
  local_ts: z.array(z.string()),
  remote_ts: z.array(z.string()),
  bytes_in: z.int(),
  bytes_out: z.int(),
  packets_in: z.int(),
  packets_out: z.int(),
  installed: z.int().optional(),
  installed_since: z.string().optional(),
  rekey_in: z.int().optional(),
  expires_in: z.int().optional(),
  spi_in: z.string().optional(),
  spi_out: z.string().optional(),
});

const ipsecRemoteSchema = z.object({
  name: z.string(),
  state: z.enum(['up', 'connecting', 'down', 'unknown']),
  ike_state: z.string().optional(),
  established: z.int().optional(),
  established_since: z.string().optional(),
  local_addr: z.string().optional(),
  remote_addr: z.string().optional(),
  local_id: z.string().optional(),
  remote_id: z.string().optional(),
  initiator: z.boolean().optional(),
  child_sas: z.array(childSaSchema),
  configured: z.boolean().meta({ description: 'False for an SA whose connection is not a remote of the ipsec config.' }),
  message: z.string().optional().meta({ description: 'Why the state is unknown.' }),
  missing_children: z.array(z.string()).optional().meta({ description: 'Connections this side starts that are neither up nor coming up.' }),
});

export const ipsecStatusSchema = z
  .object({
    InitConnection: z.enum(['success', 'fail']).meta({
      description:
        '`fail`: a connection this side starts (startaction start, one peer) is neither up nor coming up, or charon cannot be asked; the controller then restarts the ipsec service.',
    }),
    details: z.array(ipsecRemoteSchema).meta({ description: 'Per remote of the ipsec config, then SAs of no configured remote.' }),
  })
  .meta({ description: "The ipsec module, in the shape ICN's controller reads." });

const serviceRecordSchema = z.object({
  action: z.enum(SERVICE_ACTIONS),
  trigger: z.enum(['auto', 'explicit']),
  ok: z.boolean(),
  message: z.string().optional(),
  at: z.string(),
});

const wanStatusSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'The object of `ubus call mwan3 status` as is; without ubus, the mwan3 interfaces in the interface_status shape, status `unknown`.' });

const servicesStatusSchema = z
  .record(z.enum(SERVICE_NAMES), serviceRecordSchema.nullable())
  .meta({ description: 'The last action run per service (automatic reload or explicit), or null.' });

const wireguardPeerStatusSchema = z.object({
  name: z.string().meta({ description: 'The peer of the tunnel with that public key ("" for one the config does not have).' }),
  public_key: z.string(),
  endpoint: z.string().optional().meta({ description: 'Where its packets come from (or the configured endpoint before any).' }),
  allowed_ips: z.array(z.string()),
  latest_handshake: z.string().optional().meta({ description: 'ISO 8601; absent before the first handshake.' }),
  latest_handshake_age: z.int().optional().meta({ description: 'Seconds since the latest handshake.' }),
  transfer_rx: z.int().meta({ description: 'Bytes received from the peer.' }),
  transfer_tx: z.int().meta({ description: 'Bytes sent to the peer.' }),
  persistent_keepalive: z.int().optional(),
});

export const wireguardStatusSchema = z
  .array(
    z.object({
      name: z.string(),
      state: z.enum(['up', 'down', 'unknown']).meta({ description: '`down`: wg knows no such interface; `unknown`: wg could not be asked (see `reason`).' }),
      reason: z.string().optional(),
      public_key: z.string().optional().meta({ description: 'The public key of the tunnel (its private key is never shown).' }),
      listen_port: z.int().optional(),
      peers: z.array(wireguardPeerStatusSchema),
    }),
  )
  .meta({ description: 'Per WireGuard tunnel of the API, from `wg show <if> dump`.' });

export const moduleStatusSchema = z
  .discriminatedUnion('name', [
    z.object({ name: z.literal('conntrack'), status: conntrackStatusSchema }),
    z.object({ name: z.literal('interface'), status: linkStatusSchema }),
    z.object({ name: z.literal('ipsec'), status: ipsecStatusSchema }),
    z.object({ name: z.literal('route'), status: routeStatusSchema }),
    z.object({ name: z.literal('rule'), status: ruleStatusSchema }),
    z.object({ name: z.literal('wan'), status: wanStatusSchema }),
    z.object({ name: z.literal('services'), status: servicesStatusSchema }),
    z.object({ name: z.literal('wireguard'), status: wireguardStatusSchema }),
  ])
  .meta({ description: '`{"name": <module>, "status": <its status>}`, the SdewanModuleStatus of the controller.' });

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
