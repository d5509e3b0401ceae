// Generated from the registry (src/resources/index.ts) and src/paths.ts by `npm run catalog`; do not edit.
// Where each collection is served and the key of its list answer.
export const CATALOG = {
  mwan3: {
    policies: { path: '/sdewan/mwan3/v1/policies', key: 'policies' },
    slapolicies: { path: '/sdewan/mwan3/v1/slapolicies', key: 'slapolicies' },
    rules: { path: '/sdewan/mwan3/v1/rules', key: 'rules' },
    interfaces: { path: '/sdewan/mwan3/v1/interfaces', key: 'interfaces' },
    members: { path: '/sdewan/mwan3/v1/members', key: 'members' },
  },
  firewall: {
    zones: { path: '/sdewan/firewall/v1/zones', key: 'zones' },
    rules: { path: '/sdewan/firewall/v1/rules', key: 'rules' },
    forwardings: { path: '/sdewan/firewall/v1/forwardings', key: 'forwardings' },
    redirects: { path: '/sdewan/firewall/v1/redirects', key: 'redirects' },
  },
  nat: {
    nats: { path: '/sdewan/nat/v1/nats', key: 'nats' },
  },
  networkfirewall: {
    rules: { path: '/sdewan/networkfirewall/v1/rules', key: 'rules' },
  },
  ipsec: {
    proposals: { path: '/sdewan/ipsec/v1/proposals', key: 'proposals' },
    remotes: { path: '/sdewan/ipsec/v1/remotes', key: 'remotes' },
    sites: { path: '/sdewan/ipsec/v1/sites', key: 'sites' },
  },
  route: {
    routes: { path: '/sdewan/route/v1/routes', key: 'routes' },
  },
  rule: {
    rules: { path: '/sdewan/rule/v1/rules', key: 'rules' },
  },
  application: {
    applications: { path: '/sdewan/application/v1/applications', key: 'applications' },
  },
  wireguard: {
    tunnels: { path: '/sdewan/wireguard/v1/tunnels', key: 'tunnels' },
  },
} as const;

/** What every path of this file is relative to; a form POST here logs in. */
export const LUCI_BASE = '/cgi-bin/luci';

/** The other paths the client asks, relative to LUCI_BASE. */
export const PATHS = {
  logout: '/admin/logout',
  services: '/sdewan/v1/services',
  service: '/sdewan/v1/service',
  status: '/sdewan/v1/status',
  mwan3InterfaceStatus: '/admin/status/mwan/interface_status',
  networkInterfaces: '/sdewan/network/v1/interfaces',
  changes: '/sdewan/v1/changes',
  events: '/sdewan/v1/events',
  metrics: '/metrics',
} as const;
