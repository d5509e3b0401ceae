// The package's version, said the same in the three places a user or a probe reads it:
// `sdewan-agent --version`, GET /healthz and the OpenAPI document's info.version (the
// single-file bundle: test/image/bundle.test.ts).
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, makeTempDir, repoRoot, startAgent } from '../helpers/agent.js';

const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;

describe('the version', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
  });
  afterAll(async () => agent?.stop());

  it("is package.json's, a real one", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is what sdewan-agent --version and -v print, run from anywhere, whatever the environment says', async () => {
    const cwd = makeTempDir('sdewan-version-');
    try {
      for (const flag of ['--version', '-v']) {
        const { stdout } = await run(path.join(repoRoot(), 'bin', 'sdewan-agent'), [flag], {
          cwd,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SDEWAN_AGENT_VERSION: '9.9.9' },
        });
        expect(stdout).toBe(`${VERSION}\n`);
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('is in the answer of GET /healthz, without a login', async () => {
    const res = await agent.request('GET', '/healthz', undefined, { cookie: '' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', version: VERSION });
  });

  it("is the OpenAPI document's info.version", async () => {
    const res = await agent.request('GET', '/cgi-bin/luci/sdewan/openapi.json', undefined, { cookie: '' });
    expect(res.status).toBe(200);
    expect(res.json.info.version).toBe(VERSION);
  });
});
