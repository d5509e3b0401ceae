import * as z from 'zod';
import { SERVICE_ACTIONS, SERVICE_NAMES } from '../services/table.js';

/** The longest `rollback_after` of a change set, in seconds, and the most changes in one. */
export const MAX_ROLLBACK_AFTER = 600;
export const MAX_CHANGES = 500;

/**
 * Payloads of the routes that are not resource collections (login, services, status,
 * health), as zod schemas: the OpenAPI document is generated from them and the typed
 * client takes its types from them. Field names and values follow ../../contract (§1, §3, §6).
 */

export { SERVICE_ACTIONS, SERVICE_NAMES };

/** The modules of GET /sdewan/v1/status (src/http/service-routes.ts): ICN's, in its Lua order, then the agent's own. */
export const STATUS_MODULES = ['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard'] as const;

export const messageSchema = z
  .object({ message: z.string().meta({ description: 'What happened; an error names the field.', examples: ['Field[metric] checked failed: should be an integer not less than 1'] }) })
  .meta({ description: 'An answer or an error: `{"message": "..."}`.' });
export type Message = z.infer<typeof messageSchema>;

export const successSchema = z.object({ message: z.literal('success').meta({ description: 'Done.', examples: ['success'] }) });

export const dryRunSchema = z
  .object({
    dry_run: z.literal(true).meta({ description: 'Always `true`: nothing was applied.', examples: [true] }),
    batch: z.string().meta({
      description: 'The `uci batch` text the request would apply (empty when nothing changes).',
      examples: ["set mwan3.balance1=policy\nadd_list mwan3.balance1.use_member='balance1_ovn_net1'\n"],
    }),
  })
  .meta({ description: 'The answer to a write with `?dry_run=1`: nothing was changed.' });
export type DryRunResult = z.infer<typeof dryRunSchema>;

// --- change sets (src/http/change-routes.ts, src/changes/sets.ts) ---

export const changeSetRequestSchema = z
  .object({
    changes: z
      .array(
        z.object({
          method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).meta({ description: 'What the method does on that path (PATCH: a JSON merge patch; not for kinds with files, such as IPsec remotes).', examples: ['POST'] }),
          path: z.string().min(1).meta({ description: 'Relative to `/cgi-bin/luci/sdewan/`: `mwan3/v1/rules` (POST), `firewall/v1/rules/web` (PUT, PATCH, DELETE); aliases too.', examples: ['mwan3/v1/rules'] }),
          body: z.record(z.string(), z.unknown()).optional().meta({ description: "The object, as the path's own POST or PUT takes it, or the merge patch of a PATCH (none for DELETE).", examples: [{ name: 'dns', policy: 'balanced', proto: 'udp', dest_port: '53' }] }),
        }),
      )
      .min(1)
      .max(MAX_CHANGES)
      .meta({
        description: `The changes, in order (1 to ${MAX_CHANGES}).`,
        examples: [[{ method: 'POST', path: 'mwan3/v1/rules', body: { name: 'dns', policy: 'balanced', proto: 'udp', dest_port: '53' } }]],
      }),
    rollback_after: z
      .number()
      .int()
      .min(1)
      .max(MAX_ROLLBACK_AFTER)
      .optional()
      .meta({ description: 'Seconds: the set is undone (every file back byte for byte, services reloaded) unless confirmed before.', examples: [60] }),
  })
  .meta({ description: 'Changes applied as one: each is validated on the state the earlier ones leave; all are written or none.' });
export type ChangeSetRequest = z.infer<typeof changeSetRequestSchema>;

