// The client's view of the registry: where each collection is served and the key of its list,
// without the schemas (the client stays free of zod), and the fixed paths it asks. `npm run
// catalog` writes it to packages/client/src/catalog.ts; test/structure/catalog.test.ts checks
// that file is current.
import { LOGOUT_PATH, LUCI_BASE, MWAN3_INTERFACE_STATUS_PATH, SERVICE_PATH, SERVICES_PATH, STATUS_PATH, underLuci, CHANGES_PATH, EVENTS_PATH, METRICS_PATH, NETWORK_INTERFACES_PATH } from '../paths.js';
import type { Resource } from './types.js';

export interface CatalogEntry {
  /** Path under /cgi-bin/luci. */
  path: string;
  /** Key of the list in the answer of `GET path`. */
  key: string;
}

export type Catalog = Record<string, Record<string, CatalogEntry>>;

/** domain -> collection (and alias) -> path and list key. */
export function catalogOf(resources: readonly Resource[]): Catalog {
  const out: Catalog = {};
  for (const kind of resources) {
    const domain = (out[kind.domain] ??= {});
    for (const segment of [kind.collection, ...(kind.aliases ?? [])]) domain[segment] = { path: `${kind.prefix}/${segment}`, key: segment };
  }
  return out;
}

/** The fixed paths the client asks (besides the login, a POST to LUCI_BASE), relative to LUCI_BASE. */
export const CLIENT_PATHS = {
  logout: underLuci(LOGOUT_PATH),
  services: underLuci(SERVICES_PATH),
  service: underLuci(SERVICE_PATH),
  status: underLuci(STATUS_PATH),
  mwan3InterfaceStatus: underLuci(MWAN3_INTERFACE_STATUS_PATH),
  networkInterfaces: underLuci(NETWORK_INTERFACES_PATH),
  changes: underLuci(CHANGES_PATH),
  events: underLuci(EVENTS_PATH),
  /** Outside LuCI's base: an absolute path. */
  metrics: METRICS_PATH,
};

/** The text of packages/client/src/catalog.ts. */
export function catalogModule(resources: readonly Resource[]): string {
  const domains = Object.entries(catalogOf(resources)).map(
    ([domain, collections]) =>
      `  ${domain}: {\n${Object.entries(collections)
        .map(([segment, e]) => `    ${segment}: { path: '${e.path}', key: '${e.key}' },\n`)
        .join('')}  },\n`,
  );
  const paths = Object.entries(CLIENT_PATHS).map(([name, p]) => `  ${name}: '${p}',\n`);
  return `// Generated from the registry (src/resources/index.ts) and src/paths.ts by \`npm run catalog\`; do not edit.
// Where each collection is served and the key of its list answer.
export const CATALOG = {\n${domains.join('')}} as const;

/** What every path of this file is relative to; a form POST here logs in. */
export const LUCI_BASE = '${LUCI_BASE}';

/** The other paths the client asks, relative to LUCI_BASE. */
export const PATHS = {\n${paths.join('')}} as const;\n`;
}
