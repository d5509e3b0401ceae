// Generated from the agent's types (src/client-types.ts) by `npm run catalog`; do not edit.
// The objects and answers of the agent's API, written out so that they import nothing.
export type FirewallForwarding = {
  name: string;
  src: string;
  dest: string;
  family?: 'ipv4' | 'ipv6' | 'any';
};

export type FirewallRedirect = {
  name: string;
  src?: string;
  src_ip?: string;
  src_dip?: string;
  src_mac?: string;
  src_port?: string;
  src_dport?: string;
  proto?: 'tcp' | 'udp' | 'tcpudp' | 'udplite' | 'icmp' | 'esp' | 'ah' | 'sctp' | 'all';
  dest?: string;
  dest_ip?: string;
  dest_port?: string;
  mark?: string;
  target?: 'DNAT' | 'SNAT';
  family?: 'ipv4' | 'ipv6' | 'any';
};

export type FirewallRule = {
  name: string;
  src?: string;
  src_ip?: string;
  src_mac?: string;
  src_port?: string;
  proto?: 'tcp' | 'udp' | 'tcpudp' | 'udplite' | 'icmp' | 'esp' | 'ah' | 'sctp' | 'all';
  icmp_type?: string[];
  dest?: string;
  dest_ip?: string;
  dest_port?: string;
  mark?: string;
  target?: 'ACCEPT' | 'REJECT' | 'DROP' | 'MARK' | 'NOTRACK';
  set_mark?: string;
  set_xmark?: string;
  family?: 'ipv4' | 'ipv6' | 'any';
  /** Raw iptables arguments for firewall3; firewall4 ignores the option with a warning. */
  extra?: string;
};

export type FirewallZone = {
  name: string;
  network?: string[];
  masq?: '0' | '1';
  masq_src?: string[];
  masq_dest?: string[];
  masq_allow_invalid?: '0' | '1';
  mtu_fix?: '0' | '1';
  input?: 'ACCEPT' | 'REJECT' | 'DROP';
  forward?: 'ACCEPT' | 'REJECT' | 'DROP';
  output?: 'ACCEPT' | 'REJECT' | 'DROP';
  family?: 'ipv4' | 'ipv6' | 'any';
  subnet?: string[];
  extra_src?: string;
  etra_dest?: string;
};

export type IpsecConnection = {
  name: string;
  mode: 'start' | 'add' | 'route';
  conn_type?: 'tunnel' | 'transport';
  /** The 2020 name of conn_type (ICN's e2e script sends it); read back under the name sent. */
  type?: 'tunnel' | 'transport';
  local_subnet?: string;
  local_nat?: string;
  local_sourceip?: string;
  local_updown?: string;
  local_firewall?: 'yes' | 'no';
  remote_subnet?: string;
  remote_sourceip?: string;
  remote_updown?: string;
  remote_firewall?: 'yes' | 'no';
  crypto_proposal?: string[];
  mark?: string;
  if_id?: string;
};

export type IpsecProposal = {
  name: string;
  encryption_algorithm: string;
  hash_algorithm?: string;
  dh_group?: string;
};

export type IpsecRemote = {
  name: string;
  gateway: string;
  authentication_method: 'psk' | 'pubkey';
  type?: string;
  pre_shared_key?: string;
  local_identifier?: string;
  remote_identifier?: string;
  crypto_proposal?: string[];
  force_crypto_proposal?: '0' | '1';
  local_public_cert?: string;
  local_private_cert?: string;
  shared_ca?: string;
  connections?: IpsecConnection[];
};

export type Mwan3Interface = {
  name: string;
  enabled?: '0' | '1';
  initial_state?: 'online' | 'offline';
  family?: 'ipv4' | 'ipv6';
  track_method?: 'ping' | 'arping' | 'httping' | 'nping-tcp' | 'nping-udp' | 'nping-icmp' | 'nping-arp';
  track_ip?: string[];
  reliability?: string;
  count?: string;
  size?: string;
  max_ttl?: string;
  check_quality?: '0' | '1';
  failure_latency?: string;
  recovery_latency?: string;
  failure_loss?: string;
  recovery_loss?: string;
  timeout?: string;
  interval?: string;
  failure_interval?: string;
  recovery_interval?: string;
  keep_failure_interval?: '0' | '1';
  up?: string;
  down?: string;
  flush_conntrack?: string[];
  httping_ssl?: '0' | '1';
};

