import * as z from 'zod';
import { fieldsOf, optionList } from '../fields.js';
import { conflict } from '../../errors.js';
import { apiNameOf, apiNameOfRef, claimGenerated, claimSectionName, findNamed, namedObjectOps } from '../names.js';
import { text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { BatchOp, UciSection, UciValue } from '../../uci/types.js';
import { chainSectionName, MWAN3, POLICY_KIND_OPTION } from './common.js';
import { interfaceSection, MEMBER_FIELDS, MEMBER_OPTIONS, memberFields, memberFromOptions, memberOptions } from './members.js';

const memberSchema = z.object(memberFields);

const EXAMPLE_MEMBERS = [
  { interface: 'ovn-net1', metric: '2', weight: '2' },
  { interface: 'ovn-net2', metric: '3', weight: '3' },
];

/** A policy's `members`: each `{interface, metric, weight}`, an interface at most once. */
export const policyMembersSchema = () =>
  z
    .array(memberSchema, { error: 'should be a list of members' })
    .refine((ms) => new Set(ms.map((m) => m.interface)).size === ms.length, {
      error: 'the same interface appears twice',
    })
    .meta({ description: 'The interfaces the traffic goes over, each once; the agent keeps one mwan3 member per entry.', examples: [EXAMPLE_MEMBERS] });

const schema = z
  .object({
    name: text().meta({ description: 'The policy name, as mwan3 rules refer to it (at most 15 characters).', examples: ['balance1'] }),
    members: policyMembersSchema().optional(),
  })
  .meta({
    description: 'A load-balancing or failover policy: which interfaces carry the traffic of the rules that use it (`config policy`).',
    examples: [{ name: 'balance1', members: EXAMPLE_MEMBERS }],
  });
export type Mwan3Policy = z.infer<typeof schema>;
export type PolicyMember = z.infer<typeof memberSchema>;


/** Every named policy section, whichever collection owns it. */
export const policySections = (snap: Snapshot) => (snap[MWAN3]?.sections ?? []).filter((s) => s.type === 'policy' && !s.anonymous);

/** The policy sections the policies collection owns: no `sdewan_kind`. */
const plainPolicySections = (snap: Snapshot) => policySections(snap).filter((s) => !s.options.has(POLICY_KIND_OPTION));

/** The members a policy section lists, as the API shows them (an unknown member is left out). */
export function policyMembersOf(policy: UciSection, snap: Snapshot): PolicyMember[] {
  return optionList(policy, 'use_member')
    .map((m) => snap[MWAN3]?.sections.find((s) => s.type === 'member' && s.name === m))
    .filter((s): s is UciSection => s !== undefined)
    .map((s) => memberFromOptions(fieldsOf(s, MEMBER_FIELDS), snap) as PolicyMember);
}

function toApi(policy: UciSection, snap: Snapshot): Mwan3Policy {
  const obj: Mwan3Policy = { name: apiNameOf(policy) };
  if (policy.options.has('use_member')) obj.members = policyMembersOf(policy, snap);
  return obj;
}

/** `<policy>_<interface>`: the member sections a policy owns. */
const memberName = (policySection: string, interfaceSectionName: string) => `${policySection}_${interfaceSectionName}`;

/**
 * The members `policy` owns, which go with it: those it lists under the name it generates
 * (`<policy>_<interface>`) and no other policy lists. A member made otherwise (by hand, or
 * through the members collection) is never deleted with a policy that lists it.
 */
function ownMembers(policy: UciSection, snap: Snapshot): string[] {
  const others = policySections(snap).filter((p) => p !== policy).flatMap((p) => optionList(p, 'use_member'));
  return optionList(policy, 'use_member').filter((m) => {
    const member = snap[MWAN3]?.sections.find((s) => s.type === 'member' && s.name === m);
    const iface = member?.options.get('interface');
    return !others.includes(m) && typeof iface === 'string' && m === memberName(policy.name, iface);
  });
}

/** The checks of a policy of any collection: its name fits mwan3, its members' interfaces exist. */
export function checkPolicy(obj: Pick<Mwan3Policy, 'name' | 'members'>, snap: Snapshot): void {
  chainSectionName(obj.name, 'policy');
  obj.members?.forEach((m, i) => interfaceSection(snap, m.interface, `members.${i}.interface`));
}

/**
 * Options of the policy section beside `use_member` that a collection writes: `desired`
 * holds their values, `managed` every option it owns (those absent from `desired` are removed).
 */
export interface PolicyExtra {
  desired: Map<string, UciValue>;
  managed: readonly string[];
}

/** 409 when `name` is a policy another collection owns (its `sdewan_kind` is not `kind`). */
export function claimPolicyKind(snap: Snapshot, name: string, kind: string | undefined): void {
  const existing = findNamed(snap[MWAN3], 'policy', name);
  const owner = existing?.options.get(POLICY_KIND_OPTION);
  if (existing && owner !== kind) {
    const where = typeof owner === 'string' ? `the ${owner === 'slapolicy' ? 'slapolicies' : owner} collection` : 'the policies collection';
    throw conflict(`Conflict: policy ${JSON.stringify(name)} belongs to ${where}`);
  }
}

/** The operations writing a policy and the member sections it generates (`<policy>_<interface>`). */
export function policyOps(obj: Pick<Mwan3Policy, 'name' | 'members'>, snap: Snapshot, extra?: PolicyExtra): BatchOp[] {
  const pkg = snap[MWAN3]!;
  const section = claimSectionName(pkg, 'policy', obj.name);
  const existing = findNamed(pkg, 'policy', obj.name);
  // the member sections this policy lists now: the only existing ones it may write
  const own = new Set(existing ? optionList(existing, 'use_member') : []);
  const ops: BatchOp[] = [];
  const names: string[] = [];
  (obj.members ?? []).forEach((m, i) => {
    const name = memberName(section, interfaceSection(snap, m.interface, `members.${i}.interface`));
    claimGenerated(pkg, name, own, `members.${i}.interface`);
    names.push(name);
    ops.push(...namedObjectOps(pkg, 'member', name, memberOptions(m, snap, `members.${i}.interface`), MEMBER_OPTIONS));
  });
  const stale = existing ? ownMembers(existing, snap).filter((m) => !names.includes(m)) : [];
  const desired = new Map<string, UciValue>([...(obj.members ? [['use_member', names] as const] : []), ...(extra?.desired ?? [])]);
  ops.push(...namedObjectOps(pkg, 'policy', obj.name, desired, ['use_member', ...(extra?.managed ?? [])]));
  for (const m of stale) ops.push({ op: 'delete', section: m });
  return ops;
}

/** The operations deleting a policy and the member sections it owns. */
export function policyDeleteOps(name: string, snap: Snapshot): BatchOp[] {
  const policy = findNamed(snap[MWAN3], 'policy', name)!;
  return [...ownMembers(policy, snap).map((m): BatchOp => ({ op: 'delete', section: m })), { op: 'delete', section: policy.name }];
}

/** Why a policy cannot be deleted: a rule uses it. */
export function policyUsedBy(name: string, snap: Snapshot): string | undefined {
  const section = findNamed(snap[MWAN3], 'policy', name)?.name;
  const rule = snap[MWAN3]?.sections.find((s) => s.type === 'rule' && s.options.get('use_policy') === section);
  return rule ? `Policy ${JSON.stringify(name)} is used by rule ${JSON.stringify(apiNameOfRef(snap[MWAN3], rule.name))}` : undefined;
}

export const policies = defineResource({
  domain: 'mwan3',
  collection: 'policies',
  config: MWAN3,
  service: 'mwan3',
  schema,
  list: (snap) => plainPolicySections(snap).map((p) => toApi(p, snap)),
  check(obj, snap) {
    claimPolicyKind(snap, obj.name, undefined);
    checkPolicy(obj, snap);
  },
  toBatch: (obj, snap) => policyOps(obj, snap),
  deleteBatch: policyDeleteOps,
  usedBy: policyUsedBy,
});
