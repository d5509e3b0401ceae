// ICN's reconcilers for CNFNAT and NetworkFirewallRule against the agent, as the Go client
// (crd-ctrlr/src/openwrt) speaks: JSON bodies with no Content-Type, the full struct with ""
// and null for what is unset, PUT to .../{name}; the read-back unmarshalled into the struct
// and compared with reflect.DeepEqual, an update sent on any difference. The agent runs in a
// network namespace with ICN's sample devices iface1 and iface2 (default route on iface2).
// Needs root and a build (`npx tsc -p .`).
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../helpers/agent.js';
import { type RawResponse, rawRequest } from '../helpers/http.js';
import { type Netns, createNetns, subnetOf } from '../helpers/netns.js';

/** The Go structs' JSON: every field with its zero value ("" for string, null for []string). */
const SDEWAN_NAT = { name: '', src: '', src_ip: '', src_dip: '', src_port: '', src_dport: '', proto: '', dest: '', dest_ip: '', dest_port: '', target: '', index: '' };
const SDEWAN_NETWORK_FIREWALL_RULE = {
  name: '', src: '', src_ip: '', src_mac: '', src_port: '', proto: '', icmp_type: null as string[] | null, dest: '', dest_ip: '', dest_port: '', mark: '', target: '',
  set_mark: '', set_xmark: '', family: '', extra: '',
};
type GoStruct = Record<string, string | string[] | null>;

/** json.Unmarshal into a zero struct: known fields taken, unknown ones dropped, absent ones zero. */
function unmarshal(zero: GoStruct, text: string): GoStruct {
  const json = JSON.parse(text) as Record<string, unknown>;
  const out: GoStruct = { ...zero };
  for (const key of Object.keys(zero)) if (key in json) out[key] = json[key] as string | string[] | null;
  return out;
}

const S5 = subnetOf(5);
const S6 = subnetOf(6);

let ns: Netns | undefined;
let agent: Agent;
let token = '';

function goRequest(method: string, path: string, body = ''): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Length': String(Buffer.byteLength(body)) };
  if (token) headers.Cookie = `sysauth=${token}`;
  else headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return rawRequest(`${agent.url}/cgi-bin/luci/${path}`, { method, body, headers });
}

beforeAll(async () => {
  ns = await createNetns('goc', [
    { name: 'iface1', address: `${S5}.2/24` },
    { name: 'iface2', address: `${S6}.2/24` },
  ], 'iface2');
  agent = await startAgent({ commandPrefix: ns.prefix, env: { HOST: `${S5}.2` } });
  const login = await goRequest('POST', '', `luci_username=root&luci_password=${agent.password}`);
  expect(login.status).toBe(302);
  token = /sysauth=([^;]*)/.exec((login.headers['set-cookie'] ?? [])[0] ?? '')![1]!;
});
afterAll(async () => {
  await agent?.stop();
  await ns?.remove();
});

/**
 * One reconcile of ProcessReconcile: GET the object; create it on a 404, update it when the
 * read-back differs from the desired struct. Returns what was sent ('create', 'update' or none).
 */
async function reconcile(base: string, zero: GoStruct, desired: GoStruct): Promise<string | undefined> {
  const name = desired.name as string;
  const got = await goRequest('GET', `${base}/${name}`);
  if (got.status === 404) {
    const res = await goRequest('POST', base, JSON.stringify(desired));
    expect(res.status, res.text).toBe(201);
    expect(unmarshal(zero, res.text)).toEqual(desired);
    return 'create';
  }
  expect(got.status).toBe(200);
  if (isDeepStrictEqual(unmarshal(zero, got.text), desired)) return undefined;
  const res = await goRequest('PUT', `${base}/${name}`, JSON.stringify(desired));
  expect(res.status, res.text).toBe(200);
  return 'update';
}

/** Reconciles until nothing is sent; the number of rounds that sent something. */
async function settle(base: string, zero: GoStruct, desired: GoStruct): Promise<string[]> {
  const sent: string[] = [];
  for (let round = 0; round < 4; round++) {
    const what = await reconcile(base, zero, desired);
    if (!what) return sent;
    sent.push(what);
  }
  throw new Error(`${desired.name as string} never settled: ${sent.join(', ')}`);
}

