// Certificates as ICN's central controller (scc) sends them, against the real agent: a CA chain
// made with openssl (root CA -> overlay CA -> hub), encoded as scc encodes it
// (central-controller/src/scc/pkg/manager: GetKeypair gives the base64 of the first PEM
// certificate of tls.crt, cut right after its END line, and of the whole tls.key; GetCertChain
// joins the root's and the overlay CA's with `___`), posted as scc's hub side of a hub-device
// connection (VTI-based, %any peer, an address handed out, /etc/updown, mark 30).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSwanctl } from '../../src/ipsec/render.js';
import { parseUci } from '../../src/uci/index.js';
import { startAgent, type Agent } from '../helpers/agent.js';

const IPSEC = '/cgi-bin/luci/sdewan/ipsec/v1';
const END = '-----END CERTIFICATE-----';

function openssl(cwd: string, ...args: string[]): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A root CA, an overlay CA it signs, and a hub certificate the overlay CA signs, in `dir`. */
function makeChain(dir: string): void {
  writeFileSync(path.join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=sdewan-controller', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE');
  openssl(dir, 'req', ...ec, '-keyout', 'overlay.key', '-out', 'overlay.csr', '-subj', '/CN=overlay1-cert');
  openssl(dir, 'x509', '-req', '-in', 'overlay.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'overlay.crt', '-days', '30', '-extfile', 'ca.ext');
  openssl(dir, 'req', ...ec, '-keyout', 'hub.key', '-out', 'hub.csr', '-subj', '/CN=hub1-cert');
  openssl(dir, 'x509', '-req', '-in', 'hub.csr', '-CA', 'overlay.crt', '-CAkey', 'overlay.key', '-CAcreateserial', '-out', 'hub.crt', '-days', '30', '-extfile', 'leaf.ext');
  // cert-manager's tls.crt holds the certificate, then its issuers
  writeFileSync(path.join(dir, 'tls.crt'), readFileSync(path.join(dir, 'hub.crt'), 'utf8') + readFileSync(path.join(dir, 'overlay.crt'), 'utf8'));
}

/** scc's GetKeypair: base64 of the first certificate of tls.crt (up to its END line), and of tls.key. */
function keypair(dir: string, crt: string, key: string): { cert: string; key: string } {
  const text = readFileSync(path.join(dir, crt), 'utf8');
  const first = text.slice(0, text.indexOf(END) + END.length);
  return { cert: Buffer.from(first).toString('base64'), key: readFileSync(path.join(dir, key)).toString('base64') };
}

describe('certificates from scc', () => {
  let agent: Agent;
  let certs: string;
  let swanctl: string;
  let site: Record<string, unknown>;
  let root: string;
  let overlay: string;
  const file = (rel: string) => path.join(swanctl, rel);

  beforeAll(async () => {
    certs = mkdtempSync(path.join(os.tmpdir(), 'sdewan-scc-certs-'));
    swanctl = mkdtempSync(path.join(os.tmpdir(), 'sdewan-scc-swanctl-'));
    makeChain(certs);
    const hub = keypair(certs, 'tls.crt', 'hub.key');
    root = keypair(certs, 'root.crt', 'root.key').cert;
    overlay = keypair(certs, 'overlay.crt', 'overlay.key').cert;
    site = {
      name: 'hub1-device1',
      type: 'VTI-based',
      gateway: '%any',
      authentication_method: 'pubkey',
      local_public_cert: hub.cert,
      local_private_cert: hub.key,
      shared_ca: `${root}___${overlay}`,
      local_identifier: 'CN=hub1-cert',
      remote_identifier: 'CN=device1-cert',
      crypto_proposal: ['proposal1'],
      force_crypto_proposal: '0',
      connections: [
        {
          name: 'Conndevice1192168005',
          conn_type: 'tunnel',
          mode: 'start',
          mark: '30',
          local_updown: '/etc/updown',
          local_subnet: '0.0.0.0/0',
          remote_sourceip: '192.168.0.5',
          crypto_proposal: ['proposal1'],
        },
      ],
    };
    agent = await startAgent({ env: { SDEWAN_SWANCTL_DIR: swanctl } });
    const p = await agent.request('POST', `${IPSEC}/proposals`, { name: 'proposal1', encryption_algorithm: 'aes256', hash_algorithm: 'sha256', dh_group: 'modp4096' });
    expect(p.status).toBe(201);
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(certs, { recursive: true, force: true });
    rmSync(swanctl, { recursive: true, force: true });
  });

  it('accepts the chain and reads back what was sent', async () => {
    const res = await agent.request('POST', `${IPSEC}/remotes`, site);
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual(site);
    expect((await agent.request('GET', `${IPSEC}/remotes/hub1-device1`)).json).toEqual(site);
  });

  it('writes one PEM file per CA certificate under x509ca/, the certificate and the key beside', () => {
    const decoded = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    expect(readFileSync(file('x509ca/hub1_device1.pem'), 'utf8')).toBe(decoded(root));
    expect(readFileSync(file('x509ca/hub1_device1_ca1.pem'), 'utf8')).toBe(decoded(overlay));
    expect(readFileSync(file('x509/hub1_device1.pem'), 'utf8')).toBe(decoded(site.local_public_cert as string));
    expect(statSync(file('private/hub1_device1.pem')).mode & 0o777).toBe(0o600);
    // each file is a certificate openssl reads, and together they verify the hub's certificate
    expect(openssl(swanctl, 'x509', '-in', 'x509ca/hub1_device1.pem', '-noout', '-subject')).toMatch(/CN ?= ?sdewan-controller/);
    expect(openssl(swanctl, 'x509', '-in', 'x509ca/hub1_device1_ca1.pem', '-noout', '-subject')).toMatch(/CN ?= ?overlay1-cert/);
    const verified = openssl(swanctl, 'verify', '-CAfile', 'x509ca/hub1_device1.pem', '-untrusted', 'x509ca/hub1_device1_ca1.pem', 'x509/hub1_device1.pem');
    expect(verified.trim()).toBe('x509/hub1_device1.pem: OK');
    // and the key is the certificate's
    const pub = (args: string[]) => openssl(swanctl, ...args);
    expect(pub(['pkey', '-in', 'private/hub1_device1.pem', '-pubout'])).toBe(pub(['x509', '-in', 'x509/hub1_device1.pem', '-noout', '-pubkey']));
  });

  it('names the files in the remote as swanctl.init reads them, and the linux renderer loads every CA', () => {
    const text = agent.readFile('ipsec');
    expect(text).toContain("option ca_cert 'hub1_device1.pem'");
    expect(text).toContain("list api_ca_chain 'hub1_device1_ca1.pem'");
    const rendered = renderSwanctl(parseUci(text, 'ipsec'), { swanctlDir: swanctl }).text;
    expect(rendered).toContain(`authorities {\n  hub1_device1 {\n    cacert = ${swanctl}/x509ca/hub1_device1.pem\n  }\n  hub1_device1_ca1 {\n    cacert = ${swanctl}/x509ca/hub1_device1_ca1.pem\n  }\n}`);
    // route-based: the mark is the XFRM interface id, the updown script as sent
    expect(rendered).toContain('        if_id_in = 30\n        if_id_out = 30\n');
    expect(rendered).toContain('        updown = /etc/updown\n');
    expect(rendered).not.toContain('mark_in');
    // the one address scc hands the device is a pool of that address
    expect(rendered).toContain('  Conndevice1192168005_pool {\n    addrs = 192.168.0.5-192.168.0.5\n  }');
    expect(rendered).toContain('    pools = Conndevice1192168005_pool\n');
  });

  it('a PUT with the root alone removes the second CA file; a DELETE removes them all', async () => {
    const single = { ...site, shared_ca: root };
    const put = await agent.request('PUT', `${IPSEC}/remotes/hub1-device1`, single);
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual(single);
    expect(existsSync(file('x509ca/hub1_device1_ca1.pem'))).toBe(false);
    expect(agent.readFile('ipsec')).not.toContain('api_ca_chain');
    expect((await agent.request('DELETE', `${IPSEC}/remotes/hub1-device1`)).status).toBe(200);
    for (const rel of ['x509ca/hub1_device1.pem', 'x509/hub1_device1.pem', 'private/hub1_device1.pem']) expect(existsSync(file(rel)), rel).toBe(false);
  });

  it('a chain with a part that is not base64 PEM is a 400 naming the field and the part; nothing changes', async () => {
    expect((await agent.request('POST', `${IPSEC}/remotes`, site)).status).toBe(201);
    const before = agent.readFile('ipsec');
    const ca1 = readFileSync(file('x509ca/hub1_device1_ca1.pem'));
    for (const [sharedCa, part] of [
      [`${root}___bm90IGEgY2VydA==`, 'part 2 of 2'],
      [`${root}___`, 'part 2 of 2'],
      [`${root}___${overlay}___${root.slice(1)}`, 'part 3 of 3'],
    ] as const) {
      const res = await agent.request('PUT', `${IPSEC}/remotes/hub1-device1`, { ...site, shared_ca: sharedCa });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe(
        `Field[shared_ca] checked failed: ${part} (joined with ___) should be a base64-encoded PEM CA certificate (standard alphabet, padded, without line breaks)`,
      );
    }
    expect(agent.readFile('ipsec')).toBe(before);
    expect(readFileSync(file('x509ca/hub1_device1_ca1.pem'))).toEqual(ca1);
  });
});