export type Mwan3Member = {
  interface: string;
  name: string;
  metric?: string;
  weight?: string;
};

export type Mwan3Policy = {
  name: string;
  members?: {
    interface: string;
    metric?: string;
    weight?: string;
  }[];
};

export type Mwan3Rule = {
  name: string;
  policy?: string;
  src_ip?: string;
  src_port?: string;
  dest_ip?: string;
  dest_port?: string;
  proto?: 'tcp' | 'udp' | 'icmp' | 'all';
  family?: 'ipv4' | 'ipv6' | 'all';
  sticky?: '0' | '1';
  timeout?: string;
  ipset?: string;
  logging?: '0' | '1';
};

export type Mwan3SlaPolicy = {
  name: string;
  members: {
    interface: string;
    metric?: string;
    weight?: string;
  }[];
  sla: {
    latency_ms: string;
    loss_percent: string;
    jitter_ms?: string;
  };
};

export type SlaMemberStatus = {
  interface: string;
  mwan3_status: string;
  online: boolean;
  in_use: boolean;
  latency_ms: null | number;
  jitter_ms: null | number;
  loss_percent: null | number;
  meets_sla: null | boolean;
  breaches: ('latency_ms' | 'jitter_ms' | 'loss_percent')[];
  track_ip: {
    ip: string;
    status: string;
    latency_ms: null | number;
    jitter_ms: null | number;
    loss_percent: null | number;
    samples: number;
  }[];
  metric?: string;
  weight?: string;
};

export type SlaPolicyStatus = {
  name: string;
  sla: {
    latency_ms: string;
    loss_percent: string;
    jitter_ms?: string;
  };
  source: 'ubus' | 'none';
  members: SlaMemberStatus[];
};

export type Nat = {
  name: string;
  target: 'DNAT' | 'SNAT' | 'MASQUERADE';
  src?: string;
  src_ip?: string;
  src_dip?: string;
  src_port?: string;
  src_dport?: string;
  proto?: 'tcp' | 'udp' | 'tcpudp' | 'udplite' | 'icmp' | 'esp' | 'ah' | 'sctp' | 'all';
  dest?: string;
  dest_ip?: string;
  dest_port?: string;
  index?: string;
};

export type NetworkApplication = {
  name: string;
  iplist?: string;
};

export type NetworkRoute = {
  name: string;
  dst: string;
  dev: string;
  src?: string;
  gw?: string;
  table?: 'default' | 'cnf';
};

export type NetworkRule = {
  name: string;
  src?: string;
  dst?: string;
  prio?: string;
  fwmark?: string;
  table?: string;
  flag?: boolean;
};

export type NetworkFirewallRule = {
  name: string;
  src: string;
  target: 'ACCEPT' | 'REJECT' | 'DROP' | 'MARK' | 'NOTRACK';
  src_ip?: string;
  src_mac?: string;
  src_port?: string;
  proto?: 'tcp' | 'udp' | 'tcpudp' | 'udplite' | 'icmp' | 'esp' | 'ah' | 'sctp' | 'all';
  icmp_type?: string[];
  dest?: string;
  dest_ip?: string;
  dest_port?: string;
  mark?: string;
  set_mark?: string;
  set_xmark?: string;
  family?: 'ipv4' | 'ipv6' | 'any';
  extra?: string;
};

export type WireguardPeer = {
  name: string;
  public_key: string;
  preshared_key?: string;
  endpoint?: string;
  allowed_ips?: string[];
  persistent_keepalive?: string;
  route_allowed_ips?: '0' | '1';
};

export type WireguardTunnel = {
  name: string;
  private_key?: string;
  listen_port?: string;
  addresses?: string[];
  mtu?: string;
  peers?: WireguardPeer[];
};

export type WireguardTunnelStatus = {
  name: string;
  /** up: the interface runs; down: `wg` knows no such interface; unknown: `wg` could not be asked. */
  state: 'unknown' | 'up' | 'down';
  reason?: string;
  public_key?: string;
  listen_port?: number;
  peers: PeerStatus[];
};

export type ChangeSet = {
  id: string;
  state: 'pending' | 'confirmed' | 'rolled_back';
  created_at: string;
  packages: string[];
  services: ServiceName[];
  deadline?: string;
  confirmed_at?: string;
  rolled_back_at?: string;
  rolled_back_because?: string;
};

