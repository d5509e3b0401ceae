import * as z from 'zod';
import { optionString } from '../fields.js';
import { apiNameOf, findNamed, sectionNameFor } from '../names.js';
import { intString, text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { BatchOp, UciSection } from '../../uci/types.js';
import { MWAN3, POLICY_KIND_OPTION, SLA_KIND } from './common.js';
import { slaPolicyStatusSchema } from './sla-status.js';
import { interfaceSection } from './members.js';
import {
  checkPolicy,
  claimPolicyKind,
  policyDeleteOps,
  policyMembersOf,
  policyMembersSchema,
  policyOps,
  policySections,
  policyUsedBy,
} from './policies.js';
import { checkClaim, claimedInterfaces, claimOps, releaseOps, type Sla, type SlaClaim } from './sla-tracking.js';

/**
 * SLA-aware WAN policies: an mwan3 policy with its members (written by the policies code) and
 * an SLA that mwan3 enforces through quality tracking on each member's interface
 * (src/resources/mwan3/sla-tracking.ts). Stored as
 *
 *   config policy '<name>'
 *   	option sdewan_kind 'slapolicy'
 *   	option sla_latency_ms '100'
 *   	option sla_jitter_ms '20'
 *   	option sla_loss_percent '5'
 *   	list use_member '<name>_<interface>'
 *
 * mwan3 reads it as any policy (rules may use it); the SLA options are the agent's record.
 * Jitter is not something mwan3 tracks: `jitter_ms` is kept and compared in
 * `GET .../slapolicies/{name}/status` only, from the latencies mwan3 reports.
 */

const SLA_FIELDS = ['latency_ms', 'jitter_ms', 'loss_percent'] as const;
const slaOption = (field: (typeof SLA_FIELDS)[number]) => `sla_${field}`;
const SLA_MANAGED = [POLICY_KIND_OPTION, ...SLA_FIELDS.map(slaOption)];

/** mwan3 reports a failed round as latency 999999: the largest bound that can mean anything is below it. */
const LATENCY_MAX = 999998;

const EXAMPLE_SLA = { latency_ms: '100', jitter_ms: '20', loss_percent: '5' };
const EXAMPLE_MEMBERS = [
  { interface: 'ovn-net1', metric: '1', weight: '3' },
  { interface: 'ovn-net2', metric: '2', weight: '1' },
];

const slaSchema = z
  .object(
    {
      latency_ms: intString(1, LATENCY_MAX).meta({ description: 'The largest average round trip (ms) a WAN may have and stay in the policy.', examples: ['100'] }),
      jitter_ms: intString(0, LATENCY_MAX)
        .optional()
        .meta({ description: 'The largest jitter (ms): computed by the agent from successive latencies and shown, never enforced by mwan3.', examples: ['20'] }),
      loss_percent: intString(0, 100).meta({ description: 'The largest packet loss (%) a WAN may have and stay in the policy.', examples: ['5'] }),
    },
    { error: 'should be an object {latency_ms, jitter_ms, loss_percent}' },
  )
  .meta({ description: 'What the WANs of the policy must meet: a WAN that breaks it is taken out by mwan3 (quality tracking).', examples: [EXAMPLE_SLA] });

const schema = z
  .object({
    name: text().meta({ description: 'The policy name, as mwan3 rules refer to it (at most 15 characters).', examples: ['gold'] }),
    members: policyMembersSchema(),
    sla: slaSchema,
  })
  .meta({
    description: 'An mwan3 policy with an SLA: its members and the quality tracking on their interfaces that enforces it.',
    examples: [{ name: 'gold', members: EXAMPLE_MEMBERS, sla: EXAMPLE_SLA }],
  });
export type Mwan3SlaPolicy = z.infer<typeof schema>;

const isSlaPolicy = (s: UciSection) => s.options.get(POLICY_KIND_OPTION) === SLA_KIND;

/** The SLA stored in a policy section. */
function slaOf(section: UciSection): Sla {
  const sla: Sla = { latency_ms: optionString(section, slaOption('latency_ms')) ?? '', loss_percent: optionString(section, slaOption('loss_percent')) ?? '' };
  const jitter = optionString(section, slaOption('jitter_ms'));
  if (jitter !== undefined) sla.jitter_ms = jitter;
  return sla;
}

function toApi(section: UciSection, snap: Snapshot): Mwan3SlaPolicy {
  const sla = slaOf(section);
  return {
    name: apiNameOf(section),
    members: policyMembersOf(section, snap),
    sla: { latency_ms: sla.latency_ms, ...(sla.jitter_ms !== undefined ? { jitter_ms: sla.jitter_ms } : {}), loss_percent: sla.loss_percent },
  };
}

/** The claim of the SLA policy stored in `policySection`, or undefined when there is none. */
function claimOf(snap: Snapshot, policySection: string): SlaClaim | undefined {
  const section = snap[MWAN3]?.sections.find((s) => s.type === 'policy' && s.name === policySection);
  return section && isSlaPolicy(section) ? { section: section.name, name: apiNameOf(section), sla: slaOf(section) } : undefined;
}

/** The SLA policy `obj` as a claim: the section name it will have. */
const claimFor = (obj: Mwan3SlaPolicy): SlaClaim => ({ section: sectionNameFor(obj.name), name: obj.name, sla: obj.sla });

/** The interface sections of the members, in member order. */
const memberInterfaces = (obj: Mwan3SlaPolicy, snap: Snapshot) => obj.members.map((m, i) => interfaceSection(snap, m.interface, `members.${i}.interface`));

export const slaPolicies = defineResource({
  domain: 'mwan3',
  collection: 'slapolicies',
  config: MWAN3,
  service: 'mwan3',
  schema,
  list: (snap) => policySections(snap).filter(isSlaPolicy).map((s) => toApi(s, snap)),
  check(obj, snap) {
    claimPolicyKind(snap, obj.name, SLA_KIND);
    checkPolicy(obj, snap);
    const claim = claimFor(obj);
    memberInterfaces(obj, snap).forEach((iface, i) => {
      const section = snap[MWAN3]!.sections.find((s) => s.type === 'interface' && s.name === iface)!;
      checkClaim(snap, section, claim, `members.${i}.interface`, (other) => claimOf(snap, other));
    });
  },
  toBatch(obj, snap) {
    const claim = claimFor(obj);
    const desired = new Map<string, string>([[POLICY_KIND_OPTION, SLA_KIND]]);
    for (const field of SLA_FIELDS) {
      const value = obj.sla[field];
      if (value !== undefined) desired.set(slaOption(field), value);
    }
    const ops: BatchOp[] = policyOps(obj, snap, { desired, managed: SLA_MANAGED });
    const wanted = memberInterfaces(obj, snap);
    for (const iface of wanted) ops.push(...claimOps(snap, iface, claim));
    for (const iface of claimedInterfaces(snap, claim.section)) if (!wanted.includes(iface)) ops.push(...releaseOps(snap, iface, claim.section));
    return ops;
  },
  deleteBatch(name, snap) {
    const section = findNamed(snap[MWAN3], 'policy', name)!.name;
    return [...claimedInterfaces(snap, section).flatMap((iface) => releaseOps(snap, iface, section)), ...policyDeleteOps(name, snap)];
  },
  usedBy: policyUsedBy,
  subResources: [
    {
      path: 'status',
      summary: 'Measure an SLA policy against its SLA',
      description:
        "Per member: the latency and loss mwan3 measured on its interface's track_ips, the jitter the agent computes from successive " +
        "latencies, the SLA bounds broken, and whether mwan3 uses it now (online, and in the policy's active interfaces).",
      answer: slaPolicyStatusSchema,
    },
  ],
});
