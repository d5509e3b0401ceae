// The Kubernetes example stays consistent with the agent: its annotation is one the
// bootstrap accepts, and the paths in the agent's settings are the ones the pod mounts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseNfnNetwork } from '../../src/bootstrap/annotations.js';
import { DEFAULT_ANNOTATIONS_FILE } from '../../src/bootstrap/run.js';
import { parseUci } from '../../src/uci/parser.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = readFileSync(path.join(repo, 'deploy', 'kubernetes', 'cnf-deployment.yaml'), 'utf8');
const lines = manifest.split('\n');

/** The text of a YAML block scalar (`key: |` or `|-`), its indentation removed. */
function blockScalar(key: string): string {
  const start = lines.findIndex((l) => l.trimStart().startsWith(`${key}: |`));
  expect(start, `${key} in the manifest`).toBeGreaterThanOrEqual(0);
  const keyIndent = lines[start]!.search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && line.search(/\S/) <= keyIndent) break;
    body.push(line);
  }
  while (body.length > 0 && body.at(-1)!.trim() === '') body.pop();
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.search(/\S|\t/)));
  return body.map((l) => l.slice(indent)).join('\n');
}

/** mountPath of the volume mount named `name`. */
function mountPath(name: string): string {
  const i = lines.findIndex((l) => l.trim() === `- name: ${name}` && lines[lines.indexOf(l) + 1]?.includes('mountPath:'));
  expect(i, `volume mount ${name}`).toBeGreaterThanOrEqual(0);
  return lines[i + 1]!.split('mountPath:')[1]!.trim();
}

describe('deploy/kubernetes/cnf-deployment.yaml', () => {
  it('annotates the pod with two interfaces the bootstrap accepts', () => {
    const nfn = parseNfnNetwork(blockScalar('k8s.plugin.opnfv.org/nfn-network'));
    expect(nfn.interface.map((i) => [i.name, i.interface, i.ipAddress])).toEqual([
      ['pnetwork', 'net2', '10.10.10.89'],
      ['ovn-network', 'net0', '172.16.30.89'],
    ]);
  });

  it('mounts the annotations where the bootstrap reads them', () => {
    expect(path.join(mountPath('podinfo'), 'annotations')).toBe(DEFAULT_ANNOTATIONS_FILE);
    expect(manifest).toContain('fieldPath: metadata.annotations');
    expect(manifest).toContain(`sdewan-agent bootstrap --annotations ${DEFAULT_ANNOTATIONS_FILE}; exec /sbin/init`);
  });

  it('points the agent settings at the mounted secrets', () => {
    const config = parseUci(blockScalar('sdewan-agent'), { name: 'sdewan-agent' });
    const main = config.sections.find((s) => s.type === 'agent' && s.name === 'main')!;
    expect(main.options.get('auth')).toBe('static');
    expect(main.options.get('password_file')).toBe(`${mountPath('account')}/password`);
    expect(main.options.get('tls_cert')).toBe(`${mountPath('cert')}/tls.crt`);
    expect(main.options.get('tls_key')).toBe(`${mountPath('cert')}/tls.key`);
    expect(mountPath('agent-config')).toBe('/etc/config/sdewan-agent');
  });

  it("labels the pods as ICN's controller looks them up: purpose, password and certificate Secrets", () => {
    const secrets = readFileSync(path.join(repo, 'deploy', 'kubernetes', 'secrets.yaml'), 'utf8');
    expect(manifest).toMatch(/labels:\n\s+sdewanPurpose: sdewan-cnf\n\s+cnf-account-secret: sdewan-cnf-account\n\s+cnf-cert-secret: sdewan-cnf-cert\n/);
    expect(manifest).toMatch(/secretName: sdewan-cnf-account/);
    expect(manifest).toMatch(/secretName: sdewan-cnf-cert/);
    expect(secrets).toMatch(/name: sdewan-cnf-account/);
    expect(secrets).toMatch(/dnsNames:\n\s+- "\*\.default\.pod\.cluster\.local"/);
  });

  it('probes the health endpoints on the agent port', () => {
    expect(manifest).toMatch(/readinessProbe:\n\s+httpGet:\n\s+path: \/readyz\n\s+port: https\n\s+scheme: HTTPS/);
    expect(manifest).toMatch(/livenessProbe:\n\s+httpGet:\n\s+path: \/healthz\n\s+port: https\n\s+scheme: HTTPS/);
    expect(manifest).toMatch(/- name: https\n\s+containerPort: 443/);
    const config = parseUci(blockScalar('sdewan-agent'), { name: 'sdewan-agent' });
    expect(config.sections[0]?.options.get('port')).toBe('443');
  });
});
