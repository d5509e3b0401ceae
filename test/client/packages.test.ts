// The two npm packages as users get them: `npm pack` of the agent (sdewan-agent) and of the
// client (packages/client, sdewan-agent-client), each installed into an empty project. The
// client installs offline with nothing beside it, its declarations compile on their own in a
// strict TypeScript project, and its ESM build drives the agent that the server package's
// own files run (dist of the tarball, its uci-fixtures seeding the default config).
// Needs dist/ (`npx tsc -p .`, the first step of `npm test`): the agent's tarball is packed
// from it as it is; the client's tarball builds itself (its prepack script).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, makeTempDir, repoRoot, startAgent } from '../helpers/agent.js';

const root = repoRoot();
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** The environment without what a surrounding `npm test` passes to its scripts. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|SDEWAN_|INIT_CWD$)/i.test(k)));

const run = (command: string, args: string[], cwd: string, env: Record<string, string | undefined> = cleanEnv()) =>
  execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });

/** Packs the package in `dir` into `dest` and answers the tarball's path. */
function pack(dir: string, dest: string, ignoreScripts: boolean): string {
  const out = run('npm', ['pack', '--json', '--pack-destination', dest, ...(ignoreScripts ? ['--ignore-scripts'] : [])], dir);
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as [{ filename: string }];
  return path.join(dest, info.filename);
}

/** An empty ES module project with `tarball` installed into it (`--offline`: only the npm cache). */
function installInto(dir: string, tarball: string, mode: '--offline' | '--prefer-offline'): string {
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), version: '1.0.0', private: true, type: 'module' }));
  run('npm', ['install', tarball, mode, '--no-audit', '--no-fund'], dir);
  return dir;
}

const tarEntries = (tarball: string) =>
  run('tar', ['-tzf', tarball], path.dirname(tarball))
    .split('\n')
    .filter((l) => l !== '' && !l.endsWith('/'))
    .map((l) => l.replace(/^package\//, ''));

/** Every package directory under node_modules (scoped ones as @scope/name). */
function installedPackages(project: string): string[] {
  const nm = path.join(project, 'node_modules');
  return readdirSync(nm)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(path.join(nm, n)).map((m) => `${n}/${m}`) : [n]))
    .sort();
}

