import { fieldError } from '../../errors.js';
import { sectionNameFor } from '../names.js';

export const MWAN3 = 'mwan3';

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
