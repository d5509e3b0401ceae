// The CNF status poller of the ICN controller (crd-ctrlr/src/controllers/cnfstatus_controller.go
// with openwrt/status.go), replayed against the agent process: its requests as its Go client
// sends them, and every type assertion it makes on the answer, which would panic the controller
// manager if it failed. On "InitConnection": "fail" it restarts the CNF's ipsec service.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../helpers/agent.js';
import { type RawResponse, rawRequest } from '../helpers/http.js';
import { makeFakeInitd, type FakeInitd } from '../services/scripts.js';
import { makeFakeBin, referenceDir, type FakeBin } from '../status/fakebin.js';

/** A request as Go's net/http sends it for the openwrt client: Cookie only; GET without a body or Content-Length. */
function goRequest(agent: Agent, method: string, path: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
  const h: Record<string, string> = { 'User-Agent': 'Go-http-client/1.1', 'Accept-Encoding': 'gzip', ...headers };
  if (body !== '') h['Content-Length'] = String(Buffer.byteLength(body));
  return rawRequest(`${agent.url}${path}`, { method, body: body === '' ? undefined : body, headers: h });
}

async function goLogin(agent: Agent): Promise<string> {
  const res = await goRequest(agent, 'POST', '/cgi-bin/luci/', `luci_username=root&luci_password=${agent.password}`, {
    'Content-Type': 'application/x-www-form-urlencoded',
  });
  expect(res.status).toBe(302);
  const first = (res.headers['set-cookie'] ?? [])[0] ?? '';
  return first.split(';')[0]!.replace(/^sysauth=/, '');
}

/** What one poll of one CNF did: the JSON it would store in CNFStatus.status.information[].status, and its restarts. */
interface PollResult {
  stored: string;
  restarts: number;
}

/**
 * One query() of SdewanCNFStatusController for one pod, with the Go code's checks spelled out:
 * - StatusClient.GetStatus: GET sdewan/v1/status, status < 400, json.Unmarshal into
 *   []SdewanModuleStatus{Name string `json:"name"`, Status interface{} `json:"status"`};
 * - for the module registered as "ipsec", IpsecStatusAction.Execute: status.(map[string]interface{})
 *   (panics unless a JSON object), then stat["InitConnection"].(string) when the key is there
 *   (panics unless a string); on "fail": ServiceClient.ExecuteService("ipsec", "restart"), a PUT
 *   of {"action":"restart"} to sdewan/v1/service/ipsec with no Content-Type;
 * - json.Marshal of the list into the CR's status string.
 */
async function pollLikeTheController(agent: Agent, token: string): Promise<PollResult> {
  const res = await goRequest(agent, 'GET', '/cgi-bin/luci/sdewan/v1/status', '', { Cookie: `sysauth=${token}` });
  expect(res.status).toBeLessThan(400);
  const list: unknown = JSON.parse(res.text);
  // json.Unmarshal into a slice of structs: a JSON array of objects (null elements stay zero values)
  expect(Array.isArray(list)).toBe(true);
  let restarts = 0;
  for (const item of list as unknown[]) {
    if (item === null) continue;
    expect(typeof item === 'object' && !Array.isArray(item)).toBe(true);
    const { name, status } = item as { name?: unknown; status?: unknown };
    // Name string: a JSON string or null, anything else is an UnmarshalTypeError ("Not Available")
    expect(name === undefined || name === null || typeof name === 'string').toBe(true);
    if (name !== 'ipsec') continue;
    // stat := status.(map[string]interface{})
    expect(typeof status === 'object' && status !== null && !Array.isArray(status)).toBe(true);
    const stat = status as Record<string, unknown>;
    if (!('InitConnection' in stat)) continue;
    // s := val.(string)
    expect(typeof stat['InitConnection']).toBe('string');
    if (stat['InitConnection'] === 'fail') {
      const put = await goRequest(agent, 'PUT', '/cgi-bin/luci/sdewan/v1/service/ipsec', '{"action":"restart"}', { Cookie: `sysauth=${token}` });
      expect(put.status).toBeLessThan(400);
      restarts++;
    }
  }
  return { stored: JSON.stringify(list), restarts };
}

