// The single-file bundle (scripts/bundle.mjs, `npm run bundle`): alone in an empty directory,
// with no node_modules anywhere above it and only the fixtures as its config directory, it
// starts and serves the LuCI login.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, UCI_DEFAULTS_SCRIPT, imageNodeFlags, run, tempDir } from './support.js';

const BUNDLE = 'sdewan-agent.mjs';
const UCI_BUNDLE = 'sdewan-uci.mjs';
const USER = 'admin';
const PASSWORD = randomBytes(9).toString('base64url');

let outdir: string;
let rundir: string;
const agents: ChildProcess[] = [];
let baseUrl: string;
let tlsUrl: string;

/** node_modules directories in `dir` or any directory above it. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'node_modules'))) found.push(path.join(d, 'node_modules'));
    if (path.dirname(d) === d) return found;
  }
}

/**
 * Starts the bundle in `rundir` as the image's init script does (its node flags) with only
 * the given environment (nothing inherited: no NODE_PATH, NODE_OPTIONS or npm variables that
 * could find modules) and resolves with the URL of its `listening` log line; rejects if it
 * exits first.
 */
function startAgent(env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [...imageNodeFlags(), BUNDLE], {
    cwd: rundir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: rundir,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      SDEWAN_CONFDIR: path.join(rundir, 'config'),
      SDEWAN_INITD: path.join(rundir, 'initd'),
      SDEWAN_UCI_BIN: 'embedded',
      SDEWAN_AUTH: 'static',
      SDEWAN_USER: USER,
      SDEWAN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  agents.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'listening' && entry.url) resolve(entry.url);
        } catch {
          // not a JSON log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => reject(new Error(`agent exited (${code ?? signal}) before listening:\n${output}`)));
  });
}

/** GET of a public path: the status and the parsed JSON body. */
function getJson(url: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
}

function postLogin(url: string, username: string, password: string): Promise<Reply> {
  const body = new URLSearchParams({ luci_username: username, luci_password: password }).toString();
  const request = url.startsWith('https:') ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/cgi-bin/luci`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        rejectUnauthorized: false, // self-signed, like the image's first-boot certificate
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the image's first-boot script (with a stand-in uci) to make a certificate in `dir`. */
async function firstBootCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'tls', 'agent.crt');
  const key = path.join(dir, 'tls', 'agent.key');
  const store = path.join(dir, 'uci-store');
  writeFileSync(
    store,
    `system.@system[0].hostname=bundle-test\nsdewan-agent.main.tls_cert=${cert}\nsdewan-agent.main.tls_key=${key}\n`,
  );
  const r = await run('sh', ['-c', '( . "$SCRIPT" )'], {
    cwd: dir,
    env: {
      PATH: [path.join(FIXTURES, 'bin'), process.env.PATH].join(':'),
      SCRIPT: UCI_DEFAULTS_SCRIPT,
      FAKE_UCI_STORE: store,
      FAKE_UCI_LOG: path.join(dir, 'uci-log'),
    },
  });
  if (r.code !== 0) throw new Error(`first-boot script failed: ${r.stderr}`);
  return { cert, key };
}

beforeAll(async () => {
  outdir = tempDir('bundle-out');
  const built = await run(process.execPath, [path.join(ROOT, 'scripts/bundle.mjs'), '--outdir', outdir], { cwd: ROOT, env: process.env });
  if (built.code !== 0) throw new Error(`bundle failed:\n${built.stdout}\n${built.stderr}`);

  rundir = tempDir('bundle-run');
  copyFileSync(path.join(outdir, BUNDLE), path.join(rundir, BUNDLE));
  cpSync(path.join(ROOT, 'uci-fixtures'), path.join(rundir, 'config'), { recursive: true });
  mkdirSync(path.join(rundir, 'initd'));
  const tls = await firstBootCertificate(rundir);

  [baseUrl, tlsUrl] = await Promise.all([
    startAgent({ SDEWAN_SAVEDIR: path.join(rundir, 'save-http') }),
    startAgent({ SDEWAN_SAVEDIR: path.join(rundir, 'save-https'), SDEWAN_TLS_CERT: tls.cert, SDEWAN_TLS_KEY: tls.key }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    agents.map((agent) => {
      if (agent.exitCode !== null || agent.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => agent.once('exit', resolve));
      agent.kill('SIGTERM');
      return exited;
    }),
  );
  for (const dir of [outdir, rundir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run bundle', () => {
  it('writes one ES module file with its source map beside it', () => {
    const files = readdirSync(outdir).sort();
    expect(files).toContain(BUNDLE);
    expect(files).toContain(`${BUNDLE}.map`);
    expect(files.filter((f) => f.endsWith('.mjs'))).toEqual([BUNDLE, UCI_BUNDLE]);
    const code = readFileSync(path.join(outdir, BUNDLE), 'utf8');
    expect(code.trimEnd().endsWith(`//# sourceMappingURL=${BUNDLE}.map`)).toBe(true);
    const map = JSON.parse(readFileSync(path.join(outdir, `${BUNDLE}.map`), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('src/main.ts'))).toBe(true);
  });

  it('lists the licences of the bundled packages', () => {
    const notices = readFileSync(path.join(outdir, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const pkg of ['fastify@', 'pino@', 'zod@']) expect(notices).toContain(pkg);
    expect(notices).not.toContain('pino-pretty@');
  });

  it("leaves out fastify's JSON-schema compilers, which no route of the agent needs", () => {
    const notices = readFileSync(path.join(outdir, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const pkg of ['ajv@', 'ajv-formats@', '@fastify/ajv-compiler@', '@fastify/fast-json-stringify-compiler@']) expect(notices).not.toContain(pkg);
  });
});

