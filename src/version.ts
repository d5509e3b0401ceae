// The agent's version, in one place: package.json's. The single-file bundle has no
// package.json beside it: scripts/bundle.mjs writes the version in at build time
// (esbuild's `define` of SDEWAN_AGENT_VERSION); the tsc build reads the file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './config.js';

/** Defined by the bundler only; never a global at run time. */
declare const SDEWAN_AGENT_VERSION: string | undefined;

function fromPackageJson(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What `--version`, GET /healthz, the OpenAPI document and the login page say. */
export const AGENT_VERSION: string = typeof SDEWAN_AGENT_VERSION === 'string' ? SDEWAN_AGENT_VERSION : fromPackageJson();