const ipsecConfig = [
  "config remote 'siteB'",
  "\toption enabled '1'",
  "\tlist remote_addrs '10.99.0.2'",
  "\tlist tunnel 'net'",
  '',
  "config tunnel 'net'",
  "\tlist local_subnet '192.168.10.0/24'",
  "\tlist remote_subnet '192.168.20.0/24'",
  "\toption startaction 'start'",
  '',
].join('\n');

const strongswan = (name: string) => path.join(referenceDir, 'strongswan', name);

describe('the CNF status poller of the ICN controller', () => {
  let bin: FakeBin;
  let initd: FakeInitd;
  let agent: Agent | undefined;
  /** What the fake swanctl prints: the SAs of charon, as the last (fake) restart left them. */
  let sasFile: string;

  beforeAll(async () => {
    bin = makeFakeBin();
    sasFile = path.join(bin.dir, 'sas.txt');
    bin.addScript('swanctl', `cat '${sasFile}'`);
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await initd?.cleanup();
  });
  afterAll(() => bin?.cleanup());

  const start = async (config: string, swanctlOnPath = true) => {
    // a restart of swanctl brings the tunnel up: from then on swanctl lists it
    initd = await makeFakeInitd({ swanctl: `[ "$1" = restart ] && cp '${strongswan('list-sas.raw.txt')}' '${sasFile}'; exit 0` });
    agent = await startAgent({
      initd: initd.dir,
      config: { ipsec: config },
      env: swanctlOnPath ? { PATH: `${bin.dir}:${process.env.PATH ?? '/usr/bin:/bin'}` } : { SDEWAN_SWANCTL: path.join(bin.dir, 'no-swanctl') },
    });
    return { agent, token: await goLogin(agent) };
  };

  it('a tunnel this side starts is down: "fail", the poller restarts ipsec, and the next poll reads "success"', async () => {
    copyFileSync(strongswan('list-sas.none.raw.txt'), sasFile);
    const { agent, token } = await start(ipsecConfig);
    const first = await pollLikeTheController(agent, token);
    expect(first.restarts).toBe(1);
    expect(await initd.calls()).toEqual(['swanctl restart']);
    const stored = JSON.parse(first.stored) as Array<{ name: string; status: any }>;
    expect(stored.map((m) => m.name)).toEqual(['conntrack', 'interface', 'ipsec', 'route', 'rule', 'wan', 'services', 'wireguard']);
    expect(stored[2]!.status).toEqual({
      InitConnection: 'fail',
      details: [{ name: 'siteB', state: 'down', child_sas: [], configured: true, missing_children: ['net'] }],
    });

    const second = await pollLikeTheController(agent, token);
    expect(second.restarts).toBe(0);
    expect(await initd.calls()).toEqual(['swanctl restart']);
    const ipsec = (JSON.parse(second.stored) as Array<{ name: string; status: any }>).find((m) => m.name === 'ipsec')!.status;
    expect(ipsec.InitConnection).toBe('success');
    expect(ipsec.details[0]).toMatchObject({ name: 'siteB', state: 'up', child_sas: [{ name: 'net', state: 'INSTALLED' }] });
  });

  it('the tunnel up: "success" and no restart', async () => {
    copyFileSync(strongswan('list-sas.raw.txt'), sasFile);
    const { agent, token } = await start(ipsecConfig);
    expect(await pollLikeTheController(agent, token)).toMatchObject({ restarts: 0 });
    expect(await initd.calls()).toEqual([]);
  });

  it('a tunnel the peer starts (startaction route) is no failure while down', async () => {
    copyFileSync(strongswan('list-sas.none.raw.txt'), sasFile);
    const { agent, token } = await start(ipsecConfig.replace("'start'", "'route'"));
    expect(await pollLikeTheController(agent, token)).toMatchObject({ restarts: 0 });
  });

  it('no strongSwan at all, and no ipsec config: the ipsec status is still an object with a string InitConnection', async () => {
    for (const config of [ipsecConfig, '']) {
      const { agent, token } = await start(config, false);
      expect(await pollLikeTheController(agent, token)).toMatchObject({ restarts: 0 });
      await agent.stop();
      await initd.cleanup();
    }
  });
});