export const changeSetSchema = z
  .object({
    id: z.string().meta({ description: 'The set (a UUID).', examples: ['6f1c2a4e-8b3d-4f5a-9c7e-2d1b0a9f8e7d'] }),
    state: z.enum(['pending', 'confirmed', 'rolled_back']).meta({ description: 'Pending until confirmed or rolled back (a set without `rollback_after` is confirmed at once).', examples: ['pending'] }),
    created_at: z.string().meta({ description: 'ISO 8601, like every time here.', examples: ['2026-12-01T09:30:00.000Z'] }),
    deadline: z.string().optional().meta({ description: 'With `rollback_after`: when the set is rolled back unless confirmed.', examples: ['2026-12-01T09:31:00.000Z'] }),
    confirmed_at: z.string().optional().meta({ description: 'When it was confirmed (at once without `rollback_after`).', examples: ['2026-12-01T09:30:20.000Z'] }),
    rolled_back_at: z.string().optional().meta({ description: 'When it was rolled back.', examples: ['2026-12-01T09:31:00.000Z'] }),
    rolled_back_because: z.string().optional().meta({ description: '`timeout`, or the service whose reload failed (SDEWAN_ROLLBACK).', examples: ['timeout'] }),
    packages: z.array(z.string()).meta({ description: 'The UCI packages of the set (a pending set holds them: other writes answer 409).', examples: [['firewall', 'mwan3']] }),
    services: z.array(z.enum(SERVICE_NAMES)).meta({ description: 'The services reloaded for it (once each).', examples: [['firewall', 'mwan3']] }),
  })
  .meta({ description: 'A change set and its state.' });
export type ChangeSet = z.infer<typeof changeSetSchema>;

export const changeSetAnswerSchema = changeSetSchema
  .extend({
    results: z
      .array(z.union([z.record(z.string(), z.unknown()), successSchema]))
      .meta({
        description: 'Per change, in order: the object as read back after the set, or `{"message": "success"}` for a delete (or an object a later change removed).',
        examples: [[{ name: 'dns', policy: 'balanced', proto: 'udp', dest_port: '53' }, { message: 'success' }]],
      }),
  })
  .meta({ description: 'The applied set, and what each change gave.' });
export type ChangeSetAnswer = z.infer<typeof changeSetAnswerSchema>;

export const loginFormSchema = z.object({
  luci_username: z.string().meta({ description: 'The account name (usually `root`).', examples: ['root'] }),
  luci_password: z.string().meta({
    description: 'The account password. Empty only for an account without one, with the `shadow` check (a fresh OpenWRT); never with `static`.',
    examples: [''],
  }),
});

export const serviceListSchema = z.object({
  services: z.array(z.enum(SERVICE_NAMES)).meta({ description: 'The services the agent starts, stops and reloads.', examples: [[...SERVICE_NAMES]] }),
});
export type ServiceList = z.infer<typeof serviceListSchema>;

export const serviceActionSchema = z.object({ action: z.enum(SERVICE_ACTIONS).meta({ description: 'What to do with the service.', examples: ['restart'] }) });
export type ServiceAction = z.infer<typeof serviceActionSchema>['action'];

// --- status modules (src/status/*.ts); every value of the kernel modules is a string, as the Lua modules answered ---

const endpointsSchema = z.object({
  src: z.string().meta({ description: 'The source, `address:port` (IPv6 in brackets: `[fd00::1]:80`).', examples: ['192.168.1.2:50000'] }),
  dst: z.string().meta({ description: 'The destination, `address:port`.', examples: ['10.10.10.1:80'] }),
});
const CONNTRACK_EXAMPLE = {
  protocol: 'tcp',
  request: { src: '192.168.1.2:50000', dst: '10.10.10.1:80' },
  response: { src: '10.10.10.1:80', dst: '192.168.1.2:50000' },
  mark: '0',
  state: 'ESTABLISHED',
} as const;