// A controller written against the installed package: its types are checked by tsc (strict,
// declarations included), then the compiled module talks to the agent.
const APP = `import { createClient, isClientError, type FirewallZone, type Mwan3Policy, type StatusModules } from 'sdewan-agent-client';

const url = process.env.AGENT_URL!;
const password = process.env.AGENT_PASSWORD!;
const client = createClient({ url, password });

const zone: FirewallZone = { name: 'pkgzone', network: ['lan'], input: 'ACCEPT' };
// @ts-expect-error the agent's types: input is ACCEPT, REJECT or DROP
const wrong: FirewallZone = { name: 'x', input: 'MAYBE' };
void wrong;

const policies: Mwan3Policy[] = await client.mwan3.policies.list();
const created = await client.firewall.zones.create(zone);
const notFound = await client.firewall.zones.get('no-such-zone').catch((err: unknown) => isClientError(err, 404));
const services = await client.services.list();
const records: StatusModules['services'] = await client.status.get('services');
const caError = await createClient({ url, password, ca: 'not a PEM' })
  .login()
  .then(() => 'no error', (err: unknown) => (err as Error).message);
await client.firewall.zones.delete('pkgzone');
const gone = (await client.firewall.zones.find('pkgzone')) === undefined;
await client.logout();
console.log(JSON.stringify({ policies: policies.map((p) => p.name), created, notFound, services, records: Object.keys(records), caError, gone }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    strict: true,
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    outDir: 'out',
  },
  include: ['app.ts'],
};

describe('the npm packages', () => {
  const dir = makeTempDir('sdewan-packages-');
  let serverTarball: string;
  let clientTarball: string;
  let serverProject: string;
  let clientProject: string;
  let agent: Agent | undefined;

  beforeAll(() => {
    serverTarball = pack(root, dir, true);
    clientTarball = pack(path.join(root, 'packages', 'client'), dir, false);
    clientProject = installInto(path.join(dir, 'controller'), clientTarball, '--offline');
    // The agent's dependencies come from the npm cache, from the registry only when missing there.
    serverProject = installInto(path.join(dir, 'router'), serverTarball, '--prefer-offline');
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the agent tarball holds its compiled sources, bin, uci-fixtures, README and package.json only', () => {
    const entries = tarEntries(serverTarball);
    const tops = new Set(entries.map((e) => (e.startsWith('dist/src/') ? 'dist/src' : e.includes('/') ? e.split('/')[0]! : e)));
    expect([...tops].sort()).toEqual(['README.md', 'bin', 'dist/src', 'package.json', 'uci-fixtures']);
    expect(entries).toEqual(expect.arrayContaining(['bin/sdewan-agent', 'bin/sdewan-uci', 'dist/src/main.js', 'dist/src/cli.js', 'dist/src/uci/cli.js']));
    expect(entries.filter((e) => e.startsWith('uci-fixtures/')).sort()).toEqual(readdirSync(path.join(root, 'uci-fixtures')).map((f) => `uci-fixtures/${f}`).sort());
    const manifest = JSON.parse(readFileSync(path.join(serverProject, 'node_modules', 'sdewan-agent', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('undici');
  });

  it("the installed agent's command runs from node_modules/.bin", () => {
    const version = run(path.join(serverProject, 'node_modules', '.bin', 'sdewan-agent'), ['--version'], serverProject).trim();
    expect(version).toContain(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });

  it('the client installs alone: its compiled ESM and declarations, no dependency at all', () => {
    expect(installedPackages(clientProject)).toEqual(['sdewan-agent-client']);
    const pkgDir = path.join(clientProject, 'node_modules', 'sdewan-agent-client');
    const files = tarEntries(clientTarball);
    expect(files.filter((f) => f !== 'package.json' && f !== 'README.md').every((f) => /^dist\/[\w-]+\.(js|d\.ts)$/.test(f))).toBe(true);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/types.d.ts']));
    for (const f of files.filter((x) => x.endsWith('.d.ts'))) {
      const specs = [...readFileSync(path.join(pkgDir, f), 'utf8').matchAll(/from '([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);
      expect(specs.filter((s) => !/^\.\/[\w-]+\.js$/.test(s!)), f).toEqual([]);
    }
  });

  it('a controller type-checks against the installed client and drives the installed agent', async () => {
    writeFileSync(path.join(clientProject, 'app.ts'), APP);
    writeFileSync(path.join(clientProject, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    try {
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], clientProject);
    } catch (err) {
      throw new Error(`tsc failed in the controller project:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }

    // The installed package's own files, from a fresh directory: the default config comes from its uci-fixtures.
    agent = await startAgent({
      script: { path: path.join(serverProject, 'node_modules', 'sdewan-agent', 'dist', 'src', 'cli.js') },
      env: { SDEWAN_CONFDIR: '' },
    });
    const seeded = path.join(agent.dir, 'var', 'config');
    expect(readFileSync(path.join(seeded, 'mwan3'), 'utf8')).toBe(readFileSync(path.join(root, 'uci-fixtures', 'mwan3'), 'utf8'));

    const out = run(process.execPath, ['out/app.js'], clientProject, { ...cleanEnv(), AGENT_URL: agent.url, AGENT_PASSWORD: agent.password });
    const result = JSON.parse(out) as Record<string, unknown>;
    expect(result).toEqual({
      policies: ['balanced', 'wan_wanb'],
      created: { name: 'pkgzone', network: ['lan'], input: 'ACCEPT' },
      notFound: true,
      services: ['mwan3', 'firewall', 'ipsec', 'network'],
      records: ['mwan3', 'firewall', 'ipsec', 'network'],
      caError: expect.stringContaining('needs the undici package'),
      gone: true,
    });
    expect(existsSync(path.join(clientProject, 'node_modules', 'undici'))).toBe(false);
  });
});
