import { fieldError } from '../../errors.js';
import { sectionNameFor } from '../names.js';

export const MWAN3 = 'mwan3';

/**
 * `option sdewan_kind '<kind>'` marks a policy section another collection than `policies` owns:
 * mwan3 reads it as any policy, the policies collection neither lists nor writes it.
 */
export const POLICY_KIND_OPTION = 'sdewan_kind';
/** The `sdewan_kind` of an SLA policy's section (mwan3/v1/slapolicies). */
export const SLA_KIND = 'slapolicy';

/** mwan3 names iptables chains after policies and rules, and skips names over 15 characters. */
export const MWAN3_NAME_MAX = 15;

/** The section name of a policy or rule, refused when mwan3 would ignore it. */
export function chainSectionName(apiName: string, kind: 'policy' | 'rule'): string {
  const name = sectionNameFor(apiName);
  if (name.length > MWAN3_NAME_MAX) {
    throw fieldError('name', `mwan3 ignores a ${kind} whose name is longer than ${MWAN3_NAME_MAX} characters (${JSON.stringify(apiName)} has ${name.length})`,
    );
  }
  return name;
}
