import { conflict, fieldError } from '../../errors.js';
import type { BatchOp, UciSection, UciValue } from '../../uci/types.js';
import { optionList } from '../fields.js';
import { apiNameOf } from '../names.js';
import type { Snapshot } from '../types.js';
import { MWAN3, POLICY_KIND_OPTION, SLA_KIND } from './common.js';

/**
 * The quality tracking an SLA policy sets on its members' mwan3 interfaces, and takes back.
 *
 * mwan3track (openwrt/packages net/mwan3/files/usr/sbin/mwan3track) measures quality only with
 * `check_quality '1'` and `track_method` ping (its default) or httping, on the hosts of
 * `track_ip` (without one, mwan3 starts no tracker). Each round it pings every track_ip `count`
 * times: `latency` is the integer part of the average round trip (ms), `loss` the percentage
 * lost. A host whose `loss >= failure_loss` or `latency >= failure_latency` is down; one with
 * `loss <= recovery_loss` and `latency <= recovery_latency` is up; after `down` failed rounds
 * the interface goes offline and leaves every policy. An SLA `{latency_ms L, loss_percent P}`
 * is therefore written as
 *
 *   check_quality '1', failure_latency 'L+1', recovery_latency 'L', failure_loss 'P+1', recovery_loss 'P'
 *
 * (a round meeting the SLA is up, one breaking it is down: no band in between), and
 * `count '10'` when the interface sets no count (mwan3's default 1 measures loss as 0 or 100%).
 *
 * Ownership: the interface section lists the SLA policies relying on it in `sdewan_sla` and
 * the options the agent wrote in `sdewan_sla_options`. Options a person set stay: a hand value
 * equal to the SLA's is used as is, one that differs is refused (409). When the last SLA
 * policy lets go of an interface, exactly the options in `sdewan_sla_options` are removed.
 *
 * Two SLA policies on one interface must demand the same latency and loss (mwan3 holds one set
 * of thresholds per interface, and an interface failing the stricter one would leave the
 * laxer policy too): otherwise 409 naming both. Jitter is not part of mwan3's thresholds, so
 * it may differ.
 */
export const SLA_POLICIES_OPTION = 'sdewan_sla';

export const SLA_OPTIONS_OPTION = 'sdewan_sla_options';

/** The SLA as the policy section stores it (and the API shows it). */
export interface Sla {
  latency_ms: string;
  loss_percent: string;
  jitter_ms?: string | undefined;
}

/** Options an SLA demands with these values; a hand value that differs conflicts. */
export function thresholdOptions(sla: Sla): Map<string, string> {
  const latency = Number(sla.latency_ms);
  const loss = Number(sla.loss_percent);
  return new Map([
    ['check_quality', '1'],
    ['failure_latency', String(latency + 1)],
    ['recovery_latency', String(latency)],
    ['failure_loss', String(loss + 1)],
    ['recovery_loss', String(loss)],
  ]);
}

/** Options written only when the interface has none: any value a person chose is kept. */
const DEFAULT_OPTIONS = new Map([['count', '10']]);

/** The track methods with which mwan3track measures latency and loss. */
const QUALITY_METHODS = ['ping', 'httping'];

/** One SLA policy's claim on an interface: the policy section, its API name, its SLA. */
export interface SlaClaim {
  section: string;
  name: string;
  sla: Sla;
}

const interfaceOf = (snap: Snapshot, name: string) => snap[MWAN3]?.sections.find((s) => s.type === 'interface' && s.name === name);

/** The SLA policies an interface lists that still exist (a policy section removed by hand holds nothing). */
const holders = (snap: Snapshot, iface: UciSection) =>
  optionList(iface, SLA_POLICIES_OPTION).filter((p) => snap[MWAN3]?.sections.some((s) => s.type === 'policy' && s.name === p && s.options.get(POLICY_KIND_OPTION) === SLA_KIND));

const describe = (sla: Sla) => `latency_ms ${sla.latency_ms}, loss_percent ${sla.loss_percent}`;

/**
 * The checks before `claim` takes the interface `iface` (a section name) for the member at
 * `field`: something to measure, a method that measures quality, no other SLA policy with
 * other thresholds (409 naming both), no hand value in the way (409).
 */
