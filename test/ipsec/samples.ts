// The ICN samples (test/reference/icn-samples/ipsec*.yaml) as the controller sends them: the Go
// client (package openwrt, SdewanIpsecRemote / SdewanIpsecProposal) marshals every field, so
// unset strings arrive as "" and unset lists as null; the object name is the custom resource's
// metadata.name and the site's spec.remote becomes `gateway`.
import { readFileSync } from 'node:fs';

/** IpsecProposal `ipsecproposal`. */
export const proposalBody = {
  name: 'ipsecproposal',
  encryption_algorithm: 'aes',
  hash_algorithm: 'sha1',
  dh_group: 'modp4096',
};

const emptyConnection = {
  name: '',
  conn_type: '',
  mode: '',
  local_subnet: '',
  local_nat: '',
  local_sourceip: '',
  local_updown: '',
  local_firewall: '',
  remote_subnet: '',
  remote_sourceip: '',
  remote_updown: '',
  remote_firewall: '',
  crypto_proposal: null,
  mark: '',
  if_id: '',
};

/** IpsecSite `ipsecsite` (a hub answering any peer). */
export const siteBody = {
  name: 'ipsecsite',
  type: 'VTI-based',
  gateway: '%any',
  pre_shared_key: 'test_key',
  authentication_method: 'psk',
  local_identifier: 'Hub',
  remote_identifier: 'host',
  crypto_proposal: ['ipsecproposal'],
  force_crypto_proposal: '0',
  local_public_cert: '',
  local_private_cert: '',
  shared_ca: '',
  connections: [
    {
      ...emptyConnection,
      name: 'connB',
      conn_type: 'tunnel',
      mode: 'start',
      mark: '42',
      remote_sourceip: '192.168.1.5-192.168.1.6',
      local_subnet: '192.168.1.1/24,10.10.10.35/32',
      crypto_proposal: ['ipsecproposal'],
    },
  ],
};

/** IpsecHost `ipsechost` (a host dialing the hub and asking for a virtual IP). */
export const hostBody = {
  ...siteBody,
  name: 'ipsechost',
  gateway: '10.10.10.35',
  local_identifier: 'host',
  remote_identifier: 'Hub',
  connections: [
    {
      ...emptyConnection,
      name: 'connA',
      conn_type: 'tunnel',
      mode: 'start',
      mark: '42',
      local_sourceip: '%config',
      remote_subnet: '192.168.1.1/24,10.10.10.35/32',
      crypto_proposal: ['ipsecproposal'],
    },
  ],
};

/** The body without the absent ("" / null) fields: what a GET must answer. */
export function withoutAbsent<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutAbsent) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== '' && v !== null)
        .map(([k, v]) => [k, withoutAbsent(v)]),
    ) as T;
  }
  return value;
}

/** The YAML sample holds every value the body above claims to come from it. */
export function sampleYamlHolds(file: string, values: string[]): string[] {
  const yaml = readFileSync(`test/reference/icn-samples/${file}`, 'utf8');
  return values.filter((v) => !yaml.includes(v));
}