export const conntrackStatusSchema = z
  .array(
    z.object({
      protocol: z.enum(['tcp', 'udp']).meta({ description: 'The protocol of the connection.', examples: ['tcp'] }),
      request: endpointsSchema.meta({ description: 'The original direction.', examples: [CONNTRACK_EXAMPLE.request] }),
      response: endpointsSchema.meta({ description: 'The reply direction.', examples: [CONNTRACK_EXAMPLE.response] }),
      mark: z.string().optional().meta({ description: 'The connection mark, decimal.', examples: ['0'] }),
      state: z.string().optional().meta({ description: 'TCP only: ESTABLISHED, SYN_SENT, TIME_WAIT, ...', examples: ['ESTABLISHED'] }),
    }),
  )
  .meta({ description: 'The TCP and UDP connections of the connection tracking table (both families).', examples: [[CONNTRACK_EXAMPLE]] });

export const linkStatusSchema = z
  .array(
    z.object({
      name: z.string().meta({ description: 'The device.', examples: ['net1'] }),
      ip_address: z.array(z.string()).optional().meta({ description: 'IPv4 addresses, without prefix.', examples: [['172.16.30.89']] }),
      ip6_address: z.array(z.string()).optional().meta({ description: 'IPv6 addresses with their prefix.', examples: [['fe80::d442:b2ff:fef9:607b/64']] }),
      mac_address: z.string().optional().meta({ description: 'Upper case, as busybox ifconfig prints it; Ethernet-style links only.', examples: ['D6:42:B2:F9:60:7B'] }),
      received_packets: z.string().optional().meta({ description: 'Packets received, decimal.', examples: ['4'] }),
      send_packets: z.string().optional().meta({ description: 'Packets sent, decimal.', examples: ['3'] }),
      status: z.enum(['UP', 'DOWN']).meta({ description: 'The administrative UP flag.', examples: ['UP'] }),
    }),
  )
  .meta({
    description: 'One entry per network device except lo, down ones included.',
    examples: [
      [{ name: 'net1', ip_address: ['172.16.30.89'], ip6_address: ['fe80::d442:b2ff:fef9:607b/64'], mac_address: 'D6:42:B2:F9:60:7B', received_packets: '4', send_packets: '3', status: 'UP' }],
    ],
  });

const routeEntrySchema = z.object({
  gateway: z.string().optional().meta({ description: 'The next hop.', examples: ['10.10.10.1'] }),
  device: z.string().optional().meta({ description: 'The outgoing device.', examples: ['net0'] }),
  destination: z.string().meta({ description: '`default`, a prefix, or a host address.', examples: ['default'] }),
  scope: z.string().optional().meta({ description: 'The scope, when not global: link, host, ...', examples: ['link'] }),
  proto: z.string().optional().meta({ description: 'Who installed the route, when not boot: kernel, static, ...', examples: ['kernel'] }),
  metric: z.string().optional().meta({ description: 'The metric, decimal.', examples: ['10'] }),
  src: z.string().optional().meta({ description: 'The preferred source address.', examples: ['10.10.10.89'] }),
  type: z.string().optional().meta({ description: 'Only for routes that are not unicast: local, broadcast, blackhole, unreachable, ...', examples: ['unreachable'] }),
});
const MAIN_ROUTES = [
  { gateway: '10.10.10.1', device: 'net0', destination: 'default', metric: '10' },
  { device: 'net0', destination: '10.10.10.0/24', scope: 'link', proto: 'kernel', src: '10.10.10.89' },
];

export const routeStatusSchema = z
  .record(z.string(), z.object({ item: z.array(routeEntrySchema).meta({ description: 'The routes of the table, as `ip route` lists them.', examples: [MAIN_ROUTES] }) }))
  .meta({
    description: 'IPv4 routes by table, for each table a rule looks up that is main, local, default or a number.',
    examples: [{ main: { item: MAIN_ROUTES }, '40': { item: [{ gateway: '172.16.44.11', device: 'net1', destination: '192.167.23.0/24' }] } }],
  });