describe('the Go client of ICN’s NAT and network firewall reconcilers', () => {
  it('settles each CNFNAT after one create and one update: the read-back is DeepEqual to the spec', async () => {
    const nats: GoStruct[] = [
      { ...SDEWAN_NAT, name: 'nat-sample', src: 'iface1', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'iface2', dest_ip: `${S6}.20`, proto: 'tcp', target: 'DNAT' },
      { ...SDEWAN_NAT, name: '10.20.0.0-edge1', dest_ip: '10.20.0.0', dest: '#source', src_dip: `${S5}.2`, index: '1', target: 'SNAT' },
      { ...SDEWAN_NAT, name: 'default4hub1', src_dip: `${S6}.2`, dest: '#source', index: '0', target: 'SNAT' },
      { ...SDEWAN_NAT, name: 'masq', src: '#default', dest: '#default', src_ip: '10.0.0.0/8', proto: 'udp', src_port: '53', target: 'MASQUERADE' },
    ];
    for (const nat of nats) {
      expect(await settle('sdewan/nat/v1/nats', SDEWAN_NAT, nat)).toEqual(['create']);
      const changed = { ...nat, proto: 'tcp', dest_port: '8080' };
      expect(await settle('sdewan/nat/v1/nats', SDEWAN_NAT, changed)).toEqual(['update']);
    }
    const list = await goRequest('GET', 'sdewan/nat/v1/nats');
    expect((JSON.parse(list.text) as { nats: unknown[] }).nats).toHaveLength(nats.length);
    for (const nat of nats) expect((await goRequest('DELETE', `sdewan/nat/v1/nats/${nat.name as string}`)).status).toBe(200);
  });

  it('settles each NetworkFirewallRule after one create and one update', async () => {
    const rules: GoStruct[] = [
      { ...SDEWAN_NETWORK_FIREWALL_RULE, name: 'deny-ssh', src: '#default', proto: 'tcp', dest_port: '22', target: 'REJECT' },
      { ...SDEWAN_NETWORK_FIREWALL_RULE, name: 'fwd', src: `#${S5}.2`, dest: 'iface2', src_ip: '192.168.1.0/24', target: 'ACCEPT', family: 'ipv4' },
      { ...SDEWAN_NETWORK_FIREWALL_RULE, name: 'ping', src: 'iface1', proto: 'icmp', icmp_type: ['echo-request'], target: 'DROP' },
      { ...SDEWAN_NETWORK_FIREWALL_RULE, name: 'mark', src: 'iface1', mark: '0x1', target: 'MARK', set_mark: '0x2', extra: '-m comment --comment x' },
    ];
    for (const rule of rules) {
      expect(await settle('sdewan/networkfirewall/v1/rules', SDEWAN_NETWORK_FIREWALL_RULE, rule)).toEqual(['create']);
      const changed = { ...rule, src_mac: '00:11:22:33:44:55', target: rule.target === 'MARK' ? 'MARK' : 'DROP' };
      expect(await settle('sdewan/networkfirewall/v1/rules', SDEWAN_NETWORK_FIREWALL_RULE, changed)).toEqual(['update']);
    }
    for (const rule of rules) expect((await goRequest('DELETE', `sdewan/networkfirewall/v1/rules/${rule.name as string}`)).status).toBe(200);
  });

  it('gets the 428 that ICN answers for a device the CNF does not have', async () => {
    const res = await goRequest('POST', 'sdewan/nat/v1/nats', JSON.stringify({ ...SDEWAN_NAT, name: 'x', src: 'net9', dest_ip: '10.0.0.1', target: 'DNAT' }));
    expect(res.status).toBe(428);
    expect(JSON.parse(res.text).message).toMatch(/^Field\[src\] checked failed/);
    const rule = await goRequest('POST', 'sdewan/networkfirewall/v1/rules', JSON.stringify({ ...SDEWAN_NETWORK_FIREWALL_RULE, name: 'x', src: 'net9', target: 'DROP' }));
    expect(rule.status).toBe(428);
  });
});
