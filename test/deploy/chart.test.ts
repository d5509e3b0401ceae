// deploy/helm/sdewan-cnf, rendered by the real `helm template` (.ci/run installs helm): ICN's
// values give the objects ICN's controller looks for (labels, Secrets), a certificate for the
// name the controller dials, the bootstrap's inputs, and probes that a real agent started with
// the rendered settings answers.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { checkServerIdentity } from 'node:tls';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseNfnNetwork } from '../../src/bootstrap/annotations.js';
import { DEFAULT_ANNOTATIONS_FILE } from '../../src/bootstrap/run.js';
import { parseUci } from '../../src/uci/parser.js';
import { makeTempDir, startAgent, type Agent } from '../helpers/agent.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHART = path.join(repo, 'deploy/helm/sdewan-cnf');
const HELM = process.env.HELM ?? 'helm';

type Obj = Record<string, any>;

function helm(args: string[]): string {
  try {
    return execFileSync(HELM, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${HELM} not found: .ci/run installs helm (or set HELM)`);
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

function render(valuesYaml?: string): Obj[] {
  const args = ['template', 'cnf', CHART];
  if (valuesYaml !== undefined) {
    const file = path.join(tmp, `values-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, valuesYaml);
    args.push('-f', file);
  }
  return parseAllDocuments(helm(args))
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);
}