describe('the bundle alone in an empty directory', () => {
  it('has nothing to load modules from', () => {
    const entries = readdirSync(rundir);
    expect(entries.filter((f) => /\.(c|m)?js$/.test(f))).toEqual([BUNDLE]);
    expect(entries).not.toContain('node_modules');
    expect(nodeModulesAbove(rundir)).toEqual([]);
  });

  it('logs in with the right password: 302 and the sysauth cookie first', async () => {
    const reply = await postLogin(baseUrl, USER, PASSWORD);
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/cgi-bin/luci/');
    const cookies = reply.headers['set-cookie'] ?? [];
    expect(cookies[0]).toMatch(/^sysauth=[0-9a-f]{32}; /);
  });

  it('has a UCI command line tool that runs alone too', async () => {
    const dir = tempDir('bundle-uci');
    try {
      copyFileSync(path.join(outdir, UCI_BUNDLE), path.join(dir, UCI_BUNDLE));
      const fixture = readFileSync(path.join(ROOT, 'uci-fixtures/network'), 'utf8');
      const lanProto = /config interface 'lan'\n(?:\t.*\n)*?\toption proto '([^']*)'/.exec(fixture)?.[1];
      expect(lanProto).toBeDefined();
      const r = await run(process.execPath, [UCI_BUNDLE, '-c', path.join(rundir, 'config'), 'get', 'network.lan.proto'], {
        cwd: dir,
        env: { PATH: process.env.PATH },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${lanProto}\n`);
      expect(nodeModulesAbove(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says package.json's version (written in at build time) in --version, /healthz and the OpenAPI document", async () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(existsSync(path.join(rundir, 'package.json'))).toBe(false);
    const printed = await run(process.execPath, [BUNDLE, '--version'], { cwd: rundir, env: { PATH: process.env.PATH, SDEWAN_AGENT_VERSION: '9.9.9' } });
    expect(printed.stdout).toBe(`${version}\n`);
    expect(await getJson(`${baseUrl}/healthz`)).toEqual({ status: 200, json: { status: 'ok', version } });
    const doc = await getJson(`${baseUrl}/cgi-bin/luci/sdewan/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.json.info.version).toBe(version);
  });

  it('refuses a wrong password with 403 and X-LuCI-Login-Required', async () => {
    const reply = await postLogin(baseUrl, USER, `${PASSWORD}x`);
    expect(reply.status).toBe(403);
    expect(reply.headers['x-luci-login-required']).toBe('yes');
    expect(reply.headers['set-cookie']).toBeUndefined();
  });
});

describe('the bundle with the certificate of the first-boot script', () => {
  it('serves the login over HTTPS, with a Secure sysauth cookie', async () => {
    expect(tlsUrl).toMatch(/^https:\/\//);
    const reply = await postLogin(tlsUrl, USER, PASSWORD);
    expect(reply.status).toBe(302);
    const cookies = reply.headers['set-cookie'] ?? [];
    expect(cookies[0]).toMatch(/^sysauth=[0-9a-f]{32}; /);
    expect(cookies[0]).toMatch(/; Secure/);
  });

  it('refuses a wrong password over HTTPS too', async () => {
    const reply = await postLogin(tlsUrl, USER, 'not-the-password');
    expect(reply.status).toBe(403);
    expect(reply.headers['x-luci-login-required']).toBe('yes');
  });
});