export const ruleStatusSchema = z
  .array(
    z.object({
      src: z.string().optional().meta({ description: '`all` or a prefix.', examples: ['192.167.24.0/24'] }),
      dst: z.string().optional().meta({ description: 'A prefix, when the rule matches destinations.', examples: ['10.10.10.0/24'] }),
      prio: z.string().meta({ description: 'The priority, decimal.', examples: ['888'] }),
      fwmark: z.string().optional().meta({ description: '`mark` or `mark/mask`, as ip rule prints it.', examples: ['0x110'] }),
      table: z.string().optional().meta({ description: 'The table looked up.', examples: ['40'] }),
      not: z.enum(['true', 'false']).meta({ description: '`true` for an inverted rule (`ip rule add not`).', examples: ['true'] }),
      action: z.string().optional().meta({ description: 'Only for rules that look nothing up: blackhole, unreachable, prohibit, `goto <prio>`.', examples: ['unreachable'] }),
    }),
  )
  .meta({
    description: 'The IPv4 policy rules in priority order.',
    examples: [
      [
        { src: 'all', prio: '0', table: 'local', not: 'false' },
        { src: '192.167.24.0/24', prio: '888', fwmark: '0x110', table: '40', not: 'true' },
        { src: 'all', prio: '32766', table: 'main', not: 'false' },
      ],
    ],
  });

// A recorded answer (test/reference/strongswan): the examples below are its values.
const CHILD_SA_EXAMPLE = {
  name: 'connA',
  state: 'INSTALLED',
  mode: 'TUNNEL',
  protocol: 'ESP',
  local_ts: ['192.168.1.0/24'],
  remote_ts: ['10.10.10.35/32'],
  bytes_in: 168,
  bytes_out: 168,
  packets_in: 2,
  packets_out: 2,
  installed: 5,
  installed_since: '2026-12-01T08:59:55.000Z',
  rekey_in: 3420,
  expires_in: 3955,
  spi_in: '7d3df2ca',
  spi_out: '36a50048',
};
const childSaSchema = z.object({
  name: z.string().meta({ description: 'The connection (child SA) name.', examples: [CHILD_SA_EXAMPLE.name] }),
  state: z.string().meta({ description: "charon's child SA state: INSTALLED, REKEYING, ...", examples: [CHILD_SA_EXAMPLE.state] }),
  mode: z.string().optional().meta({ description: 'TUNNEL or TRANSPORT.', examples: [CHILD_SA_EXAMPLE.mode] }),
  protocol: z.string().optional().meta({ description: 'ESP or AH.', examples: [CHILD_SA_EXAMPLE.protocol] }),
  local_ts: z.array(z.string()).meta({ description: 'Local traffic selectors in force.', examples: [CHILD_SA_EXAMPLE.local_ts] }),
  remote_ts: z.array(z.string()).meta({ description: 'Remote traffic selectors in force.', examples: [CHILD_SA_EXAMPLE.remote_ts] }),
  bytes_in: z.int().meta({ description: 'Bytes received.', examples: [CHILD_SA_EXAMPLE.bytes_in] }),
  bytes_out: z.int().meta({ description: 'Bytes sent.', examples: [CHILD_SA_EXAMPLE.bytes_out] }),
  packets_in: z.int().meta({ description: 'Packets received.', examples: [CHILD_SA_EXAMPLE.packets_in] }),
  packets_out: z.int().meta({ description: 'Packets sent.', examples: [CHILD_SA_EXAMPLE.packets_out] }),
  installed: z.int().optional().meta({ description: 'Seconds since the SA was installed.', examples: [CHILD_SA_EXAMPLE.installed] }),
  installed_since: z.string().optional().meta({ description: 'When it was installed (ISO 8601).', examples: [CHILD_SA_EXAMPLE.installed_since] }),
  rekey_in: z.int().optional().meta({ description: 'Seconds until the rekeying.', examples: [CHILD_SA_EXAMPLE.rekey_in] }),
  expires_in: z.int().optional().meta({ description: 'Seconds until the SA expires.', examples: [CHILD_SA_EXAMPLE.expires_in] }),
  spi_in: z.string().optional().meta({ description: 'The inbound SPI, hexadecimal.', examples: [CHILD_SA_EXAMPLE.spi_in] }),
  spi_out: z.string().optional().meta({ description: 'The outbound SPI, hexadecimal.', examples: [CHILD_SA_EXAMPLE.spi_out] }),
});

