// The served document and its Swagger UI, from a real agent process: both without a login
// (the rest of the API still needs one), and the UI page rendered by headless Chromium
// (Debian's `chromium` package) showing the mwan3 policies operations; a screenshot is saved
// in test-artifacts/.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { DOCS_PATH, OPENAPI_PATH } from '../../src/paths.js';
import { type Agent, makeTempDir, repoRoot, startAgent } from '../helpers/agent.js';
import { runsWith } from '../helpers/requirements.js';

const CHROMIUM = '/usr/bin/chromium';
const POLICIES = '/cgi-bin/luci/sdewan/mwan3/v1/policies';

let agent: Agent;

beforeAll(async () => {
  agent = await startAgent();
});
afterAll(async () => {
  await agent?.stop();
});

describe('the served document', () => {
  it('is public, and is the document built from the resources', async () => {
    const res = await agent.request('GET', OPENAPI_PATH, undefined, { cookie: '' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const expected = buildOpenApiDocument({ resources, version: (res.json as { info: { version: string } }).info.version });
    expect(res.json).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('leaves the rest of the API behind the login', async () => {
    const res = await agent.request('GET', POLICIES, undefined, { cookie: '' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-luci-login-required')).toBe('yes');
  });

  it('serves the Swagger UI page and its assets without a login', async () => {
    const page = await agent.request('GET', DOCS_PATH, undefined, { cookie: '' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const asset = await agent.request('GET', `${DOCS_PATH}/static/swagger-ui-bundle.js`, undefined, { cookie: '' });
    expect(asset.status).toBe(200);
    const json = await agent.request('GET', `${DOCS_PATH}/json`, undefined, { cookie: '' });
    expect(json.status).toBe(200);
    expect((json.json as { paths: Record<string, unknown> }).paths[POLICIES]).toBeDefined();
  });
});

describe.runIf(runsWith('the Swagger UI page in Chromium', { [`${CHROMIUM} (Debian package chromium)`]: existsSync(CHROMIUM) }))('the Swagger UI page in headless Chromium', () => {
  let profile: string;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian package chromium)`).toBe(true);
    profile = makeTempDir('sdewan-chromium-');
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 1400 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('shows the mwan3 policies operations, and the details of one', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const res = await page.goto(`${agent.url}${DOCS_PATH}`);
    expect(res?.status()).toBe(200);

    const tag = page.locator('.opblock-tag', { hasText: 'mwan3 policies' });
    await tag.first().waitFor({ state: 'visible', timeout: 20_000 });
    const list = page.locator(`.opblock-get .opblock-summary-path[data-path="${POLICIES}"]`);
    const create = page.locator(`.opblock-post .opblock-summary-path[data-path="${POLICIES}"]`);
    await list.waitFor({ state: 'visible' });
    await create.waitFor({ state: 'visible' });
    expect(await page.locator('.info .title').innerText()).toMatch(/sdewan-agent/);

    // Open "List mwan3 policies": its answer schema names the collection key.
    await list.click();
    const opened = page.locator('.opblock.is-open', { has: page.locator(`[data-path="${POLICIES}"]`) });
    await opened.locator('.responses-table').first().waitFor({ state: 'visible' });
    expect(await opened.innerText()).toContain('403');

    const dir = path.join(repoRoot(), 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const shot = path.join(dir, 'openapi-ui-mwan3-policies.png');
    rmSync(shot, { force: true });
    await page.screenshot({ path: shot, fullPage: false });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });
});
