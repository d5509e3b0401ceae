// The bootstrap against real interfaces: a network namespace with veth devices named as in
// the annotation (net0, net1), the bootstrap CLI run inside it, then the agent started there
// and an mwan3 policy created over those interfaces through the API.
// Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), as in CI, and a build (`npx tsc -p .`).
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';
import { hasProgram, isRoot, runsWith } from '../helpers/requirements.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const cliJs = path.join(repo, 'dist', 'src', 'cli.js');

const ns = `sdewan-bt-${process.pid}`;
const hostSide = (i: number) => `sbt${process.pid % 1_000_000}h${i}`;
// Two /24s unlikely to be in use on the host.
const subnet = (i: number) => `10.231.${40 + i}`;

const ip = (...args: string[]) => execa('ip', args);
const inNs = (...args: string[]) => execa('ip', ['netns', 'exec', ns, ...args], { reject: false, timeout: 60_000 });

// The annotations file as kubelet writes it: net0 with its address, net1 without (taken from
// the device) and with defaultGateway "true", and net7, which the pod does not have.
const nfn = {
  type: 'ovn4nfv',
  interface: [
    { defaultGateway: 'false', interface: 'net0', ipAddress: `${subnet(0)}.2`, name: 'ovn-network' },
    { defaultGateway: 'true', interface: 'net1', name: 'pnetwork' },
    { defaultGateway: 'false', interface: 'net7', name: 'not-attached' },
  ],
};
const annotationsText = [
  `k8s.plugin.opnfv.org/nfn-network=${JSON.stringify(JSON.stringify(nfn, null, 2))}`,
  'k8s.v1.cni.cncf.io/networks="[{ \\"name\\": \\"ovn-networkobj\\"}]"',
].join('\n');

let dir: string;
let confdir: string;
let agent: Agent | undefined;
let nsCreated = false;

/** Root and iproute2: outside CI the test is skipped without them, naming what is missing. */
const RUNS = runsWith('bootstrap in a network namespace', { 'root (network namespaces, veth devices)': isRoot, 'ip (iproute2)': hasProgram('ip') });

beforeAll(async () => {
  if (!RUNS) return;
  if (process.getuid?.() !== 0) throw new Error('this test creates a network namespace and veth devices: run it as root (CI does)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-netns-'));
  confdir = path.join(dir, 'config');
  cpSync(path.join(repo, 'uci-fixtures'), confdir, { recursive: true });
  writeFileSync(path.join(dir, 'annotations'), annotationsText);

  await ip('netns', 'add', ns);
  nsCreated = true;
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
  for (const i of [0, 1]) {
    await ip('link', 'add', hostSide(i), 'type', 'veth', 'peer', 'name', `net${i}`, 'netns', ns);
    await ip('addr', 'add', `${subnet(i)}.1/24`, 'dev', hostSide(i));
    await ip('link', 'set', hostSide(i), 'up');
    await ip('-n', ns, 'addr', 'add', `${subnet(i)}.2/24`, 'dev', `net${i}`);
    await ip('-n', ns, 'link', 'set', `net${i}`, 'up');
  }
  await ip('-n', ns, 'route', 'add', 'default', 'via', `${subnet(1)}.1`, 'dev', 'net1');
});

afterAll(async () => {
  if (!RUNS) return;
  await agent?.stop();
  // Deleting the namespace deletes its veth ends, and with them the host ends.
  if (nsCreated) await execa('ip', ['netns', 'del', ns], { reject: false });
  for (const i of [0, 1]) await execa('ip', ['link', 'del', hostSide(i)], { reject: false });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const bootstrapIn = (conf: string) =>
  inNs(process.execPath, cliJs, 'bootstrap', '--annotations', path.join(dir, 'annotations'), '--confdir', conf, '--savedir', path.join(dir, 'save'), '--uci-bin', 'embedded');

const logRecords = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string; device?: string });

