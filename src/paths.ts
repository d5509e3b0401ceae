// Every path the agent serves under LuCI's base, in one place (the client's generated catalog copies those it asks).

/** The base of every API path, as LuCI serves it. */
export const LUCI_BASE = '/cgi-bin/luci';

/** A form POST here logs in (LuCI's own login page). */
export const LOGIN_PATHS = [LUCI_BASE, `${LUCI_BASE}/`] as const;
/** Where a login or logout redirects; also the path of the session cookie. */
export const LUCI_HOME = `${LUCI_BASE}/`;
export const LOGOUT_PATH = `${LUCI_BASE}/admin/logout`;

/** The path of a domain's collections, `/sdewan/<domain>/v1` (relative to LUCI_BASE). */
export const domainPrefix = (domain: string) => `/sdewan/${domain}/v1`;

/** Services and status (contract §5, §6). */
export const SDEWAN_V1 = `${LUCI_BASE}/sdewan/v1`;
export const SERVICES_PATH = `${SDEWAN_V1}/services`;
export const SERVICE_PATH = `${SDEWAN_V1}/service`;
export const STATUS_PATH = `${SDEWAN_V1}/status`;
/** Change sets: several writes as one, with an optional rollback unless confirmed. */
export const CHANGES_PATH = `${SDEWAN_V1}/changes`;
/** The event stream (text/event-stream). */
export const EVENTS_PATH = `${SDEWAN_V1}/events`;

/** The pod's networks, read-only: the logical interfaces of the network config and what uses them. */
export const NETWORK_INTERFACES_PATH = `${LUCI_BASE}${domainPrefix('network')}/interfaces`;

/** Prometheus metrics: outside LuCI's base, where scrapers look (a session or a bearer token). */
export const METRICS_PATH = '/metrics';

/** LuCI's own mwan3 status pages. */
export const MWAN3_INTERFACE_STATUS_PATH = `${LUCI_BASE}/admin/status/mwan/interface_status`;
export const MWAN3_DETAILED_STATUS_PATH = `${LUCI_BASE}/admin/status/mwan/detailed_status`;

/** The API's description (served without a login). */
export const OPENAPI_PATH = `${LUCI_BASE}/sdewan/openapi.json`;
export const DOCS_PATH = `${LUCI_BASE}/sdewan/docs`;

/** A path above relative to LUCI_BASE (`/sdewan/v1/services`), as the client's requests take them. */
export const underLuci = (absolute: string) => absolute.slice(LUCI_BASE.length);
