// The bootstrap against real config files through the real UCI store (embedded engine); only
// the pod's devices are given by the test (the network-namespace test reads real ones).
import { applyChange, readObject } from '../../src/changes/index.js';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NFN_NETWORK_ANNOTATION } from '../../src/bootstrap/annotations.js';
import type { LiveDevice } from '../../src/bootstrap/plan.js';
import { runBootstrap, type BootstrapLog } from '../../src/bootstrap/run.js';
import { policies } from '../../src/resources/mwan3/policies.js';
import { interfaces } from '../../src/resources/mwan3/interfaces.js';
import { createRunner, createUciStore, showUci } from '../../src/uci/index.js';
import type { UciStore } from '../../src/uci/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const fixture = (name: string) => path.join(here, 'fixtures', name);

interface Logged {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function memoryLog(): BootstrapLog & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') } as unknown as BootstrapLog & { lines: Logged[] };
}

const v4 = (address: string, prefix: number) => ({ address, prefix, family: 'ipv4' as const });
const chartPod = new Map<string, LiveDevice>([
  ['net0', { addresses: [v4('172.16.30.89', 24)], gateway4: '172.16.30.1' }],
  ['net2', { addresses: [v4('10.10.10.89', 24)] }],
  ['eth0', { addresses: [v4('10.244.0.17', 24)], gateway4: '10.244.0.1' }],
]);

let dir: string;
let confdir: string;
let store: UciStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bootstrap-'));
  confdir = path.join(dir, 'config');
  cpSync(path.join(repo, 'uci-fixtures'), confdir, { recursive: true });
  store = createUciStore({ confdir, savedir: path.join(dir, 'save'), runner: createRunner('embedded') });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const show = async (pkg: string) => showUci(await store.read(pkg));
const snapshotFiles = () =>
  Object.fromEntries(
    ['network', 'mwan3'].map((pkg) => {
      const file = path.join(confdir, pkg);
      const st = statSync(file);
      return [pkg, { text: readFileSync(file, 'utf8'), mtimeMs: st.mtimeMs, ino: st.ino }];
    }),
  );

async function bootstrap(annotations: string, live: ReadonlyMap<string, LiveDevice> = chartPod) {
  const log = memoryLog();
  const result = await runBootstrap({ annotationsFile: annotations, store, log, live: () => live });
  return { result, log };
}

describe('bootstrap with the ICN chart two-interface example', () => {
  it('adds one static network interface and one mwan3 interface per attached interface', async () => {
    const networkBefore = await show('network');
    const mwan3Before = await show('mwan3');
    const { result } = await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    expect(result.status).toBe('changed');
    expect(result.findings).toEqual([]);
    expect(result.configured).toEqual(['net2', 'net0']);

    expect(await show('network')).toBe(
      networkBefore +
        [
          "network.net2=interface",
          "network.net2.device='net2'",
          "network.net2.proto='static'",
          "network.net2.ipaddr='10.10.10.89'",
          "network.net2.netmask='255.255.255.0'",
          "network.net2.sdewan_network='pnetwork'",
          "network.net0=interface",
          "network.net0.device='net0'",
          "network.net0.proto='static'",
          "network.net0.ipaddr='172.16.30.89'",
          "network.net0.netmask='255.255.255.0'",
          "network.net0.sdewan_network='ovn-network'",
          '',
        ].join('\n'),
    );
    expect(await show('mwan3')).toBe(
      mwan3Before +
        [
          'mwan3.net2=interface',
          "mwan3.net2.enabled='1'",
          "mwan3.net2.family='ipv4'",
          "mwan3.net2.sdewan_network='pnetwork'",
          'mwan3.net0=interface',
          "mwan3.net0.enabled='1'",
          "mwan3.net0.family='ipv4'",
          "mwan3.net0.sdewan_network='ovn-network'",
          '',
        ].join('\n'),
    );
    // The file format uci commit writes.
    expect(readFileSync(path.join(confdir, 'network'), 'utf8')).toContain(
      "\nconfig interface 'net0'\n\toption device 'net0'\n\toption proto 'static'\n\toption ipaddr '172.16.30.89'\n\toption netmask '255.255.255.0'\n\toption sdewan_network 'ovn-network'\n",
    );
  });

  it('changes nothing when run again: same bytes, same mtime', async () => {
    await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    const before = snapshotFiles();
    const { result } = await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    expect(result.status).toBe('unchanged');
    expect(result.network?.batch).toBe('');
    expect(result.mwan3?.batch).toBe('');
    expect(snapshotFiles()).toEqual(before);
  });

  it('keeps what the API made, before and on the bootstrap sections, across a rerun', async () => {
    await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    // Through the API's own write path: a policy over both interfaces, and tracking on net2.
    const api = { store, reloader: { schedule: () => undefined }, settings: { rollback: false, ipsecDir: dir, savedir: path.join(dir, 'save') }, log: { warn: () => undefined, error: () => undefined }, host: { facts: async () => ({ devices: [] }) } };
    const policy = { name: 'balance-ovn', members: [{ interface: 'net2', metric: '1', weight: '2' }, { interface: 'net0', metric: '1', weight: '3' }] };
    await applyChange(api, { op: 'create', kind: policies, obj: policy });
    const tracked = { name: 'net2', enabled: '1', family: 'ipv4', track_ip: ['10.10.10.1'], reliability: '1' };
    await applyChange(api, { op: 'replace', kind: interfaces, obj: tracked });
    await store.update('network', () => [
      { op: 'section', section: 'lan2', type: 'interface' },
      { op: 'set', section: 'lan2', option: 'device', value: 'net9' },
    ]);

    const before = snapshotFiles();
    const { result } = await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    expect(result.status).toBe('unchanged');
    expect(snapshotFiles()).toEqual(before);

    const mwan3 = await show('mwan3');
    expect(mwan3).toContain("mwan3.balance_ovn.use_member='balance_ovn_net2' 'balance_ovn_net0'");
    expect(mwan3).toContain("mwan3.net2.track_ip='10.10.10.1'");
    expect(mwan3).toContain("mwan3.net2.sdewan_network='pnetwork'");
    expect(await readObject(api, policies, 'balance-ovn')).toEqual(policy);
  });

  it('keeps the sections of an interface that left the pod, deletes those that left the annotation', async () => {
    await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    const onlyNet0 = path.join(dir, 'one.annotations');
    writeFileSync(
      onlyNet0,
      `${NFN_NETWORK_ANNOTATION}=${JSON.stringify(JSON.stringify({ type: 'ovn4nfv', interface: [{ name: 'ovn-network', interface: 'net0', ipAddress: '172.16.30.89', defaultGateway: 'true' }] }))}`,
    );
    const { result, log } = await bootstrap(onlyNet0, new Map([['net0', chartPod.get('net0')!]]));
    expect(result.status).toBe('changed');
    const network = await show('network');
    expect(network).not.toContain('network.net2');
    expect(network).toContain("network.net0.gateway='172.16.30.1'");
    expect(await show('mwan3')).not.toContain('mwan3.net2');
    expect(log.lines.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        "bootstrap: network interface 'net2' is no longer attached: deleted",
        "bootstrap: mwan3 interface 'net2' is no longer attached: deleted",
      ]),
    );

    // net0 named again but missing from the pod: reported, its sections kept as they are.
    const before = snapshotFiles();
    const again = await bootstrap(onlyNet0, new Map());
    expect(again.result.status).toBe('unchanged');
    expect(again.log.lines).toContainEqual({
      level: 'warn',
      fields: { device: 'net0' },
      msg: 'bootstrap: interface net0 (network ovn-network): named in the annotation but not present in the pod; not configured',
    });
    expect(snapshotFiles()).toEqual(before);
  });
});