export function checkClaim(snap: Snapshot, iface: UciSection, claim: SlaClaim, field: string, slaOf: (policySection: string) => SlaClaim | undefined): void {
  const shown = JSON.stringify(apiNameOf(iface));
  if (optionList(iface, 'track_ip').length === 0) {
    throw fieldError(field, `mwan3 interface ${shown} has no track_ip: mwan3 measures nothing on it (set its track_ip through mwan3/v1/interfaces)`);
  }
  const method = iface.options.get('track_method');
  if (typeof method === 'string' && !QUALITY_METHODS.includes(method)) {
    throw fieldError(field, `mwan3 interface ${shown} tracks with ${method}, which measures no latency or loss (mwan3 does with ${QUALITY_METHODS.join(' or ')})`, 409);
  }
  const want = thresholdOptions(claim.sla);
  for (const other of optionList(iface, SLA_POLICIES_OPTION)) {
    if (other === claim.section) continue;
    const them = slaOf(other);
    if (!them) continue;
    const theirs = thresholdOptions(them.sla);
    if ([...want].some(([o, v]) => theirs.get(o) !== v)) {
      throw conflict(
        `Conflict: ${field}: mwan3 interface ${shown} is held by SLA policy ${JSON.stringify(them.name)} (${describe(them.sla)}); ` +
          `SLA policy ${JSON.stringify(claim.name)} demands ${describe(claim.sla)}, and mwan3 keeps one set of thresholds per interface`,
      );
    }
  }
  const owned = optionList(iface, SLA_OPTIONS_OPTION);
  for (const [option, value] of want) {
    const have = iface.options.get(option);
    if (have !== undefined && !owned.includes(option) && have !== value) {
      throw conflict(`Conflict: ${field}: mwan3 interface ${shown} has ${option} ${JSON.stringify(have)} set by hand; the SLA needs ${JSON.stringify(value)}`);
    }
  }
}

function listOps(section: string, option: string, have: readonly string[], want: readonly string[]): BatchOp[] {
  if (have.length === want.length && have.every((v, i) => v === want[i])) return [];
  const ops: BatchOp[] = [];
  if (have.length > 0) ops.push({ op: 'delete', section, option });
  for (const value of want) ops.push({ op: 'add_list', section, option, value });
  return ops;
}

/** The operations making `claim` hold the interface section `name` (checked first with checkClaim). */
export function claimOps(snap: Snapshot, name: string, claim: SlaClaim): BatchOp[] {
  const iface = interfaceOf(snap, name)!;
  const owned = optionList(iface, SLA_OPTIONS_OPTION);
  const ops: BatchOp[] = [];
  const nowOwned = [...owned];
  const write = (option: string, value: UciValue) => {
    if (iface.options.get(option) !== value) ops.push({ op: 'set', section: name, option, value: String(value) });
    if (!nowOwned.includes(option)) nowOwned.push(option);
  };
  for (const [option, value] of thresholdOptions(claim.sla)) {
    const have = iface.options.get(option);
    if (have === undefined || owned.includes(option)) write(option, value);
  }
  for (const [option, value] of DEFAULT_OPTIONS) if (!iface.options.has(option)) write(option, value);
  const policies = holders(snap, iface);
  ops.push(...listOps(name, SLA_POLICIES_OPTION, optionList(iface, SLA_POLICIES_OPTION), policies.includes(claim.section) ? policies : [...policies, claim.section]));
  ops.push(...listOps(name, SLA_OPTIONS_OPTION, owned, nowOwned));
  return ops;
}

/**
 * The operations letting the SLA policy `policySection` go of the interface section `name`:
 * off the `sdewan_sla` list; the last one out removes the options the agent wrote.
 */
export function releaseOps(snap: Snapshot, name: string, policySection: string): BatchOp[] {
  const iface = interfaceOf(snap, name);
  if (!iface) return [];
  const policies = optionList(iface, SLA_POLICIES_OPTION);
  if (!policies.includes(policySection)) return [];
  const rest = holders(snap, iface).filter((p) => p !== policySection);
  if (rest.length > 0) return listOps(name, SLA_POLICIES_OPTION, policies, rest);
  const owned = optionList(iface, SLA_OPTIONS_OPTION).filter((o) => iface.options.has(o));
  return [...owned, SLA_OPTIONS_OPTION, SLA_POLICIES_OPTION]
    .filter((o) => iface.options.has(o))
    .map((option): BatchOp => ({ op: 'delete', section: name, option }));
}

/** The interface sections that list `policySection` in `sdewan_sla`. */
export function claimedInterfaces(snap: Snapshot, policySection: string): string[] {
  return (snap[MWAN3]?.sections ?? [])
    .filter((s) => s.type === 'interface' && optionList(s, SLA_POLICIES_OPTION).includes(policySection))
    .map((s) => s.name);
}

/** The options of an interface section that SLA policies own (the interfaces collection leaves them alone). */
export function slaOwnedOptions(iface: UciSection | undefined): string[] {
  return optionList(iface, SLA_POLICIES_OPTION).length > 0 ? optionList(iface, SLA_OPTIONS_OPTION) : [];
}
