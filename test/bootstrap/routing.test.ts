// ICN's routing values (providerCIDR, publicIpAddress, defaultCIDR) through the bootstrap into
// firewall4 and netifd sections, against real config files and the real UCI store (embedded
// engine); the pod's devices are given by the test. The CLI's options and environment: last.
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveDevice } from '../../src/bootstrap/plan.js';
import { inCidr, parseRoutingValues, type RawRoutingValues } from '../../src/bootstrap/routing.js';
import { runBootstrap, type BootstrapLog } from '../../src/bootstrap/run.js';
import { createRunner, createUciStore, showUci } from '../../src/uci/index.js';
import type { UciStore } from '../../src/uci/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const chartAnnotations = readFileSync(path.join(here, 'fixtures', 'icn-chart-two-interfaces.annotations'), 'utf8');

const v4 = (address: string, prefix: number) => ({ address, prefix, family: 'ipv4' as const });
// The chart's example pod: net2 in the provider network 10.10.10.0/24, net0 in the OVN one.
const pod = new Map<string, LiveDevice>([
  ['net0', { addresses: [v4('172.16.30.89', 24)] }],
  ['net2', { addresses: [v4('10.10.10.89', 24)] }],
  ['eth0', { addresses: [v4('10.233.84.5', 32)], gateway4: '169.254.1.1' }],
]);
const ICN_VALUES: RawRoutingValues = {
  providerCidr: '10.10.10.0/24',
  publicIp: '10.10.10.89',
  defaultCidr: '10.233.84.0/24',
  kubeApi: '10.96.0.1:443',
};

