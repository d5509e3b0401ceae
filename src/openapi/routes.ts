// The OpenAPI document and its Swagger UI, served without a login: the document describes
// the API (it is generated from the open source code) and holds no secret, and a public
// page is what a person reaching for the API first needs. Every route registered here is
// marked `config.public`, which the auth gate (src/auth) lets through.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../config.js';
import type { ResourceDef } from '../resources/types.js';
import { buildOpenApiDocument, DOCS_PATH, OPENAPI_PATH, type OpenApiDocument } from './document.js';

export { DOCS_PATH, OPENAPI_PATH } from './document.js';

export interface DocsOptions {
  /** The resource kinds the API serves (src/http/api.ts `resources`). */
  resources: readonly ResourceDef<{ name: string }>[];
  /** Directory of Swagger UI's static files (default: the one inside @fastify/swagger-ui). */
  uiAssetsDir?: string;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The document of the given resources, with the package's version. */
export function openApiDocument(resources: DocsOptions['resources']): OpenApiDocument {
  return buildOpenApiDocument({ resources, version: packageVersion() });
}

/** GET /cgi-bin/luci/sdewan/openapi.json and the Swagger UI at /cgi-bin/luci/sdewan/docs. */
export async function registerDocs(app: FastifyInstance, opts: DocsOptions): Promise<void> {
  await app.register(async (docs) => {
    // Public: applies to the routes of this plugin and of the plugins registered inside it.
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), public: true };
    });
    const document = openApiDocument(opts.resources);
    docs.get(OPENAPI_PATH, async () => document);
    await docs.register(swagger, { mode: 'static', specification: { document: document as never } });
    const baseDir = opts.uiAssetsDir;
    if (baseDir !== undefined && !existsSync(path.join(baseDir, 'swagger-ui-bundle.js'))) {
      throw new Error(`Swagger UI assets not found in ${baseDir}`);
    }
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PATH,
      ...(baseDir !== undefined ? { baseDir } : {}),
      uiConfig: { docExpansion: 'list', deepLinking: true, displayOperationId: false, tryItOutEnabled: false },
    });
  });
}
