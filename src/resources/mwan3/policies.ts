import * as z from 'zod';
import { fieldsOf, optionList } from '../fields.js';
import { apiNameOf, apiNameOfRef, claimGenerated, claimSectionName, findNamed, namedObjectOps } from '../names.js';
import { text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { BatchOp, UciSection } from '../../uci/types.js';
import { chainSectionName, MWAN3 } from './common.js';
import { interfaceSection, MEMBER_FIELDS, MEMBER_OPTIONS, memberFields, memberFromOptions, memberOptions } from './members.js';

const memberSchema = z.object(memberFields);

const EXAMPLE_MEMBERS = [
  { interface: 'ovn-net1', metric: '2', weight: '2' },
  { interface: 'ovn-net2', metric: '3', weight: '3' },
];

const schema = z
  .object({
    name: text().meta({ description: 'The policy name, as mwan3 rules refer to it (at most 15 characters).', examples: ['balance1'] }),
    members: z
      .array(memberSchema, { error: 'should be a list of members' })
      .refine((ms) => new Set(ms.map((m) => m.interface)).size === ms.length, {
        error: 'the same interface appears twice',
      })
      .optional()
      .meta({ description: 'The interfaces the traffic goes over, each once; the agent keeps one mwan3 member per entry.', examples: [EXAMPLE_MEMBERS] }),
  })
  .meta({
    description: 'A load-balancing or failover policy: which interfaces carry the traffic of the rules that use it (`config policy`).',
    examples: [{ name: 'balance1', members: EXAMPLE_MEMBERS }],
  });
export type Mwan3Policy = z.infer<typeof schema>;
type PolicyMember = z.infer<typeof memberSchema>;

const policySections = (snap: Snapshot) => (snap[MWAN3]?.sections ?? []).filter((s) => s.type === 'policy' && !s.anonymous);

function toApi(policy: UciSection, snap: Snapshot): Mwan3Policy {
  const memberSections = optionList(policy, 'use_member')
    .map((m) => snap[MWAN3]?.sections.find((s) => s.type === 'member' && s.name === m))
    .filter((s): s is UciSection => s !== undefined);
  const obj: Mwan3Policy = { name: apiNameOf(policy) };
  if (policy.options.has('use_member')) {
    obj.members = memberSections.map((s) => memberFromOptions(fieldsOf(s, MEMBER_FIELDS), snap) as PolicyMember);
  }
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

export const policies = defineResource({
  domain: 'mwan3',
  collection: 'policies',
  config: MWAN3,
  service: 'mwan3',
  schema,
  list: (snap) => policySections(snap).map((p) => toApi(p, snap)),
  check(obj, snap) {
    chainSectionName(obj.name, 'policy');
    obj.members?.forEach((m, i) => interfaceSection(snap, m.interface, `members.${i}.interface`));
  },
  toBatch(obj, snap) {
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
    const desired = new Map(obj.members ? [['use_member', names]] : []);
    ops.push(...namedObjectOps(pkg, 'policy', obj.name, desired, ['use_member']));
    for (const m of stale) ops.push({ op: 'delete', section: m });
    return ops;
  },
  deleteBatch(name, snap) {
    const policy = findNamed(snap[MWAN3], 'policy', name)!;
    return [...ownMembers(policy, snap).map((m): BatchOp => ({ op: 'delete', section: m })), { op: 'delete', section: policy.name }];
  },
  usedBy(name, snap) {
    const section = findNamed(snap[MWAN3], 'policy', name)?.name;
    const rule = snap[MWAN3]?.sections.find((s) => s.type === 'rule' && s.options.get('use_policy') === section);
    return rule ? `Policy ${JSON.stringify(name)} is used by rule ${JSON.stringify(apiNameOfRef(snap[MWAN3], rule.name))}` : undefined;
  },
});
