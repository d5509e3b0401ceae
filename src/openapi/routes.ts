// The OpenAPI document and its Swagger UI, served without a login: the document describes
// the API (it is generated from the open source code) and holds no secret, and a public
// page is what a person reaching for the API first needs. Every route registered here is
// marked `config.public`, which the auth gate (src/auth) lets through.
//
// Nothing here is loaded or built at start-up: the document is generated on its first
// request, and Swagger UI's files (shipped inside the @fastify/swagger-ui package) are read
// when asked for. The single-file bundle carries no such files: there the page answers 404.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Resource } from '../resources/types.js';
import type { OpenApiDocument } from './document.js';
import { DOCS_PATH, OPENAPI_PATH } from '../paths.js';
import { AGENT_VERSION } from '../version.js';

export interface DocsOptions {
  /** The resource kinds the API serves (the registry, src/resources/index.ts). */
  resources: readonly Resource[];
  /** Directory of Swagger UI's static files (default: the one inside @fastify/swagger-ui). */
  uiAssetsDir?: string;
}

/** The files of Swagger UI the page uses, with their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** The document of the given resources, with the package's version. */
export async function openApiDocument(resources: DocsOptions['resources']): Promise<OpenApiDocument> {
  const { buildOpenApiDocument } = await import('./document.js');
  return buildOpenApiDocument({ resources, version: AGENT_VERSION });
}

/** Where Swagger UI's files are, or undefined (the single-file bundle). */
function defaultAssetsDir(): string | undefined {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json')), 'static');
  } catch {
    return undefined;
  }
}

const page = () => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sdewan-agent API</title>
  <link rel="stylesheet" href="${DOCS_PATH}/static/swagger-ui.css">
  <link rel="stylesheet" href="${DOCS_PATH}/static/index.css">
  <link rel="icon" type="image/png" href="${DOCS_PATH}/static/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PATH}/static/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/static/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: ${JSON.stringify(OPENAPI_PATH)},
      dom_id: '#swagger-ui',
      deepLinking: true,
      docExpansion: 'list',
      tryItOutEnabled: false,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: 'StandaloneLayout',
    });
  </script>
</body>
</html>
`;

/** GET /cgi-bin/luci/sdewan/openapi.json and the Swagger UI at /cgi-bin/luci/sdewan/docs. */
export async function registerDocs(app: FastifyInstance, opts: DocsOptions): Promise<void> {
  let document: Promise<string> | undefined;
  const documentText = () => (document ??= openApiDocument(opts.resources).then((d) => JSON.stringify(d)));
  const assetsDir = opts.uiAssetsDir ?? defaultAssetsDir();
  const config = { public: true };
  const notBundled = { message: 'Swagger UI is not part of this build of the agent; fetch the OpenAPI document instead' };

  const sendDocument = async (_req: unknown, reply: FastifyReply) =>
    reply.type('application/json; charset=utf-8').send(await documentText());
  app.get(OPENAPI_PATH, { config }, sendDocument);
  app.get(`${DOCS_PATH}/json`, { config }, sendDocument);
  app.get(DOCS_PATH, { config }, async (_req, reply) =>
    assetsDir ? reply.type('text/html; charset=utf-8').send(page()) : reply.code(404).send(notBundled),
  );
  app.get<{ Params: { file: string } }>(`${DOCS_PATH}/static/:file`, { config }, async (req, reply) => {
    const type = ASSETS[req.params.file];
    if (!assetsDir || !type) return reply.code(404).send({ message: 'Not found' });
    return reply.type(type).header('Cache-Control', 'public, max-age=3600').send(await readFile(path.join(assetsDir, req.params.file)));
  });
}