describe.runIf(RUNS)('bootstrap in a network namespace with the annotated devices', () => {
  it('configures net0 and net1 from the pod, and reports net7', async () => {
    const r = await bootstrapIn(confdir);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const warnings = logRecords(r.stdout).filter((x) => x.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({ device: 'net7', msg: 'bootstrap: interface net7 (network not-attached): named in the annotation but not present in the pod; not configured' }),
    ]);

    const text = readFileSync(path.join(confdir, 'network'), 'utf8');
    expect(text).toContain(
      `config interface 'net0'\n\toption device 'net0'\n\toption proto 'static'\n\toption ipaddr '${subnet(0)}.2'\n\toption netmask '255.255.255.0'\n\toption sdewan_network 'ovn-network'\n`,
    );
    expect(text).toContain(
      `config interface 'net1'\n\toption device 'net1'\n\toption proto 'static'\n\toption ipaddr '${subnet(1)}.2'\n\toption netmask '255.255.255.0'\n\toption gateway '${subnet(1)}.1'\n\toption sdewan_network 'pnetwork'\n`,
    );
    expect(text).not.toContain('net7');
    const mwan3 = readFileSync(path.join(confdir, 'mwan3'), 'utf8');
    expect(mwan3).toContain("config interface 'net0'\n\toption enabled '1'\n\toption family 'ipv4'\n\toption sdewan_network 'ovn-network'\n");
    expect(mwan3).toContain("config interface 'net1'\n\toption enabled '1'\n\toption family 'ipv4'\n\toption sdewan_network 'pnetwork'\n");
  });

  it('serves the API there: an mwan3 policy over net0 and net1', async () => {
    agent = await startAgent({
      fixtures: confdir,
      commandPrefix: ['ip', 'netns', 'exec', ns],
      script: { path: cliJs, args: ['serve'] },
      // Reached from outside the namespace through net0's veth peer.
      env: { HOST: `${subnet(0)}.2` },
    });
    expect(agent.url).toMatch(new RegExp(`^http://${subnet(0).replace(/\./g, '\\.')}\\.2:\\d+$`));

    const ifaces = await agent.request('GET', '/cgi-bin/luci/sdewan/mwan3/v1/interfaces');
    expect(ifaces.status).toBe(200);
    const names = (ifaces.json.interfaces as Array<{ name: string }>).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['net0', 'net1']));

    const policy = {
      name: 'ovn-balance',
      members: [
        { interface: 'net0', metric: '1', weight: '2' },
        { interface: 'net1', metric: '1', weight: '3' },
      ],
    };
    const created = await agent.request('POST', '/cgi-bin/luci/sdewan/mwan3/v1/policies', policy);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject(policy);
    const read = await agent.request('GET', '/cgi-bin/luci/sdewan/mwan3/v1/policies/ovn-balance');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject(policy);
    expect(agent.readFile('mwan3')).toContain("config member 'ovn_balance_net0'\n\toption interface 'net0'\n\toption metric '1'\n\toption weight '2'\n");

    // A member over the interface the pod does not have is refused.
    const bad = await agent.request('POST', '/cgi-bin/luci/sdewan/mwan3/v1/policies', { name: 'p7', members: [{ interface: 'net7', metric: '1', weight: '1' }] });
    expect(bad.status).toBe(400);
  });

  it('changes nothing when the bootstrap runs again beside the agent', async () => {
    const conf = agent!.confdir;
    const before = ['network', 'mwan3'].map((p) => [readFileSync(path.join(conf, p), 'utf8'), statSync(path.join(conf, p)).mtimeMs]);
    const r = await bootstrapIn(conf);
    expect(r.exitCode).toBe(0);
    expect(logRecords(r.stdout).at(-1)?.msg).toBe('bootstrap: network, mwan3 and firewall already up to date');
    const after = ['network', 'mwan3'].map((p) => [readFileSync(path.join(conf, p), 'utf8'), statSync(path.join(conf, p)).mtimeMs]);
    expect(after).toEqual(before);
    const read = await agent!.request('GET', '/cgi-bin/luci/sdewan/mwan3/v1/policies/ovn-balance');
    expect(read.status).toBe(200);
  });
});