describe('bootstrap with the ICN example without addresses', () => {
  it('takes the addresses from the pod, and reports the interface the pod lacks', async () => {
    const pod = new Map<string, LiveDevice>([['net1', { addresses: [v4('10.154.142.25', 18)] }]]);
    const { result, log } = await bootstrap(fixture('icn-example-no-addresses.annotations'), pod);
    expect(result.configured).toEqual(['net1']);
    const network = await show('network');
    expect(network).toContain(
      ["network.net1=interface", "network.net1.device='net1'", "network.net1.proto='static'", "network.net1.ipaddr='10.154.142.25'", "network.net1.netmask='255.255.192.0'", "network.net1.sdewan_network='ovn-net1'"].join('\n'),
    );
    expect(network).not.toContain('net2');
    expect(log.lines.find((l) => l.level === 'warn')?.msg).toBe(
      'bootstrap: interface net2 (network ovn-net2): named in the annotation but not present in the pod; not configured',
    );
  });
});

describe('bad input', () => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['a missing file', undefined, /annotations file .*does not exist/],
    ['a malformed file', 'k8s.plugin.opnfv.org/nfn-network={"type": "ovn4nfv"}', /line 1 \(k8s\.plugin\.opnfv\.org\/nfn-network\): value is not a double-quoted string/],
    ['no nfn-network annotation', 'k8s.v1.cni.cncf.io/networks="[]"', /no k8s\.plugin\.opnfv\.org\/nfn-network annotation/],
    ['invalid JSON', `${NFN_NETWORK_ANNOTATION}="{\\"type\\": "`, /is not valid JSON/],
    ['an invalid field', `${NFN_NETWORK_ANNOTATION}="{\\"interface\\": [{\\"name\\": \\"a\\", \\"interface\\": \\"net0\\", \\"ipAddress\\": \\"300.1.1.1\\"}]}"`, /field interface\.0\.ipAddress should be/],
  ];
  it.each(cases)('%s: a clear error, nothing written', async (_what, content, message) => {
    // An owned section of an earlier run must survive bad input too.
    await bootstrap(fixture('icn-chart-two-interfaces.annotations'));
    const before = snapshotFiles();
    const file = path.join(dir, 'annotations');
    if (content !== undefined) writeFileSync(file, content);
    const { result, log } = await bootstrap(file);
    expect(result.status).toBe('input-error');
    expect(result.error).toMatch(message);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: 'error', fields: { file } });
    expect(log.lines[0]!.msg).toMatch(message);
    expect(log.lines[0]!.msg).toMatch(/network, mwan3 and firewall left unchanged$/);
    expect(snapshotFiles()).toEqual(before);
  });

  it('writes nothing into an empty config directory on bad input', async () => {
    rmSync(path.join(confdir, 'network'));
    rmSync(path.join(confdir, 'mwan3'));
    const file = path.join(dir, 'annotations');
    writeFileSync(file, 'garbage');
    const { result } = await bootstrap(file);
    expect(result.status).toBe('input-error');
    expect(() => statSync(path.join(confdir, 'network'))).toThrow();
    expect(() => statSync(path.join(confdir, 'mwan3'))).toThrow();
  });

  it('creates network and mwan3 when the directory has neither', async () => {
    rmSync(path.join(confdir, 'network'));
    rmSync(path.join(confdir, 'mwan3'));
    copyFileSync(fixture('icn-chart-two-interfaces.annotations'), path.join(dir, 'a'));
    const { result } = await bootstrap(path.join(dir, 'a'));
    expect(result.status).toBe('changed');
    expect(await show('mwan3')).toMatch(/^mwan3\.net2=interface\n/);
  });
});