export type ChangeSetAnswer = {
  id: string;
  state: 'pending' | 'confirmed' | 'rolled_back';
  created_at: string;
  packages: string[];
  services: ServiceName[];
  results: ({
    [key: string]: unknown;
  } | {
    message: 'success';
  })[];
  deadline?: string;
  confirmed_at?: string;
  rolled_back_at?: string;
  rolled_back_because?: string;
};

export type ChangeSetRequest = {
  changes: {
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: string;
    body?: {
      [key: string]: unknown;
    };
  }[];
  rollback_after?: number;
};

export type DryRunResult = {
  dry_run: true;
  batch: string;
};

export type Message = {
  message: string;
};

export type ServiceAction = 'start' | 'stop' | 'restart' | 'reload';

export type ServiceList = {
  services: ServiceName[];
};

export type ConntrackEntry = {
  protocol: 'tcp' | 'udp';
  request: ConntrackEndpoints;
  response: ConntrackEndpoints;
  mark?: string;
  state?: string;
};

export type InterfaceStatus = {
  name: string;
  ip_address?: string[];
  ip6_address?: string[];
  mac_address?: string;
  received_packets?: string;
  send_packets?: string;
  status: 'UP' | 'DOWN';
};

export type RouteStatus = {
  [key: string]: {
    item: RouteEntry[];
  };
};

export type RuleEntry = {
  src?: string;
  dst?: string;
  prio: string;
  fwmark?: string;
  table?: string;
  not: 'true' | 'false';
  action?: string;
};

/** A service the agent manages: a row of the table, so none can be half-declared. */
export type ServiceName = 'network' | 'firewall' | 'mwan3' | 'ipsec';

export type IpsecModuleStatus = {
  InitConnection: 'success' | 'fail';
  details: IpsecRemoteDetail[];
};

export type IpsecRemoteDetail = RemoteStatus & {
  missing_children?: string[];
};

/** The status of one remote site (one `config remote` of the ipsec config, or an SA not in it). */
export type RemoteStatus = {
  name: string;
  state: RemoteState;
  /** strongSwan's IKE SA state (ESTABLISHED, CONNECTING, ...) of the SA reported. */
  ike_state?: string;
  /** Seconds since the IKE SA was established, and the moment that was. */
  established?: number;
  established_since?: string;
  local_addr?: string;
  remote_addr?: string;
  local_id?: string;
  remote_id?: string;
  initiator?: boolean;
  child_sas: ChildSaStatus[];
  /** False for an SA whose connection is not a remote of the ipsec config. */
  configured: boolean;
  /** Why the state is unknown. */
  message?: string;
};

/** A config object created, updated or deleted, through the API or by hand. */
export type ConfigEventData = {
  /** `<domain>/<collection>`, as in the API's path: `mwan3/rules`. */
  kind: string;
  name: string;
  change: 'created' | 'updated' | 'deleted';
  /** `api`: written by the agent; `file`: found changed in the config directory. */
  source: 'file' | 'api';
};

export type EventDataOf = {
  config: ConfigEventData;
  reload: ReloadEventData;
  wan: WanEventData;
  ipsec: IpsecEventData;
  /** Sent (never stored) when the id asked to resume from is no longer in the buffer. */
  reset: {
    oldest: number;
    last: number;
  };
};

export type EventType = 'reload' | 'ipsec' | 'config' | 'wan' | 'reset';

/** An IKE SA (child absent) or a child SA of a remote that went up or down. */
export type IpsecEventData = {
  remote: string;
  child?: string;
  state: 'up' | 'down';
};

/** A service action run by the agent (the reload after writes, or an explicit action). */
export type ReloadEventData = {
  service: string;
  action: string;
  trigger: 'auto' | 'explicit';
  ok: boolean;
  timedOut?: boolean;
  at: string;
};

/** An mwan3 interface whose status changed (`online`, `offline`, ... as mwan3 says). */
export type WanEventData = {
  interface: string;
  status: string;
  previous: string;
};

/** One event of the stream, of any type (`type` tells which `data` it carries). */
export type AgentEvent = {
  id: number;
  type: EventType;
  data: ConfigEventData | IpsecEventData | ReloadEventData | WanEventData | {
    oldest: number;
    last: number;
  };
};

export type Mwan3InterfaceStatus = {
  interfaces: {
    [key: string]: LegacyInterfaceStatus;
  };
  connected: {
    ipv4: string[];
    ipv6: string[];
  };
};

