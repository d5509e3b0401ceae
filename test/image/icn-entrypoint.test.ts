// ICN's deployment, unchanged, with our image: the entrypoint of ICN's sdewan_cnf chart
// (fixtures/icn/entrypoint.sh does its steps in its order) runs against the image's overlay
// copied to a root directory, with recording stand-ins for procd, ubusd, sysctl, iptables,
// ip and the services the agent does not replace, shadow's real chpasswd chrooted there, and
// an rc.common stand-in that starts what the init script hands procd. `/etc/init.d/uhttpd
// start` must start the agent, a real process, which answers a login over HTTPS with the
// account secret's password and the cert secret's certificate, as ICN's controller dials it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUci } from '../../src/uci/parser.js';
import { waitFor } from '../helpers/agent.js';
import { FIXTURES, IMAGE_DIR, ROOT as REPO, run, tempDir } from './support.js';

const ICN = path.join(FIXTURES, 'icn');
const PASSWORD = 'icn-Secret 42';
const POD_DNS = '10-233-84-5.default.pod.cluster.local';
/** Services ICN's entrypoint starts that the agent does not replace (recording stand-ins). */
const OTHER_SERVICES = ['rpcd', 'dnsmasq', 'network', 'odhcpd', 'log', 'dropbear', 'mwan3', 'firewall'];

let root: string;
let ca: string;
let calls: string[];
let entrypoint: { code: number; stdout: string; stderr: string };
let urls: string[] = [];
/** The bundle, built into a directory of this test's own (another test rebuilds dist/bundle meanwhile). */
let bundle: string;

