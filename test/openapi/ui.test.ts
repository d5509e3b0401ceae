// The served document and its Swagger UI, from a real agent process: both without a login
// (the rest of the API still needs one), and the UI page rendered by headless Chromium
// (Debian's `chromium` package) showing the mwan3 policies operations, then used as a person
// would: log in through "Try it out", list the policies through "Try it out" with the cookie
// the browser kept. Screenshots are saved in test-artifacts/.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES as resources } from '../../src/resources/index.js';
import { buildOpenApiDocument } from '../../src/openapi/document.js';
import { DOCS_PATH, LUCI_BASE, OPENAPI_PATH } from '../../src/paths.js';
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

  /** Opens an operation (by method and path) and presses its "Try it out". */
  async function tryItOut(page: Page, method: string, opPath: string): Promise<Locator> {
    const summary = page.locator(`.opblock-${method} .opblock-summary-path[data-path="${opPath}"]`);
    await summary.waitFor({ state: 'visible', timeout: 20_000 });
    await summary.click();
    const block = page.locator(`.opblock-${method}.is-open`, { has: page.locator(`[data-path="${opPath}"]`) });
    await block.locator('button.try-out__btn').click();
    return block;
  }

  /** Presses Execute and waits for the answer the browser received (a shown earlier one is cleared first). */
  async function execute(block: Locator): Promise<{ status: string; body: string }> {
    const clear = block.locator('button.btn-clear');
    if ((await clear.count()) > 0) await clear.click();
    await block.locator('.live-responses-table').waitFor({ state: 'detached' });
    await block.locator('button.execute').click();
    const live = block.locator('.live-responses-table .response');
    await live.first().waitFor({ state: 'visible', timeout: 20_000 });
    const status = (await live.first().locator('.response-col_status').innerText()).trim();
    const body = await live.first().locator('.response-col_description .microlight').first().innerText();
    return { status, body };
  }

  it('logs in through Try it out, then lists the policies through Try it out with the cookie the browser kept', async () => {
    const context = await chromium.launchPersistentContext(makeTempDir('sdewan-chromium-login-'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 1600 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
      await page.goto(`${agent.url}${DOCS_PATH}`);

      // Before the login, the list answers 403 in the page (no cookie yet).
      const list = await tryItOut(page, 'get', POLICIES);
      expect((await execute(list)).status).toBe('403');

      // The login form: the fields come prefilled with the document's examples.
      const login = await tryItOut(page, 'post', LUCI_BASE);
      const user = login.locator('tr[data-property-name="luci_username"] input');
      const password = login.locator('tr[data-property-name="luci_password"] input');
      expect(await user.inputValue()).toBe('root');
      await password.fill(agent.password);
      const logged = await execute(login);
      // fetch followed the 302 to LuCI's page; the cookie is stored
      expect(logged.status).toBe('200');
      expect(logged.body).toContain('sdewan-agent');
      expect(requests).toEqual(expect.arrayContaining([`POST ${LUCI_BASE}`, `GET ${LUCI_BASE}/`]));
      const cookies = await context.cookies(`${agent.url}${LUCI_BASE}/`);
      expect(cookies.map((c) => c.name)).toContain('sysauth');
      const dir = path.join(repoRoot(), 'test-artifacts');
      mkdirSync(dir, { recursive: true });
      const loginShot = path.join(dir, 'openapi-ui-try-it-out-login.png');
      rmSync(loginShot, { force: true });
      await login.screenshot({ path: loginShot });
      expect(statSync(loginShot).size).toBeGreaterThan(10_000);
      await login.locator('.opblock-summary-control').click(); // fold the login away

      // The list again, now with the session: 200 and the policies of the config.
      const again = await execute(list);
      expect(again.status).toBe('200');
      const expected = await agent.request('GET', POLICIES);
      expect(expected.status).toBe(200);
      expect(JSON.parse(again.body)).toEqual(expected.json);
      expect((expected.json as { policies: unknown[] }).policies.length).toBeGreaterThan(0);
      expect(requests.filter((r) => r === `GET ${POLICIES}`)).toHaveLength(2);

      const shot = path.join(dir, 'openapi-ui-try-it-out-policies.png');
      rmSync(shot, { force: true });
      await list.locator('.live-responses-table').scrollIntoViewIfNeeded();
      await list.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
