#!/usr/bin/env node
// Bundles the agent and the UCI command line tool into single ES module
// files under dist/bundle/ that run with plain `node` and no node_modules anywhere:
//
//   dist/bundle/sdewan-agent.mjs (+ .map)   from src/cli.ts (serve by default, and bootstrap)
//   dist/bundle/sdewan-uci.mjs   (+ .map)   from src/uci/cli.ts
//   dist/bundle/THIRD-PARTY-NOTICES.txt     licences of the packages bundled inside
//
// Usage: node scripts/bundle.mjs [--outdir <dir>]
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Output file name (without .mjs) -> entry point, relative to the project root. */
const ENTRIES = [
  { name: 'sdewan-agent', entry: 'src/cli.ts' },
  { name: 'sdewan-uci', entry: 'src/uci/cli.ts' },
];

/**
 * Packages left out of the bundle on purpose:
 *  - pino-pretty is a development nicety: the agent may import it dynamically when it is
 *    installed, and must carry on with JSON logs when the import fails, which is always the
 *    case for the bundle;
 *  - fastify's JSON-schema compilers (ajv, fast-json-stringify and their dependencies, a
 *    quarter of the bundle) are only required when a route declares a schema; the agent's
 *    routes declare none and src/server.ts gives fastify compiler factories of its own.
 */
const EXTERNAL = ['pino-pretty', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'];

/**
 * Node modules that the bundle loads on their first use rather than when a module requiring
 * them loads: fastify requires node:http2 and node:https at load, for options the agent sets
 * only with a TLS listener (https) or never (http2), and prom-client node:https for a push
 * gateway it never uses. Loading them costs resident memory whether they are used or not
 * (`require('node:http2')` alone: +2.2, +5.4 and +8.9 MiB VmRSS on Node 20, 22 and 24;
 * `node:https`: +1.0, +3.7, +4.7 MiB, OpenSSL's TLS state and code). And node:http, which
 * src/server.ts imports: on Node 22 and 24 an ES module import of node:http reads every export
 * of its facade, among them getters that load undici (fetch's and WebSocket's), and undici
 * loads tls, http2, zlib and worker_threads, where `require` leaves them alone. Each becomes an
 * object that requires the real module at its first property access.
 */
const LAZY_BUILTINS = /^(node:)?(http|http2|https|tls)$/;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      loader: 'js',
      contents: [
        'let real;',
        `const load = () => (real ??= require('node:${args.path}'));`,
        // __esModule is asked by the bundler's interop when an ES module imports this one: not a use
        "module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? undefined : load()[key]), has: (_, key) => key in load() });",
      ].join('\n'),
    }));
  },
};

/**
 * CommonJS packages bundled into an ES module still call require() for Node's built-ins and
 * may read __filename/__dirname. Globals, not declarations, so they cannot collide with a
 * bundled module that declares its own `require` or `__dirname` at top level.
 */
const BANNER = [
  "import { createRequire as __sdewanCreateRequire } from 'node:module';",
  "import { fileURLToPath as __sdewanFileURLToPath } from 'node:url';",
  "import { dirname as __sdewanDirname } from 'node:path';",
  'globalThis.require ??= __sdewanCreateRequire(import.meta.url);',
  'globalThis.__filename ??= __sdewanFileURLToPath(import.meta.url);',
  'globalThis.__dirname ??= __sdewanDirname(globalThis.__filename);',
].join('\n');

function parseArgs(argv) {
  let outdir = path.join(root, 'dist', 'bundle');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--outdir' && argv[i + 1]) outdir = path.resolve(argv[++i]);
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return { outdir };
}

/** The package directory (…/node_modules/<name> or …/node_modules/@scope/<name>) of an input path. */
function packageDirOf(inputPath) {
  const parts = inputPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const nameParts = parts[at + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, at + 1 + nameParts).join('/');
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  return file ? readFileSync(path.join(dir, file), 'utf8').trim() : undefined;
}

/** Name, version, licence and licence text of every package whose code ended up in the bundles. */
function thirdPartyNotices(metafiles) {
  const dirs = new Set();
  for (const meta of metafiles) {
    for (const [output, info] of Object.entries(meta.outputs)) {
      if (!output.endsWith('.mjs')) continue;
      for (const input of Object.keys(info.inputs)) {
        const dir = packageDirOf(input);
        if (dir) dirs.add(dir);
      }
    }
  }
  const blocks = [...dirs]
    .map((rel) => {
      const dir = path.resolve(root, rel);
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const text = licenceText(dir) ?? `(no licence file; package.json says: ${pkg.license ?? 'unknown'})`;
      return { id: `${pkg.name}@${pkg.version}`, licence: pkg.license ?? 'unknown', text };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  const header =
    'Third-party software bundled into sdewan-agent.mjs / sdewan-uci.mjs.\n' +
    'Each package is listed with its licence, as shipped in its npm package.\n';
  return [header, ...blocks.map((b) => `${'='.repeat(72)}\n${b.id} (${b.licence})\n\n${b.text}\n`)].join('\n');
}

export async function bundle({ outdir }) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const metafiles = [];
  const built = [];
  for (const { name, entry } of ENTRIES) {
    const entryPath = path.join(root, entry);
    if (!existsSync(entryPath)) throw new Error(`missing entry point ${entry}`);
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entryPath],
      outfile: path.join(outdir, `${name}.mjs`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      // Minified: half the bytes to load and hold in memory on a small router, and a faster
      // start. Names are not kept: keepNames wraps every function and class in a call that
      // defines its `name` (thousands at start, and one per closure made per request), which
      // costs ~1.2 MiB of live heap and ~4 MiB resident at start; stack frames name minified
      // functions, which the source map beside it maps back (NODE_OPTIONS=--enable-source-maps).
      // Errors carry their class in an explicit `name` (src/errors.ts, src/uci/errors.ts).
      minify: true,
      keepNames: false,
      sourcemap: 'linked',
      external: EXTERNAL,
      plugins: [lazyBuiltins],
      banner: { js: BANNER },
      legalComments: 'none', // collected in THIRD-PARTY-NOTICES.txt instead
      metafile: true,
      logLevel: 'warning',
      // Lets code tell the bundle from the tsc build (e.g. not to try optional dev imports),
      // and writes in package.json's version (src/version.ts: --version, /healthz, OpenAPI).
      define: {
        'process.env.SDEWAN_BUNDLED': '"1"',
        SDEWAN_AGENT_VERSION: JSON.stringify(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version),
      },
    });
    metafiles.push(result.metafile);
    built.push(`${name}.mjs`);
  }
  writeFileSync(path.join(outdir, 'THIRD-PARTY-NOTICES.txt'), thirdPartyNotices(metafiles));
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const built = await bundle(parseArgs(process.argv.slice(2)));
    console.log(`bundle: wrote ${built.join(', ')}`);
  } catch (err) {
    console.error(`bundle: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
