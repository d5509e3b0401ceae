// ipsec packages for the tests of what reads them (the swanctl renderer, the linux platform):
// either written through the real write path, or built by hand as a person would edit them.
import type { Resource } from '../../src/resources/types.js';
import type { UciPackage, UciSection, UciValue } from '../../src/uci/types.js';
import { kindHarness } from '../helpers/kind.js';

export function section(type: string, name: string, options: Record<string, UciValue> = {}): UciSection {
  return { type, name, anonymous: false, options: new Map(Object.entries(options)) };
}

export const pkg = (...sections: UciSection[]): UciPackage => ({ name: 'ipsec', sections });

/** A package a test may edit: a copy (the store's own packages are read-only). */
export interface EditablePackage {
  name: string;
  sections: Array<Omit<UciSection, 'options'> & { options: Map<string, UciValue> }>;
}

const editable = (p: UciPackage): EditablePackage => ({ name: p.name, sections: p.sections.map((s) => ({ ...s, options: new Map(s.options) })) });

/** The ipsec package after `writes` (kind and body, each a POST) went through the write path, over `config ipsec 'globals'`. */
export async function ipsecAfter(writes: ReadonlyArray<readonly [Resource, unknown]>, globals: Record<string, string> = {}): Promise<EditablePackage> {
  const options = Object.entries(globals).map(([k, v]) => `\toption ${k} '${v}'\n`).join('');
  const [first] = writes;
  if (!first) throw new Error('nothing to write');
  const h = kindHarness(first[0], { ipsec: `config ipsec 'globals'\n${options}` });
  for (const [kind, body] of writes) await h.with(kind).create(body);
  return editable(h.pkg('ipsec'));
}