const IPSEC_REMOTE_EXAMPLE = {
  name: 'hostA',
  state: 'up',
  ike_state: 'ESTABLISHED',
  established: 5,
  established_since: '2026-12-01T08:59:55.000Z',
  local_addr: '10.10.10.89',
  remote_addr: '10.10.10.35',
  local_id: 'host',
  remote_id: 'Hub',
  initiator: true,
  child_sas: [CHILD_SA_EXAMPLE],
  configured: true,
} as const;
const ipsecRemoteSchema = z.object({
  name: z.string().meta({ description: 'The remote (IKE connection) name.', examples: [IPSEC_REMOTE_EXAMPLE.name] }),
  state: z.enum(['up', 'connecting', 'down', 'unknown']).meta({ description: 'The state of the remote as a whole.', examples: [IPSEC_REMOTE_EXAMPLE.state] }),
  ike_state: z.string().optional().meta({ description: "charon's IKE SA state: ESTABLISHED, CONNECTING, ...", examples: [IPSEC_REMOTE_EXAMPLE.ike_state] }),
  established: z.int().optional().meta({ description: 'Seconds since the IKE SA was established.', examples: [IPSEC_REMOTE_EXAMPLE.established] }),
  established_since: z.string().optional().meta({ description: 'When it was established (ISO 8601).', examples: [IPSEC_REMOTE_EXAMPLE.established_since] }),
  local_addr: z.string().optional().meta({ description: "This side's address.", examples: [IPSEC_REMOTE_EXAMPLE.local_addr] }),
  remote_addr: z.string().optional().meta({ description: "The peer's address.", examples: [IPSEC_REMOTE_EXAMPLE.remote_addr] }),
  local_id: z.string().optional().meta({ description: "This side's IKE identity.", examples: [IPSEC_REMOTE_EXAMPLE.local_id] }),
  remote_id: z.string().optional().meta({ description: "The peer's IKE identity.", examples: [IPSEC_REMOTE_EXAMPLE.remote_id] }),
  initiator: z.boolean().optional().meta({ description: 'True when this side started the IKE SA.', examples: [IPSEC_REMOTE_EXAMPLE.initiator] }),
  child_sas: z.array(childSaSchema).meta({ description: 'The child SAs (connections) that are up or coming up.', examples: [[CHILD_SA_EXAMPLE]] }),
  configured: z.boolean().meta({ description: 'False for an SA whose connection is not a remote of the ipsec config.', examples: [true] }),
  message: z.string().optional().meta({ description: 'Why the state is unknown.', examples: ['charon does not answer'] }),
  missing_children: z.array(z.string()).optional().meta({ description: 'Connections this side starts that are neither up nor coming up.', examples: [['connA']] }),
});

export const ipsecStatusSchema = z
  .object({
    InitConnection: z.enum(['success', 'fail']).meta({
      description:
        '`fail`: a connection this side starts (startaction start, one peer) is neither up nor coming up, or charon cannot be asked; the controller then restarts the ipsec service.',
      examples: ['success'],
    }),
    details: z.array(ipsecRemoteSchema).meta({ description: 'Per remote of the ipsec config, then SAs of no configured remote.', examples: [[IPSEC_REMOTE_EXAMPLE]] }),
  })
  .meta({ description: "The ipsec module, in the shape ICN's controller reads.", examples: [{ InitConnection: 'success', details: [IPSEC_REMOTE_EXAMPLE] }] });

