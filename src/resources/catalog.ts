// The client's view of the registry: where each collection is served and the key of its list,
// without the schemas (the client stays free of zod). `npm run catalog` writes it to
// src/client/catalog.ts; test/structure/catalog.test.ts checks that file is current.
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

/** The text of src/client/catalog.ts. */
export function catalogModule(resources: readonly Resource[]): string {
  const domains = Object.entries(catalogOf(resources)).map(
    ([domain, collections]) =>
      `  ${domain}: {\n${Object.entries(collections)
        .map(([segment, e]) => `    ${segment}: { path: '${e.path}', key: '${e.key}' },\n`)
        .join('')}  },\n`,
  );
  return `// Generated from the registry (src/resources/index.ts) by \`npm run catalog\`; do not edit.
// Where each collection is served and the key of its list answer.
export const CATALOG = {\n${domains.join('')}} as const;\n`;
}