let dir: string;
let confdir: string;
let store: UciStore;
let annotations: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-routing-'));
  confdir = path.join(dir, 'config');
  cpSync(path.join(repo, 'uci-fixtures'), confdir, { recursive: true });
  store = createUciStore({ confdir, savedir: path.join(dir, 'save'), runner: createRunner('embedded') });
  annotations = path.join(dir, 'annotations');
  // With calico's annotation of the pod's address, where ICN's entrypoint read it.
  writeFileSync(annotations, `cni.projectcalico.org/podIP="10.233.84.5/32"\ncni.projectcalico.org/podIPs="10.233.84.5/32"\n${chartAnnotations}`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const quiet: BootstrapLog = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as BootstrapLog;
const bootstrap = (routing: RawRoutingValues = ICN_VALUES) => runBootstrap({ annotationsFile: annotations, store, log: quiet, live: () => pod, routing });
const show = async (pkg: string) => showUci(await store.read(pkg));
/** The lines of `uci show` about one section. */
const sectionLines = async (pkg: string, section: string) =>
  (await show(pkg)).split('\n').filter((l) => l.startsWith(`${pkg}.${section}.`) || l.startsWith(`${pkg}.${section}=`));
const fileState = (pkg: string) => {
  const file = path.join(confdir, pkg);
  return { text: readFileSync(file, 'utf8'), mtimeMs: statSync(file).mtimeMs };
};

describe('routing values into firewall and network', () => {
  it("writes the provider SNAT, the API DNAT with its zone, and the two rules", async () => {
    const result = await bootstrap();
    expect(result.status).toBe('changed');
    expect(result.findings).toEqual([]);
    expect(await sectionLines('firewall', 'sdewan_provider_snat')).toEqual([
      'firewall.sdewan_provider_snat=nat',
      "firewall.sdewan_provider_snat.name='sdewan-provider-snat'",
      "firewall.sdewan_provider_snat.family='ipv4'",
      "firewall.sdewan_provider_snat.proto='all'",
      "firewall.sdewan_provider_snat.device='net2'",
      "firewall.sdewan_provider_snat.dest_ip='10.10.10.0/24'",
      "firewall.sdewan_provider_snat.target='SNAT'",
      "firewall.sdewan_provider_snat.snat_ip='10.10.10.89'",
      "firewall.sdewan_provider_snat.sdewan_network='bootstrap'",
    ]);
    expect(await sectionLines('firewall', 'sdewan_pub')).toEqual([
      'firewall.sdewan_pub=zone',
      "firewall.sdewan_pub.name='sdewan_pub'",
      "firewall.sdewan_pub.network='net2'",
      "firewall.sdewan_pub.input='ACCEPT'",
      "firewall.sdewan_pub.output='ACCEPT'",
      "firewall.sdewan_pub.forward='ACCEPT'",
      "firewall.sdewan_pub.sdewan_network='bootstrap'",
    ]);
    expect(await sectionLines('firewall', 'sdewan_kube_api')).toEqual([
      'firewall.sdewan_kube_api=redirect',
      "firewall.sdewan_kube_api.name='sdewan-kube-api'",
      "firewall.sdewan_kube_api.target='DNAT'",
      "firewall.sdewan_kube_api.src='sdewan_pub'",
      "firewall.sdewan_kube_api.proto='tcp'",
      "firewall.sdewan_kube_api.src_dip='10.10.10.89'",
      "firewall.sdewan_kube_api.src_dport='6443'",
      "firewall.sdewan_kube_api.dest_ip='10.96.0.1'",
      "firewall.sdewan_kube_api.dest_port='443'",
      "firewall.sdewan_kube_api.sdewan_network='bootstrap'",
    ]);
    // The pod's own address first (the lower priority number wins), then defaultCIDR to table 40.
    expect([...(await sectionLines('network', 'sdewan_pod_ip')), ...(await sectionLines('network', 'sdewan_default_cidr'))]).toEqual([
      'network.sdewan_pod_ip=rule',
      "network.sdewan_pod_ip.src='10.233.84.5/32'",
      "network.sdewan_pod_ip.lookup='main'",
      "network.sdewan_pod_ip.priority='30001'",
      "network.sdewan_pod_ip.sdewan_network='bootstrap'",
      'network.sdewan_default_cidr=rule',
      "network.sdewan_default_cidr.src='10.233.84.0/24'",
      "network.sdewan_default_cidr.lookup='40'",
      "network.sdewan_default_cidr.priority='30002'",
      "network.sdewan_default_cidr.sdewan_network='bootstrap'",
    ]);
  });

  it('is idempotent: a second run writes nothing, files keep bytes and mtime', async () => {
    await bootstrap();
    const before = ['network', 'mwan3', 'firewall'].map(fileState);
    const again = await bootstrap();
    expect(again.status).toBe('unchanged');
    expect(['network', 'mwan3', 'firewall'].map(fileState)).toEqual(before);
  });

  it('follows changed values and removes what a value no longer asks for', async () => {
    await bootstrap();
    const next = await bootstrap({ ...ICN_VALUES, kubeApi: '10.96.0.10:6443', defaultCidr: '' });
    expect(next.status).toBe('changed');
    expect(await sectionLines('firewall', 'sdewan_kube_api')).toContain("firewall.sdewan_kube_api.dest_port='6443'");
    expect(await sectionLines('network', 'sdewan_pod_ip')).toEqual([]);
    expect(await sectionLines('network', 'sdewan_default_cidr')).toEqual([]);
    // No values at all: every routing section goes, the rest stays as the first run left it.
    await bootstrap({});
    const firewall = await show('firewall');
    expect(firewall).not.toMatch(/sdewan_(provider_snat|kube_api|pub)/);
    expect(await sectionLines('network', 'net2')).toContain("network.net2.ipaddr='10.10.10.89'");
  });

  it("uses a zone that already has the public interface, and none of its own", async () => {
    await store.update('firewall', () => [
      { op: 'section', section: 'wan_ovn', type: 'zone' },
      { op: 'set', section: 'wan_ovn', option: 'name', value: 'wan_ovn' },
      { op: 'add_list', section: 'wan_ovn', option: 'network', value: 'net2' },
    ]);
    await bootstrap();
    expect(await sectionLines('firewall', 'sdewan_kube_api')).toContain("firewall.sdewan_kube_api.src='wan_ovn'");
    expect(await sectionLines('firewall', 'sdewan_pub')).toEqual([]);
  });

  it('leaves a section of the same name that it did not make, and says so', async () => {
    await store.update('network', () => [
      { op: 'section', section: 'sdewan_default_cidr', type: 'rule' },
      { op: 'set', section: 'sdewan_default_cidr', option: 'src', value: '192.168.0.0/16' },
    ]);
    const result = await bootstrap();
    expect(await sectionLines('network', 'sdewan_default_cidr')).toEqual([
      'network.sdewan_default_cidr=rule',
      "network.sdewan_default_cidr.src='192.168.0.0/16'",
    ]);
    expect(result.findings.map((f) => f.message)).toContain("network section 'sdewan_default_cidr' exists and was not made by the bootstrap: left as is");
  });

  it('writes no SNAT, no DNAT and no pod rule when the pod does not fit the values, and says why', async () => {
    writeFileSync(annotations, chartAnnotations); // no podIP annotation
    const result = await bootstrap({ ...ICN_VALUES, providerCidr: '10.20.0.0/16', publicIp: '10.20.0.1', kubeApi: '' });
    const messages = result.findings.map((f) => f.message);
    expect(messages).toContain('no attached interface is in the provider network 10.20.0.0/16: no SNAT written');
    expect(messages).toContain('the Kubernetes API service is unknown (--kube-api, or KUBERNETES_SERVICE_HOST and _PORT): no DNAT written');
    expect(messages).toContain("the pod's address is unknown (--pod-ip, or the podIP annotation): no rule for it written");
    expect(await show('firewall')).not.toMatch(/sdewan_(provider_snat|kube_api|pub)/);
    expect(await sectionLines('network', 'sdewan_default_cidr')).toContain("network.sdewan_default_cidr.lookup='40'");
  });

  it('refuses a bad value, naming its option, and writes nothing', async () => {
    const before = ['network', 'mwan3', 'firewall'].map(fileState);
    const result = await bootstrap({ ...ICN_VALUES, providerCidr: '10.10.10.0' });
    expect(result.status).toBe('input-error');
    expect(result.error).toBe('--provider-cidr "10.10.10.0" should be an IPv4 network address/prefix');
    expect(['network', 'mwan3', 'firewall'].map(fileState)).toEqual(before);
    expect(() => parseRoutingValues({ kubeApi: 'kubernetes.default:443' })).toThrow(/--kube-api/);
    expect(() => parseRoutingValues({ publicIp: '10.0.0.300' })).toThrow(/--public-ip "10.0.0.300" should be an IPv4 address/);
    expect(() => parseRoutingValues({ podIp: 'fe80::1' })).toThrow(/--pod-ip/);
  });

  it('compares addresses with networks by prefix, not by text', () => {
    expect(inCidr('10.10.70.39', '10.10.70.0/24')).toBe(true);
    expect(inCidr('10.10.71.39', '10.10.70.0/24')).toBe(false);
    expect(inCidr('10.10.71.39', '10.10.64.0/20')).toBe(true);
    expect(inCidr('192.168.1.1', '0.0.0.0/0')).toBe(true);
  });
});

describe('sdewan-agent bootstrap: routing options and environment', () => {
  const bin = path.join(repo, 'bin', 'sdewan-agent');
  const run = (args: string[], env: Record<string, string>) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(SDEWAN_|KUBERNETES_|LOG_LEVEL|NODE_OPTIONS|VITEST)/.test(k)) clean[k] = v;
    return execa(bin, ['bootstrap', '--annotations', annotations, '--confdir', confdir, '--savedir', path.join(dir, 'save'), '--uci-bin', 'embedded', ...args], {
      reject: false,
      extendEnv: false,
      env: { ...clean, NODE_ENV: 'test', ...env },
      timeout: 30_000,
    });
  };

  it('takes the values from the environment, options winning, and the API from kubelet\'s variables', async () => {
    const r = await run(['--default-cidr', '10.233.0.0/16'], {
      SDEWAN_DEFAULT_CIDR: '10.1.0.0/16',
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      SDEWAN_PUBLIC_IP: '10.10.10.89',
    });
    expect(r.exitCode).toBe(0);
    const network = readFileSync(path.join(confdir, 'network'), 'utf8');
    expect(network).toContain("config rule 'sdewan_default_cidr'\n\toption src '10.233.0.0/16'");
    expect(network).toContain("option src '10.233.84.5/32'");
    // The devices of this machine are not the pod's: no DNAT, and the log says why.
    expect(r.stdout).toContain('no attached interface has the public address 10.10.10.89: no DNAT written');
  });

  it('exits 1 with --strict on a bad value, and 0 without, writing nothing either way', async () => {
    const before = fileState('network');
    const lax = await run([], { SDEWAN_PUBLIC_IP: 'ten' });
    expect(lax.exitCode).toBe(0);
    expect(lax.stdout).toContain('--public-ip \\"ten\\" should be an IPv4 address');
    const strict = await run(['--strict', '--public-ip', 'ten'], {});
    expect(strict.exitCode).toBe(1);
    expect(fileState('network')).toEqual(before);
  });
});