export type NetworkInterfaceUses = {
  mwan3_interface: boolean;
  mwan3_policies: string[];
  firewall_zones: string[];
  wireguard_tunnels: string[];
  ipsec: boolean;
};

export type NetworkInterface = {
  name: string;
  proto?: string;
  device?: string;
  network?: string;
  state: 'up' | 'down' | 'absent';
  addresses: string[];
  default_route: ('ipv4' | 'ipv6')[];
  used_by: NetworkInterfaceUses;
};

/** The object type of every collection (and alias), by domain: derived from the registry. */
export type ResourceTypes = {
  route: {
    routes: NetworkRoute;
  };
  firewall: {
    zones: FirewallZone;
    rules: FirewallRule;
    forwardings: FirewallForwarding;
    redirects: FirewallRedirect;
  };
  mwan3: {
    policies: Mwan3Policy;
    slapolicies: Mwan3SlaPolicy;
    rules: Mwan3Rule;
    interfaces: Mwan3Interface;
    members: Mwan3Member;
  };
  ipsec: {
    proposals: IpsecProposal;
    remotes: IpsecRemote;
    sites: IpsecRemote;
  };
  rule: {
    rules: NetworkRule;
  };
  nat: {
    nats: Nat;
  };
  networkfirewall: {
    rules: NetworkFirewallRule;
  };
  application: {
    applications: NetworkApplication;
  };
  wireguard: {
    tunnels: WireguardTunnel;
  };
};

/** The last action run per service (automatic reload or explicit), as `status/services` answers it. */
export type ServiceRecord = {
  message?: string;
  /** When the action finished (ISO 8601). */
  at: string;
  action: ServiceAction;
  /** `auto`: the reload after committed changes; `explicit`: PUT /sdewan/v1/service/{name}. */
  trigger: 'auto' | 'explicit';
  ok: boolean;
};

/** What `GET status/{module}` answers, per module (ICN's Lua shapes; README "Status modules"). */
export type StatusModules = {
  /** TCP and UDP connections of the conntrack table. */
  conntrack: ConntrackEntry[];
  /** Network devices except lo. */
  interface: InterfaceStatus[];
  /** `InitConnection` ("fail": the controller restarts ipsec) and the status per remote. */
  ipsec: IpsecModuleStatus;
  /** IPv4 routes per table that a rule looks up. */
  route: RouteStatus;
  /** IPv4 policy rules. */
  rule: RuleEntry[];
  /** The object of `ubus call mwan3 status`, or the interface_status shape without ubus. */
  wan: {
    [key: string]: unknown;
  };
  services: {
    network: null | ServiceRecord;
    firewall: null | ServiceRecord;
    mwan3: null | ServiceRecord;
    ipsec: null | ServiceRecord;
  };
  /** Per WireGuard tunnel: state, and per peer the latest handshake and the bytes sent and received. */
  wireguard: WireguardTunnelStatus[];
};

export type PeerStatus = {
  name: string;
  public_key: string;
  endpoint?: string;
  allowed_ips: string[];
  /** ISO 8601; absent before the first handshake. */
  latest_handshake?: string;
  /** Seconds since it, at the time of the answer. */
  latest_handshake_age?: number;
  transfer_rx: number;
  transfer_tx: number;
  persistent_keepalive?: number;
};

export type ConntrackEndpoints = {
  src: string;
  dst: string;
};

export type RouteEntry = {
  gateway?: string;
  device?: string;
  destination: string;
  scope?: string;
  proto?: string;
  metric?: string;
  src?: string;
  type?: string;
};

export type RemoteState = 'unknown' | 'up' | 'down' | 'connecting';

export type ChildSaStatus = {
  name: string;
  state: string;
  mode?: string;
  protocol?: string;
  local_ts: string[];
  remote_ts: string[];
  bytes_in: number;
  bytes_out: number;
  packets_in: number;
  packets_out: number;
  /** Seconds since installed, and the moment that was. */
  installed?: number;
  installed_since?: string;
  rekey_in?: number;
  expires_in?: number;
  spi_in?: string;
  spi_out?: string;
};

export type LegacyInterfaceStatus = {
  running: boolean;
  score: number;
  lost: number;
  status: string;
  age: number;
  turn: number;
  track_ip: LegacyTrackIp[];
};

export type LegacyTrackIp = {
  status: string;
  latency: number;
  packetloss: number;
  ip: string;
};