const find = (docs: Obj[], kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

// A values file written for ICN's sdewan_cnf chart (its keys, `separate` included), with
// values of another site.
const ICN_VALUES = `
metadata:
  name: hub-cnf
  namespace: sdwan
  labels: hub
  passwdSecret: hub-cnf-pass
  passwd: s3cret-Pass
  cert: hub-cnf-cert
spec:
  progressDeadlineSeconds: 300
  replicas: 1
strategy:
  maxSurge: 1
  maxUnavailable: 0
nfn:
  - defaultGateway: false
    interface: net2
    ipAddress: 10.10.80.20
    name: pnetwork
    separate: ","
  - defaultGateway: true
    interface: net0
    ipAddress: 172.16.80.20
    name: ovn-network
    separate: ""
containers:
  image: registry.local/sdewan-agent-openwrt:1.0
  imagePullPolicy: Always
  name: sdewan
nodeSelector: ""
publicIpAddress: "10.10.80.20"
defaultCIDR: "10.233.90.0/24"
providerCIDR: "10.10.80.0/24"
restartPolicy: Always
`;

let tmp: string;
let docs: Obj[];
beforeAll(() => {
  tmp = makeTempDir('sdewan-chart-');
  docs = render(ICN_VALUES);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const deployment = () => find(docs, 'Deployment');
const container = () => deployment().spec.template.spec.containers[0] as Obj;

describe('helm chart deploy/helm/sdewan-cnf with ICN values', () => {
  it('passes helm lint', () => {
    expect(helm(['lint', CHART])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('labels what ICN\'s controller lists: Deployment, selector (so its ReplicaSet) and pods by sdewanPurpose', () => {
    const d = deployment();
    expect(d.metadata).toMatchObject({ name: 'hub-cnf', namespace: 'sdwan', labels: { sdewanPurpose: 'hub' } });
    expect(d.spec.selector.matchLabels).toEqual({ sdewanPurpose: 'hub' });
    // The ReplicaSet a Deployment makes carries the pod template's labels.
    expect(d.spec.template.metadata.labels.sdewanPurpose).toBe('hub');
    expect(d.spec.progressDeadlineSeconds).toBe(300);
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('names the password and certificate Secrets in the pod labels the controller reads, and mounts the same', () => {
    const labels = deployment().spec.template.metadata.labels;
    expect(labels['cnf-account-secret']).toBe('hub-cnf-pass');
    expect(labels['cnf-cert-secret']).toBe('hub-cnf-cert');
    const volumes = Object.fromEntries((deployment().spec.template.spec.volumes as Obj[]).map((v) => [v.name, v]));
    expect(volumes.account.secret.secretName).toBe(labels['cnf-account-secret']);
    expect(volumes.cert.secret.secretName).toBe(labels['cnf-cert-secret']);
    const secret = find(docs, 'Secret');
    expect(secret.metadata).toEqual({ name: 'hub-cnf-pass', namespace: 'sdwan' });
    // The key the controller takes the password from (openprovider.go: "password").
    expect(secret.stringData).toEqual({ password: 's3cret-Pass' });
  });

  it("issues a certificate valid for the pod's DNS name in its namespace, and for no other namespace", () => {
    const cert = find(docs, 'Certificate');
    expect(cert.spec.secretName).toBe('hub-cnf-cert');
    const san = (cert.spec.dnsNames as string[]).map((n) => `DNS:${n}`).join(', ');
    const peer = { subject: { CN: cert.spec.commonName }, subjectaltname: san } as Parameters<typeof checkServerIdentity>[1];
    // The name openprovider.go dials: the pod IP with dashes, the namespace, pod.cluster.local.
    expect(checkServerIdentity('10-233-90-7.sdwan.pod.cluster.local', peer)).toBeUndefined();
    expect(checkServerIdentity('10-233-90-7.default.pod.cluster.local', peer)).toBeInstanceOf(Error);
  });

  it('annotates the pod with interfaces the bootstrap accepts, and mounts the annotations where it reads them', () => {
    const annotation = deployment().spec.template.metadata.annotations['k8s.plugin.opnfv.org/nfn-network'] as string;
    const nfn = parseNfnNetwork(annotation);
    expect(nfn.interface.map((i) => [i.name, i.interface, i.ipAddress, i.defaultGateway])).toEqual([
      ['pnetwork', 'net2', '10.10.80.20', false],
      ['ovn-network', 'net0', '172.16.80.20', true],
    ]);
    const mounts = Object.fromEntries((container().volumeMounts as Obj[]).map((m) => [m.name, m.mountPath]));
    expect(path.join(mounts.podinfo, 'annotations')).toBe(DEFAULT_ANNOTATIONS_FILE);
    expect(container().command.at(-1)).toBe(`sdewan-agent bootstrap --annotations ${DEFAULT_ANNOTATIONS_FILE}; exec /sbin/init`);
  });

  it('hands ICN\'s network values and the pod IP to the bootstrap', () => {
    const env = Object.fromEntries((container().env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toEqual({
      SDEWAN_PROVIDER_CIDR: '10.10.80.0/24',
      SDEWAN_PUBLIC_IP: '10.10.80.20',
      SDEWAN_DEFAULT_CIDR: '10.233.90.0/24',
      SDEWAN_POD_IP: { fieldRef: { fieldPath: 'status.podIP' } },
    });
  });

  it("keeps ICN's node selection, and takes the image", () => {
    expect(deployment().spec.template.spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/master': '' });
    expect(container()).toMatchObject({ image: 'registry.local/sdewan-agent-openwrt:1.0', imagePullPolicy: 'Always', name: 'sdewan' });
    const anyNode = find(render(`${ICN_VALUES}\nnodeSelector: null\n`), 'Deployment');
    expect(anyNode.spec.template.spec.nodeSelector).toBeUndefined();
  });

  it('renders without the Secret and the Certificate when they are made elsewhere', () => {
    const kinds = render(`${ICN_VALUES}\ncertificate:\n  create: false\n`).map((d) => d.kind);
    expect(kinds).not.toContain('Certificate');
    expect(render(ICN_VALUES.replace('passwd: s3cret-Pass', 'passwd: ""')).map((d) => d.kind)).not.toContain('Secret');
    // The chart's own defaults render too.
    expect(render().map((d) => d.kind).sort()).toEqual(['Certificate', 'ConfigMap', 'Deployment', 'Secret']);
  });
});

describe('the rendered agent settings and probes, on a real agent', () => {
  let agent: Agent;
  let config: Map<string, string>;
  beforeAll(async () => {
    const cm = find(docs, 'ConfigMap');
    const main = parseUci(cm.data['sdewan-agent'] as string, { name: 'sdewan-agent' }).sections.find((s) => s.name === 'main')!;
    config = new Map([...main.options].map(([k, v]) => [k, String(v)]));
    // The two secrets as kubelet mounts them, under a temporary root.
    const root = path.join(tmp, 'pod');
    const at = (p: string) => path.join(root, p);
    mkdirSync(at(config.get('tls_dir')!), { recursive: true });
    mkdirSync(path.dirname(at(config.get('password_file')!)), { recursive: true });
    writeFileSync(at(config.get('password_file')!), 's3cret-Pass');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=*.sdwan.pod.cluster.local', '-addext', 'subjectAltName=DNS:*.sdwan.pod.cluster.local,IP:127.0.0.1',
      '-keyout', at(`${config.get('tls_dir')}/tls.key`), '-out', at(`${config.get('tls_dir')}/tls.crt`),
    ], { stdio: 'ignore' });
    // The settings the init script derives from port/http_port/tls_dir, on free ports here.
    agent = await startAgent({
      env: {
        PORT: '',
        SDEWAN_HTTPS_PORTS: '0',
        SDEWAN_HTTP_PORTS: '0',
        SDEWAN_TLS_DIR: at(config.get('tls_dir')!),
        SDEWAN_AUTH: config.get('auth')!,
        SDEWAN_USER: config.get('user')!,
        SDEWAN_PASSWORD: '',
        SDEWAN_PASSWORD_FILE: at(config.get('password_file')!),
      },
      ca: readFileSync(at(`${config.get('tls_dir')}/tls.crt`), 'utf8'),
    });
  });
  afterAll(async () => agent?.stop());

  it('serves HTTPS on the port the probes name, plain HTTP beside it', () => {
    expect([config.get('port'), config.get('http_port')]).toEqual(['443', '80']);
    const ports = Object.fromEntries((container().ports as Obj[]).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ https: 443, http: 80 });
    expect(agent.url).toMatch(/^https:/);
  });

  it('answers the readiness and liveness probes as kubelet sends them: HTTPS, no login', async () => {
    for (const probe of [container().readinessProbe, container().livenessProbe] as Obj[]) {
      expect(probe.httpGet).toMatchObject({ port: 'https', scheme: 'HTTPS' });
      const res = await agent.request('GET', probe.httpGet.path as string, undefined, { cookie: '' });
      expect(res.status, probe.httpGet.path).toBe(200);
    }
  });

  it("logs in with the account secret's password, as the controller does", async () => {
    await expect(agent.login('root', 's3cret-Pass')).resolves.toMatch(/^sysauth=/);
    await expect(agent.login('root', 'root1')).rejects.toThrow(/403/);
  });
});