/** A CA and a serving certificate for the pod's DNS name, as cert-manager issues ICN's. */
function makeCertSecret(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=sdewan test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  openssl('req', ...ec, '-subj', `/CN=${POD_DNS}`, '-keyout', f('tls.key'), '-out', f('tls.csr'));
  writeFileSync(f('ext'), `subjectAltName=DNS:*.default.pod.cluster.local,DNS:${POD_DNS}\n`);
  openssl('x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('ext'), '-out', f('tls.crt'));
  for (const extra of ['ca.key', 'tls.csr', 'ext', 'ca.srl']) rmSync(f(extra), { force: true });
}

/** The downward-API annotations file of ICN's pod (Go's %q quoting), with calico's podIP. */
function annotations(): string {
  const nfn = JSON.stringify(
    {
      type: 'ovn4nfv',
      interface: [
        { defaultGateway: 'false', interface: 'net2', ipAddress: '10.10.70.39', name: 'pnetwork' },
        { defaultGateway: 'false', interface: 'net0', ipAddress: '172.16.70.39', name: 'ovn-network' },
      ],
    },
    null,
    2,
  );
  const q = (s: string) => JSON.stringify(s); // the same escapes as %q for this text
  return [
    `cni.projectcalico.org/podIP="10.233.84.5/32"`,
    `cni.projectcalico.org/podIPs="10.233.84.5/32"`,
    `k8s.plugin.opnfv.org/nfn-network=${q(nfn)}`,
    `k8s.v1.cni.cncf.io/networks=${q('[{ "name": "ovn4nfv-k8s-plugin"}]')}`,
  ].join('\n');
}

function login(port: number, password: string): Promise<{ status: number; cookie: string }> {
  const body = new URLSearchParams({ luci_username: 'root', luci_password: password }).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        // The name ICN's controller dials and checks the certificate against (openprovider.go).
        servername: POD_DNS,
        ca,
        method: 'POST',
        path: '/cgi-bin/luci/',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        checkServerIdentity: (_host, cert) => https.globalAgent.options.checkServerIdentity?.(POD_DNS, cert) ?? undefined,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']?.[0] ?? '') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  root = tempDir('icn');
  const outdir = path.join(root, 'bundle');
  const bundled = await run(process.execPath, [path.join(REPO, 'scripts/bundle.mjs'), '--outdir', outdir], { cwd: REPO, env: process.env });
  if (bundled.code !== 0) throw new Error(`scripts/bundle.mjs failed:\n${bundled.stdout}\n${bundled.stderr}`);
  bundle = path.join(outdir, 'sdewan-agent.mjs');
  // The image's overlay, links kept (/etc/init.d/uhttpd is one).
  cpSync(path.join(IMAGE_DIR, 'etc'), path.join(root, 'etc'), { recursive: true, verbatimSymlinks: true });
  // The box's absolute paths, here under the root directory.
  const agentConfig = path.join(root, 'etc/config/sdewan-agent');
  writeFileSync(agentConfig, readFileSync(agentConfig, 'utf8').replaceAll("'/etc/uhttpd.", `'${root}/etc/uhttpd.`));
  // OpenWRT's stock accounts: root without a password.
  writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/ash\n');
  writeFileSync(path.join(root, 'etc/shadow'), 'root:::0:99999:7:::\n');
  for (const name of OTHER_SERVICES) {
    const file = path.join(root, 'etc/init.d', name);
    writeFileSync(file, `#!/bin/sh /etc/rc.common\nstart() { echo "init.d/${name} start" >> "$CALLS"; }\nrestart() { echo "init.d/${name} restart" >> "$CALLS"; }\n`);
    chmodSync(file, 0o755);
  }
  mkdirSync(path.join(root, 'sbin'));
  for (const name of ['procd', 'ubusd']) copyFileSync(path.join(ICN, 'bin/record'), path.join(root, 'sbin', name));
  for (const name of ['procd', 'ubusd']) chmodSync(path.join(root, 'sbin', name), 0o755);
  // The chart's volumes.
  mkdirSync(path.join(root, 'tmp/podinfo'), { recursive: true });
  writeFileSync(path.join(root, 'tmp/podinfo/annotations'), annotations());
  mkdirSync(path.join(root, 'tmp/sdewan/account'), { recursive: true });
  writeFileSync(path.join(root, 'tmp/sdewan/account/password'), PASSWORD);
  makeCertSecret(path.join(root, 'tmp/sdewan/serving-certs'));
  ca = readFileSync(path.join(root, 'tmp/sdewan/serving-certs/ca.crt'), 'utf8');
  // The pod's interfaces as ifconfig shows them.
  const ifaces = path.join(root, 'ifaces');
  writeFileSync(ifaces, 'net2 10.10.70.39 255.255.255.0\nnet0 172.16.70.39 255.255.255.0\n');
  const callsFile = path.join(root, 'calls');
  writeFileSync(callsFile, '');

  entrypoint = await run('sh', [path.join(ICN, 'entrypoint.sh')], {
    env: {
      PATH: `${path.join(ICN, 'bin')}:${process.env.PATH}`,
      ROOT: root,
      RC_COMMON: path.join(ICN, 'rc.common'),
      FIXTURES,
      CALLS: callsFile,
      IFACES: ifaces,
      TEST_NODE: process.execPath,
      TEST_AGENT: bundle,
      PROVIDER_CIDR: '10.10.70.0/24',
      PUBLIC_IP: '10.10.70.39',
      DEFAULT_CIDR: '10.233.84.0/24',
    },
  });
  calls = readFileSync(callsFile, 'utf8').split('\n').filter(Boolean);
  if (entrypoint.code === 0) {
    const logd = path.join(root, 'logd');
    const logdText = () => (existsSync(logd) ? readFileSync(logd, 'utf8') : '');
    urls = await waitFor(
      () => {
        const line = logdText().split('\n').find((l) => l.includes('"msg":"listening"'));
        return line ? (JSON.parse(line) as { urls: string[] }).urls : undefined;
      },
      { timeoutMs: 20_000, what: 'the agent to listen' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- logd ---\n${logdText()}\n--- calls ---\n${calls.join('\n')}\n--- stderr ---\n${entrypoint.stderr}`);
    });
  }
}, 180_000);

afterAll(() => {
  if (!root) return;
  const pids = existsSync(path.join(root, 'pids')) ? readFileSync(path.join(root, 'pids'), 'utf8').split('\n').filter(Boolean) : [];
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(root, { recursive: true, force: true });
});

describe("ICN's entrypoint with our image", () => {
  it('runs to its end', () => {
    expect(entrypoint.stderr).not.toMatch(/not found|No such file/);
    expect(entrypoint.code, entrypoint.stderr).toBe(0);
    expect(entrypoint.stdout).toContain('entrypoint done');
  });

  it('writes the network config from the annotation and the interfaces', () => {
    const network = readFileSync(path.join(root, 'etc/config/network'), 'utf8');
    expect(network).toContain("config interface 'net2'\n\toption ifname 'net2'\n\toption proto 'static'\n\toption ipaddr '10.10.70.39'\n\toption netmask '255.255.255.0'");
    expect(network).toContain("config interface 'net0'");
  });

  it("sets root's password with chpasswd -m: an md5-crypt hash", () => {
    expect(calls).toContain('chpasswd -m');
    const shadow = readFileSync(path.join(root, 'etc/shadow'), 'utf8');
    expect(shadow).toMatch(/^root:\$1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}:/);
  });

  it('/etc/init.d/uhttpd is the agent: the one procd service sdewan-agent, on 443 (HTTPS) and 80', () => {
    expect(readlinkSync(path.join(root, 'etc/init.d/uhttpd'))).toBe('sdewan-agent');
    expect(calls).toContain('procd service sdewan-agent start');
    expect(calls.filter((c) => c.startsWith('procd starts '))).toHaveLength(1);
    expect(calls).toContain('asked SDEWAN_HTTPS_PORTS=443');
    expect(calls).toContain('asked SDEWAN_HTTP_PORTS=80');
    const starts = calls.filter((c) => c.startsWith('init.d/') || c.startsWith('procd service'));
    expect(starts).toEqual([
      'init.d/rpcd start',
      'init.d/dnsmasq start',
      'init.d/network start',
      'init.d/odhcpd start',
      'procd service sdewan-agent start',
      'init.d/log start',
      'init.d/dropbear start',
      'init.d/mwan3 restart',
      'init.d/firewall restart',
    ]);
    expect(urls.map((u) => new URL(u).protocol)).toEqual(['https:', 'http:']);
  });

  it("answers a login over HTTPS with the secret's password and certificate, for the pod's DNS name", async () => {
    const port = Number(new URL(urls[0]!).port);
    const ok = await login(port, PASSWORD);
    expect(ok.status).toBe(302);
    expect(ok.cookie).toMatch(/^sysauth=[0-9a-f]{32};.*Secure/);
    expect((await login(port, 'root1')).status).toBe(403);
    // The probe's port, plain HTTP, from the same process.
    expect((await fetch(`${urls[1]}/healthz`)).status).toBe(200);
  });

  it('ships a firewall that `firewall restart` loads with the agent reachable, without a first boot', () => {
    const firewall = parseUci(readFileSync(path.join(root, 'etc/config/firewall'), 'utf8'), { name: 'firewall' });
    const defaults = firewall.sections.find((s) => s.type === 'defaults')!;
    expect(Object.fromEntries(defaults.options)).toMatchObject({ input: 'ACCEPT', output: 'ACCEPT', forward: 'ACCEPT' });
    const allow = firewall.sections.find((s) => s.type === 'rule' && s.options.get('name') === 'Allow-sdewan-agent')!;
    const agent = parseUci(readFileSync(path.join(root, 'etc/config/sdewan-agent'), 'utf8'), { name: 'sdewan-agent' }).sections[0]!;
    expect(Object.fromEntries(allow.options)).toEqual({
      name: 'Allow-sdewan-agent',
      src: '*',
      proto: 'tcp',
      dest_port: `${agent.options.get('port')} ${agent.options.get('http_port')}`,
      target: 'ACCEPT',
    });
  });

  it("logs to logd and, through the copy, to PID 1's stdout (kubectl logs)", () => {
    const console_ = readFileSync(path.join(root, 'pid1-stdout'), 'utf8');
    expect(console_).toContain('"msg":"listening"');
    expect(console_).not.toContain(PASSWORD);
  });

  it('then adds the provider SNAT, the API DNAT and the two policy rules, in that order', () => {
    const net = calls.filter((c) => c.startsWith('iptables -t nat -A') || c.startsWith('iptables -t nat -I') || c.startsWith('ip rule'));
    expect(net).toEqual([
      'iptables -t nat -A POSTROUTING -o net2 -d 10.10.70.0/24 -j SNAT --to-source 10.10.70.39',
      'iptables -t nat -I PREROUTING 1 -m tcp -p tcp -d 10.10.70.39 --dport 6443 -j DNAT --to-dest 10.96.0.1:443',
      'ip rule add from 10.233.84.0/24 lookup 40',
      'ip rule add from 10.233.84.5 lookup main',
    ]);
    expect(calls[0]).toBe('sysctl -w net.ipv4.ip_forward=1');
  });
});