const SERVICE_RECORD_EXAMPLE = { action: 'reload', trigger: 'auto', ok: true, at: '2026-12-01T09:00:00.000Z' } as const;
const serviceRecordSchema = z.object({
  action: z.enum(SERVICE_ACTIONS).meta({ description: 'The action run.', examples: ['reload'] }),
  trigger: z.enum(['auto', 'explicit']).meta({ description: '`auto`: the reload after a change; `explicit`: a request to the service path.', examples: ['auto'] }),
  ok: z.boolean().meta({ description: 'True when the init script succeeded.', examples: [true] }),
  message: z.string().optional().meta({ description: 'The output of a failed init script.', examples: ['Command failed: /etc/init.d/mwan3 reload'] }),
  at: z.string().meta({ description: 'When it ended (ISO 8601).', examples: ['2026-12-01T09:00:00.000Z'] }),
});

const wanStatusSchema = z.record(z.string(), z.unknown()).meta({
  description: 'The object of `ubus call mwan3 status` as is; without ubus, the mwan3 interfaces in the interface_status shape, status `unknown`.',
  examples: [{ interfaces: { 'ovn-net1': { enabled: true, running: true, up: true, score: 20, lost: 0, status: 'online', age: 3 } } }],
});

const servicesStatusSchema = z.record(z.enum(SERVICE_NAMES), serviceRecordSchema.nullable()).meta({
  description: 'The last action run per service (automatic reload or explicit), or null.',
  examples: [{ mwan3: SERVICE_RECORD_EXAMPLE, firewall: null, ipsec: null, network: null }],
});

/** `{"name": <module>, "status": ...}`: the name described once. */
const moduleName = <const N extends string>(name: N) =>
  z.literal(name).meta({ description: 'The module.', examples: [name] });

const wireguardPeerStatusSchema = z.object({
  name: z.string().meta({ description: 'The peer of the tunnel with that public key ("" for one the config does not have).', examples: ['site-b'] }),
  public_key: z.string().meta({ description: "The peer's public key.", examples: ['mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs='] }),
  endpoint: z.string().optional().meta({ description: 'Where its packets come from (or the configured endpoint before any).', examples: ['10.98.0.2:51820'] }),
  allowed_ips: z.array(z.string()).meta({ description: 'The addresses routed to the peer.', examples: [['10.77.0.2/32', '192.168.20.0/24']] }),
  latest_handshake: z.string().optional().meta({ description: 'ISO 8601; absent before the first handshake.', examples: ['2026-12-01T09:30:00.000Z'] }),
  latest_handshake_age: z.int().optional().meta({ description: 'Seconds since the latest handshake.', examples: [42] }),
  transfer_rx: z.int().meta({ description: 'Bytes received from the peer.', examples: [1480] }),
  transfer_tx: z.int().meta({ description: 'Bytes sent to the peer.', examples: [1632] }),
  persistent_keepalive: z.int().optional().meta({ description: 'Seconds between keepalives (0 or absent: none).', examples: [25] }),
});

export const wireguardStatusSchema = z
  .array(
    z.object({
      name: z.string().meta({ description: 'The tunnel.', examples: ['wg0'] }),
      state: z.enum(['up', 'down', 'unknown']).meta({ description: '`down`: wg knows no such interface; `unknown`: wg could not be asked (see `reason`).', examples: ['up'] }),
      reason: z.string().optional().meta({ description: 'Why the state is unknown.', examples: ['wg not found'] }),
      public_key: z.string().optional().meta({ description: 'The public key of the tunnel (its private key is never shown).', examples: ['mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs='] }),
      listen_port: z.int().optional().meta({ description: 'The UDP port it listens on.', examples: [51820] }),
      peers: z.array(wireguardPeerStatusSchema).meta({
        description: 'Its peers.',
        examples: [[{ name: 'site-b', public_key: 'mGJiflpg+AW/O9h/X44r/khUHfzSJcSq0PzRWQK/hHs=', endpoint: '10.98.0.2:51820', allowed_ips: ['10.77.0.2/32'], transfer_rx: 1480, transfer_tx: 1632 }]],
      }),
    }),
  )
  .meta({
    description: 'Per WireGuard tunnel of the API, from `wg show <if> dump`.',
    examples: [[{ name: 'wg0', state: 'up', listen_port: 51820, peers: [] }]],
  });

