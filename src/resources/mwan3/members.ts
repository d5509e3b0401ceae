import * as z from 'zod';
import { conflict, fieldError } from '../../errors.js';
import { type Field, managedOptions, optionsOf } from '../fields.js';
import { apiNameOfRef, findNamed, namedObjectOps, namedObjects } from '../names.js';
import { intString, text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import { MWAN3, POLICY_KIND_OPTION, SLA_KIND } from './common.js';

export const MEMBER_FIELDS: readonly Field[] = [{ api: 'interface' }, { api: 'metric' }, { api: 'weight' }];
const FIELDS = MEMBER_FIELDS;
export const MEMBER_OPTIONS = managedOptions(FIELDS);

export const memberFields = {
  interface: text().meta({ description: 'The mwan3 interface, by its API name.', examples: ['ovn-net1'] }),
  metric: intString(1).optional().meta({ description: 'Members of the lowest metric that are up carry the traffic; the others stand by.', examples: ['2'] }),
  weight: intString(1).optional().meta({ description: 'The share of the traffic among members of the same metric.', examples: ['2'] }),
};

const schema = z
  .object({ name: text().meta({ description: 'The member name.', examples: ['ovn_net1_m2_w2'] }), ...memberFields })
  .meta({
    description: 'An interface with a metric and a weight, for policies to use (`config member`).',
    examples: [{ name: 'ovn_net1_m2_w2', interface: 'ovn-net1', metric: '2', weight: '2' }],
  });
export type Mwan3Member = z.infer<typeof schema>;

/** The UCI section name of an mwan3 interface given by its API name; 400 naming `field` when absent. */
export function interfaceSection(snap: Snapshot, apiName: string, field: string): string {
  const section = findNamed(snap[MWAN3], 'interface', apiName);
  if (!section) throw fieldError(field, `${JSON.stringify(apiName)} is not an mwan3 interface`);
  return section.name;
}

/** A member's options as stored: the interface as its section name. */
export function memberOptions(member: Pick<Mwan3Member, 'interface' | 'metric' | 'weight'>, snap: Snapshot, field: string) {
  return optionsOf({ ...member, interface: interfaceSection(snap, member.interface, field) }, FIELDS);
}

/** A member section as the API shows it: the interface by its API name. */
export function memberFromOptions(fields: Record<string, string | string[]>, snap: Snapshot) {
  const out = { ...fields };
  if (typeof out['interface'] === 'string') out['interface'] = apiNameOfRef(snap[MWAN3], out['interface'], 'interface');
  return out;
}

export const members = defineResource({
  domain: 'mwan3',
  collection: 'members',
  config: MWAN3,
  service: 'mwan3',
  schema,
  list: (snap) => namedObjects(snap[MWAN3], 'member', FIELDS).map((m) => memberFromOptions(m, snap) as Mwan3Member),
  check(obj, snap) {
    const iface = interfaceSection(snap, obj.interface, 'interface');
    // an SLA policy's member keeps its interface: the quality tracking it set is on that one
    const current = findNamed(snap[MWAN3], 'member', obj.name);
    const sla = snap[MWAN3]?.sections.find(
      (s) => s.type === 'policy' && s.options.get(POLICY_KIND_OPTION) === SLA_KIND && [s.options.get('use_member') ?? []].flat().includes(current?.name ?? ''),
    );
    if (sla && current?.options.get('interface') !== iface) {
      throw conflict(`Conflict: member ${JSON.stringify(obj.name)} of SLA policy ${JSON.stringify(apiNameOfRef(snap[MWAN3], sla.name))} keeps its interface (change the SLA policy)`);
    }
  },
  toBatch: (obj, snap) => namedObjectOps(snap[MWAN3]!, 'member', obj.name, memberOptions(obj, snap, 'interface'), MEMBER_OPTIONS),
  deleteBatch: (name, snap) => [{ op: 'delete', section: findNamed(snap[MWAN3], 'member', name)!.name }],
  usedBy(name, snap) {
    const section = findNamed(snap[MWAN3], 'member', name)?.name;
    const policy = snap[MWAN3]?.sections.find((s) => s.type === 'policy' && [s.options.get('use_member') ?? []].flat().includes(section ?? ''));
    return policy ? `Member ${JSON.stringify(name)} is used by policy '${policy.name}'` : undefined;
  },
});
