// The registry: every kind of object the API serves, once. The routes, the write path, the
// OpenAPI document and the client package's catalog and types (packages/client/src/, generated
// from this list by `npm run catalog`) all read it. Adding a kind is one file and one line here.
import { forwardings } from './firewall/forwardings.js';
import { redirects } from './firewall/redirects.js';
import { rules as firewallRules } from './firewall/rules.js';
import { zones } from './firewall/zones.js';
import { proposals } from './ipsec/proposals.js';
import { remotes } from './ipsec/remotes.js';
import { interfaces } from './mwan3/interfaces.js';
import { members } from './mwan3/members.js';
import { nats } from './nat/nats.js';
import { applications } from './network/applications.js';
import { routes } from './network/routes.js';
import { rules as routeRules } from './network/rules.js';
import { networkFirewallRules } from './networkfirewall/rules.js';
import { policies } from './mwan3/policies.js';
import { rules as mwan3Rules } from './mwan3/rules.js';
import { slaPolicies } from './mwan3/slapolicies.js';
import { tunnels as wireguardTunnels } from './wireguard/tunnels.js';
import type { Resource } from './types.js';

export const RESOURCES = [
  policies,
  slaPolicies,
  mwan3Rules,
  interfaces,
  members,
  zones,
  firewallRules,
  forwardings,
  redirects,
  nats,
  networkFirewallRules,
  proposals,
  remotes,
  routes,
  routeRules,
  applications,
  wireguardTunnels,
] as const satisfies readonly Resource[];

export type { Resource };