export const moduleStatusSchema = z
  .discriminatedUnion('name', [
    z.object({ name: moduleName('conntrack'), status: conntrackStatusSchema }),
    z.object({ name: moduleName('interface'), status: linkStatusSchema }),
    z.object({ name: moduleName('ipsec'), status: ipsecStatusSchema }),
    z.object({ name: moduleName('route'), status: routeStatusSchema }),
    z.object({ name: moduleName('rule'), status: ruleStatusSchema }),
    z.object({ name: moduleName('wan'), status: wanStatusSchema }),
    z.object({ name: moduleName('services'), status: servicesStatusSchema }),
    z.object({ name: moduleName('wireguard'), status: wireguardStatusSchema }),
  ])
  .meta({ description: '`{"name": <module>, "status": <its status>}`, the SdewanModuleStatus of the controller.' });

// A recorded answer (test/reference/mwan3/ubus-mwan3-status.json): the examples are its values.
const TRACK_IP_EXAMPLE = { status: 'up', latency: 12, packetloss: 0, ip: '8.8.8.8' };
const trackIpSchema = z.object({
  status: z.string().meta({ description: 'The tracked host: `up`, `down`, or `skipped`.', examples: ['up'] }),
  latency: z.int().meta({ description: 'The last round trip, milliseconds.', examples: [12] }),
  packetloss: z.int().meta({ description: 'Lost probes, percent.', examples: [0] }),
  ip: z.string().meta({ description: 'The tracked host.', examples: ['8.8.8.8'] }),
});

const INTERFACE_EXAMPLE = { running: true, score: 20, lost: 0, status: 'online', age: 3, turn: 0, track_ip: [TRACK_IP_EXAMPLE] };
const interfaceStatusSchema = z.object({
  running: z.boolean().meta({ description: 'True while mwan3track watches the interface.', examples: [true] }),
  score: z.int().meta({ description: "mwan3track's score: up at `up` + `down` successes.", examples: [20] }),
  lost: z.int().meta({ description: 'Failed tests in a row.', examples: [0] }),
  status: z.string().meta({ description: '`online`, `offline`, `connecting`, `disconnecting`, `disabled` or `unknown`.', examples: ['online'] }),
  age: z.int().meta({ description: 'Seconds since the last test.', examples: [3] }),
  turn: z.int().meta({ description: 'Tests done since the state changed.', examples: [0] }),
  track_ip: z.array(trackIpSchema).meta({ description: 'Per tracked host.', examples: [[TRACK_IP_EXAMPLE]] }),
});

export const mwan3InterfaceStatusSchema = z.object({
  interfaces: z.record(z.string(), interfaceStatusSchema).meta({ description: 'By mwan3 interface name.', examples: [{ 'ovn-net1': INTERFACE_EXAMPLE }] }),
  connected: z
    .object({
      ipv4: z.array(z.string()).meta({ description: 'IPv4 networks.', examples: [['10.0.3.0/24', '192.168.56.0/24']] }),
      ipv6: z.array(z.string()).meta({ description: 'IPv6 networks.', examples: [['fe80::/64']] }),
    })
    .meta({ description: 'The networks the box is directly connected to (mwan3 leaves them to the main table).', examples: [{ ipv4: ['10.0.3.0/24'], ipv6: ['fe80::/64'] }] }),
});
export type Mwan3InterfaceStatus = z.infer<typeof mwan3InterfaceStatusSchema>;

export const healthSchema = z.object({
  status: z.literal('ok').meta({ description: 'The process answers.', examples: ['ok'] }),
  version: z.string().meta({ description: "The agent's version (package.json's).", examples: ['0.1.0'] }),
});
export const readySchema = z.object({ status: z.literal('ready').meta({ description: 'The UCI config directory can be read.', examples: ['ready'] }) });
