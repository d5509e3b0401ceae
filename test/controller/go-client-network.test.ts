// ICN's reconcilers of CNFRoute, CNFRouteRule and SdewanApplication as they talk to the CNF
// (crd-ctrlr/src/cnfprovider/openprovider.go AddOrUpdateObject, crd-ctrlr/src/openwrt): GET
// the object; on 404 POST it to `<collection>/`; otherwise unmarshal the answer into the Go
// struct and PUT `<collection>/<name>` unless it is reflect.DeepEqual to the desired struct.
// Bodies are the whole structs ("" for unset strings, false for an unset bool), sent with no
// Content-Type, only `Cookie: sysauth=<token>`. A reconcile that writes after the first one
// would repeat forever. The agent runs in a network namespace with the devices the samples name.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/http.js';
import { SAMPLE_APPLICATION, SAMPLE_ROUTE, SAMPLE_ROUTE_RULE } from '../helpers/samples.js';
import { agentInPodNamespace, type PodNamespace } from '../network/netns.js';

type GoValue = string | boolean;
type GoStruct = Record<string, GoValue>;

/** The Go structs' fields with their zero values, and the key of their list types. */
const KINDS = {
  route: { base: 'sdewan/route/v1/routes', listKey: 'routes', zero: { name: '', dst: '', gw: '', dev: '', table: '' } },
  rule: { base: 'sdewan/rule/v1/rules', listKey: 'routerules', zero: { name: '', src: '', dst: '', flag: false, prio: '', fwmark: '', table: '' } },
  app: { base: 'sdewan/application/v1/applications', listKey: 'apps', zero: { name: '', iplist: '' } },
} as const;
type Kind = keyof typeof KINDS;

/** encoding/json.Unmarshal into the struct: its own fields only, absent ones zero, a wrong type an error. */
function unmarshal(kind: Kind, value: unknown): GoStruct {
  const zero: GoStruct = KINDS[kind].zero;
  const json = value as Record<string, unknown>;
  const out: GoStruct = { ...zero };
  for (const key of Object.keys(zero)) {
    if (!(key in json) || json[key] === null) continue;
    if (typeof json[key] !== typeof zero[key]) throw new Error(`json: cannot unmarshal ${typeof json[key]} into Go struct field ${key} of type ${typeof zero[key]}`);
    out[key] = json[key] as GoValue;
  }
  return out;
}

let pod: PodNamespace;
let token: string;

async function goLogin(): Promise<string> {
  const body = `luci_username=root&luci_password=${pod.agent.password}`;
  const res = await rawRequest(`${pod.agent.url}/cgi-bin/luci/`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) },
  });
  expect(res.status).toBe(302);
  const pair = (res.headers['set-cookie'] ?? [])[0]!.split(';').map((c) => c.trim()).find((c) => c.startsWith('sysauth='));
  return pair!.slice('sysauth='.length);
}

/** One request of the Go client: no Content-Type, the body with its length, the cookie. */
const call = (method: string, path: string, body = '') =>
  rawRequest(`${pod.agent.url}/cgi-bin/luci/${path}`, {
    method,
    body,
    headers: { Cookie: `sysauth=${token}`, 'Content-Length': String(Buffer.byteLength(body)) },
  });

/** AddOrUpdateObject for one pod: what it did, and the status of the write if any. */
async function reconcile(kind: Kind, desired: GoStruct): Promise<{ did: 'create' | 'update' | 'nothing'; status?: number; body?: unknown }> {
  const { base } = KINDS[kind];
  const got = await call('GET', `${base}/${desired['name']}`);
  if (got.status === 404) {
    const res = await call('POST', `${base}/`, JSON.stringify(desired));
    return { did: 'create', status: res.status, body: JSON.parse(res.text) };
  }
  expect(got.status).toBe(200);
  if (isDeepStrictEqual(unmarshal(kind, JSON.parse(got.text)), desired)) return { did: 'nothing' };
  const res = await call('PUT', `${base}/${desired['name']}`, JSON.stringify(desired));
  return { did: 'update', status: res.status, body: JSON.parse(res.text) };
}

/** Reconciles until the read-back equals the desired struct: one write, then nothing. */
async function converges(kind: Kind, desired: GoStruct, first: 'create' | 'update' = 'create') {
  const write = await reconcile(kind, desired);
  expect(write).toMatchObject({ did: first, status: first === 'create' ? 201 : 200 });
  expect(unmarshal(kind, write.body)).toEqual(desired);
  expect(await reconcile(kind, desired)).toEqual({ did: 'nothing' });
}

beforeAll(async () => {
  pod = await agentInPodNamespace(5);
  token = await goLogin();
});
afterAll(async () => {
  await pod?.stop();
});

describe('the Go client of the ICN controller, on routes, route rules and applications', () => {
  it('converges on the sample CNFRoute, then on a change of it, and on a route through #default', async () => {
    await converges('route', { ...SAMPLE_ROUTE });
    await converges('route', { ...SAMPLE_ROUTE, gw: '', table: '' }, 'update');
    await converges('route', { name: 'via-default', dst: 'default', gw: `${pod.subnet(1)}.1`, dev: '#default', table: 'default' }, 'create');
    const list = JSON.parse((await call('GET', KINDS.route.base)).text) as Record<string, unknown[]>;
    expect(list['routes']!.map((r) => unmarshal('route', r)['name'])).toEqual(['cnfroute-sample', 'via-default']);
  });

  it('gets a 428 it retries on for a device the pod lacks, and nothing is written', async () => {
    const before = pod.agent.readFile('network');
    expect(await reconcile('route', { ...SAMPLE_ROUTE, name: 'lost', dev: 'net7' })).toMatchObject({ did: 'create', status: 428 });
    expect(pod.agent.readFile('network')).toBe(before);
  });

  it('converges on the sample CNFRouteRule (flag a boolean) and on one with not false and no table; lists them under routerules', async () => {
    await converges('rule', { ...SAMPLE_ROUTE_RULE }, 'create');
    await converges('rule', { name: 'plain', src: '', dst: '10.9.0.0/16', flag: false, prio: '', fwmark: '', table: '' }, 'create');
    await converges('rule', { ...SAMPLE_ROUTE_RULE, flag: false }, 'update');
    const list = JSON.parse((await call('GET', KINDS.rule.base)).text) as Record<string, unknown[]>;
    expect(list[KINDS.rule.listKey]!.map((r) => unmarshal('rule', r))).toEqual([
      { ...SAMPLE_ROUTE_RULE, flag: false },
      { name: 'plain', src: '', dst: '10.9.0.0/16', flag: false, prio: '', fwmark: '', table: '' },
    ]);
  });

  it('converges on an application as its pods come and go: no pods, a pod without an address yet, two pods', async () => {
    const name = SAMPLE_APPLICATION.name;
    await converges('app', { name, iplist: '' }, 'create');
    await converges('app', { name, iplist: '10.244.0.7,' }, 'update');
    await converges('app', { ...SAMPLE_APPLICATION }, 'update');
    const list = JSON.parse((await call('GET', KINDS.app.base)).text) as Record<string, unknown[]>;
    expect(list[KINDS.app.listKey]!.map((a) => unmarshal('app', a))).toEqual([{ ...SAMPLE_APPLICATION }]);
    expect((await call('DELETE', `${KINDS.app.base}/${name}`)).status).toBe(200);
    expect((await call('GET', `${KINDS.app.base}/${name}`)).status).toBe(404);
    expect(pod.agent.readFile('network')).not.toContain("sdewan_kind 'application'");
  });
});
