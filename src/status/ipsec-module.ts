import { isIP } from 'node:net';
import { apiNameOf } from '../resources/names.js';
import type { UciPackage, UciSection } from '../uci/types.js';
import { ipsecStatus, remoteStateOf, type RemoteStatus } from './ipsec.js';
import type { IkeSa } from './ike-sas.js';

/**
 * The `ipsec` status module: the object ICN's modules/ipsec.lua answered,
 *
 *   {"InitConnection": "success" | "fail", "details": [<remote>, ...]}
 *
 * The controller's CNF status poller reads `InitConnection` as a string and, on "fail",
 * restarts the ipsec service of the CNF (`PUT sdewan/v1/service/ipsec {"action":"restart"}`)
 * at every poll until it reads "success". So "fail" means exactly: a connection that this side
 * starts itself is neither up nor on its way up, and a restart may help.
 *
 * Expected up: the children (`tunnel`/`transport` sections listed by the remote) with
 * `startaction start` of an enabled remote whose gateway names one peer (an address or a host
 * name; `%any`, a CIDR or a range cannot be initiated: such a hub waits for its peers and is
 * never a failure). Such a child is fine when a child SA of its name is installed, rekeying or
 * being set up, or when the IKE SA of its remote is still connecting.
 *
 * When swanctl cannot be asked: no swanctl program means no strongSwan to restart ("success",
 * every remote `unknown`); swanctl failing (charon not running) is "fail" if anything is
 * expected up. After an explicit `stop` of the ipsec service, the answer is "success": the
 * controller must not undo the stop.
 *
 * `details` holds the per-remote status of ipsec.ts (RemoteStatus), with `missing_children`:
 * the API names of the expected children that are not up, on a remote that has any.
 */
export type IpsecRemoteDetail = RemoteStatus & { missing_children?: string[] };

export interface IpsecModuleStatus {
  InitConnection: 'success' | 'fail';
  details: IpsecRemoteDetail[];
}

/** What swanctl said: the IKE SAs, or why there are none (and whether the program is absent). */
export type SwanctlAnswer = { sas: IkeSa[] } | { sas: undefined; reason: string; missing: boolean };

/** A child that this side initiates: the UCI section names of the remote and the child, and the child's API name. */
export interface ExpectedChild {
  remote: string;
  child: string;
  apiName: string;
}

const values = (s: UciSection, option: string): string[] => {
  const v = s.options.get(option);
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** config_get_bool's true values, as swanctl.init reads `enabled`. */
const enabled = (s: UciSection) => ['1', 'on', 'true', 'yes', 'enabled'].includes(values(s, 'enabled')[0] ?? '');

/** One peer that can be initiated: an address or a host name, not %any, a CIDR or a range. */
export function isInitiablePeer(addr: string): boolean {
  if (addr === '' || addr.startsWith('%') || addr.includes('/')) return false;
  const range = addr.split('-');
  if (range.length === 2 && isIP(range[0]!) && isIP(range[1]!)) return false;
  return true;
}

/** The children of enabled, initiable remotes with startaction start, in file order. */
export function expectedChildren(pkg: UciPackage): ExpectedChild[] {
  const byName = new Map(pkg.sections.map((s) => [s.name, s]));
  const out: ExpectedChild[] = [];
  for (const remote of pkg.sections) {
    if (remote.type !== 'remote' || !enabled(remote)) continue;
    if (!values(remote, 'remote_addrs').some(isInitiablePeer)) continue;
    for (const name of [...values(remote, 'tunnel'), ...values(remote, 'transport')]) {
      const child = byName.get(name);
      if (!child || (child.type !== 'tunnel' && child.type !== 'transport')) continue;
      if ((values(child, 'startaction')[0] ?? 'route') !== 'start') continue;
      out.push({ remote: remote.name, child: child.name, apiName: apiNameOf(child) });
    }
  }
  return out;
}

/** Child SA states of a child that is up or being set up. */
const CHILD_FINE = new Set(['INSTALLED', 'REKEYING', 'REKEYED', 'UPDATING', 'CREATED', 'INSTALLING', 'RETRYING']);

function childIsFine(sas: readonly IkeSa[], e: ExpectedChild): boolean {
  const mine = sas.filter((sa) => sa.name === e.remote);
  if (mine.some((sa) => remoteStateOf(sa.state) === 'connecting')) return true;
  return mine.some((sa) => sa.childSas.some((c) => c.name === e.child && CHILD_FINE.has(c.state)));
}

/** The module's answer; `stopped`: the last action on the ipsec service was an explicit, successful stop. */
export function ipsecModuleStatus(pkg: UciPackage, swanctl: SwanctlAnswer, now: Date, stopped = false): IpsecModuleStatus {
  const details: IpsecRemoteDetail[] = swanctl.sas
    ? ipsecStatus(pkg, swanctl.sas, now)
    : ipsecStatus(pkg, undefined, now, swanctl.reason);
  const expected = expectedChildren(pkg);
  const missing =
    swanctl.sas !== undefined ? expected.filter((e) => !childIsFine(swanctl.sas, e)) : swanctl.missing ? [] : expected;
  const remoteApiName = new Map(pkg.sections.filter((s) => s.type === 'remote').map((s) => [s.name, apiNameOf(s)]));
  for (const detail of details) {
    const names = missing.filter((e) => remoteApiName.get(e.remote) === detail.name && detail.configured).map((e) => e.apiName);
    if (names.length) detail.missing_children = names;
  }
  return { InitConnection: missing.length > 0 && !stopped ? 'fail' : 'success', details };
}
