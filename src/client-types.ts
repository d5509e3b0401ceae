// The types the client package (packages/client, `sdewan-agent-client`) publishes, taken from
// the agent's own modules. Type-only: `npm run catalog` prints each of them structurally into
// packages/client/src/types.ts (scripts/client-types.ts), so that the client's declarations
// import nothing of the server; test/client/types.test.ts checks both stay identical.
import type { AgentEvent as HubEvent, EventType } from './events/hub.js';
import type { RESOURCES } from './resources/index.js';
import type { TunnelStatus as WireguardTunnelStatusOf } from './status/wireguard.js';
import type { Resource } from './resources/types.js';
import type { ActionResult } from './services/reloader.js';
import type { ServiceName } from './services/table.js';
import type { ConntrackEntry } from './status/conntrack.js';
import type { IpsecModuleStatus } from './status/ipsec-module.js';
import type { InterfaceStatus } from './status/links.js';
import type { RouteStatus, RuleEntry } from './status/routes.js';

export type { FirewallForwarding } from './resources/firewall/forwardings.js';
export type { FirewallRedirect } from './resources/firewall/redirects.js';
export type { FirewallRule } from './resources/firewall/rules.js';
export type { FirewallZone } from './resources/firewall/zones.js';
export type { IpsecConnection } from './resources/ipsec/connections.js';
export type { IpsecProposal } from './resources/ipsec/proposals.js';
export type { IpsecRemote } from './resources/ipsec/remotes.js';
export type { Mwan3Interface } from './resources/mwan3/interfaces.js';
export type { Mwan3Member } from './resources/mwan3/members.js';
export type { Mwan3Policy } from './resources/mwan3/policies.js';
export type { Mwan3Rule } from './resources/mwan3/rules.js';
export type { Mwan3SlaPolicy } from './resources/mwan3/slapolicies.js';
export type { SlaMemberStatus, SlaPolicyStatus } from './resources/mwan3/sla-status.js';
export type { Nat } from './resources/nat/nats.js';
export type { NetworkApplication } from './resources/network/applications.js';
export type { NetworkRoute } from './resources/network/routes.js';
export type { NetworkRule } from './resources/network/rules.js';
export type { NetworkFirewallRule } from './resources/networkfirewall/rules.js';
/** A tunnel as read back has no `private_key` and its peers no `preshared_key` (write-only). */
export type { WireguardPeer, WireguardTunnel } from './resources/wireguard/tunnels.js';
export type { TunnelStatus as WireguardTunnelStatus } from './status/wireguard.js';
export type { ChangeSet, ChangeSetAnswer, ChangeSetRequest, DryRunResult, Message, ServiceAction, ServiceList } from './openapi/schemas.js';
export type { ConntrackEntry, InterfaceStatus, RouteStatus, RuleEntry, ServiceName };
export type { IpsecModuleStatus, IpsecRemoteDetail } from './status/ipsec-module.js';
export type { RemoteStatus } from './status/ipsec.js';
export type { ConfigEventData, EventDataOf, EventType, IpsecEventData, ReloadEventData, WanEventData } from './events/hub.js';
/** One event of the stream, of any type (`type` tells which `data` it carries). */
export type AgentEvent = HubEvent<EventType>;
export type { LegacyMwan3Status as Mwan3InterfaceStatus } from './status/mwan3.js';
/** A logical interface of the network config, its device as the kernel has it, and what uses it. */
export type { NetworkInterfaceUses, NetworkInterfaceView as NetworkInterface } from './status/networks.js';

type Kind = (typeof RESOURCES)[number];
type ObjectOf<K> = K extends Resource<infer T, string, string, string> ? T : never;
type SegmentsOf<K extends Kind> = K['collection'] | NonNullable<K['aliases']>[number];

/** The object type of every collection (and alias), by domain: derived from the registry. */
export type ResourceTypes = {
  [D in Kind['domain']]: { [K in Kind as K['domain'] extends D ? SegmentsOf<K> : never]: ObjectOf<K> };
};

/** The last action run per service (automatic reload or explicit), as `status/services` answers it. */
export type ServiceRecord = Pick<ActionResult, 'action' | 'trigger' | 'ok' | 'message' | 'at'>;

/** What `GET status/{module}` answers, per module (ICN's Lua shapes; README "Status modules"). */
export interface StatusModules {
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
  wan: Record<string, unknown>;
  services: Record<ServiceName, ServiceRecord | null>;
  /** Per WireGuard tunnel: state, and per peer the latest handshake and the bytes sent and received. */
  wireguard: WireguardTunnelStatusOf[];
}
