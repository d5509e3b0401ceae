import { conflict, fieldError } from '../errors.js';
import type { BatchOp, UciPackage, UciSection, UciValue } from '../uci/types.js';
import { type Field, type FlatObject, fieldsOf, namedSectionOps } from './fields.js';

/**
 * API names onto UCI section names.
 *
 * The controller sends Kubernetes object names (lower-case letters, digits, `-`, `.`); UCI
 * section names allow only `[A-Za-z0-9_]`. The mapping: a name is accepted when it holds only
 * letters, digits, `_`, `-` and `.`; its section name replaces each `-` and `.` with `_`.
 * When that changes the name, the section also carries `option api_name '<name as sent>'`,
 * so the name reads back exactly as sent. Two names that map onto one section name (`a-b`
 * and `a.b`) collide: the second is refused with 409.
 */
export const API_NAME_OPTION = 'api_name';

/** The longest name of an object of any kind: a Kubernetes object name. */
export const NAME_MAX = 253;

/**
 * THE rule for the name of an object of any kind (checked by the route factory on every
 * write, and by sectionNameFor): not empty, at most NAME_MAX characters, and neither `.` nor
 * `..`, which no client can put in a URL path segment (it would be resolved away).
 * The answer is why the name is refused, or undefined.
 */
export function objectNameProblem(name: string): string | undefined {
  if (name === '') return 'should not be empty';
  if (name === '.' || name === '..') return `${JSON.stringify(name)} cannot be a name: a URL path cannot address it`;
  if (name.length > NAME_MAX) return `should be at most ${NAME_MAX} characters long (has ${name.length})`;
  return undefined;
}

/** Throws a 400 naming `field` when `name` breaks the rule of objectNameProblem. */
export function checkObjectName(name: string, field = 'name'): void {
  const problem = objectNameProblem(name);
  if (problem !== undefined) throw fieldError(field, problem);
}

const API_NAME = /^[A-Za-z0-9_.-]+$/;

/** Why `apiName` cannot name a UCI section (the rule above, then the characters), or undefined. */
export function sectionNameProblem(apiName: string): string | undefined {
  return objectNameProblem(apiName) ?? (API_NAME.test(apiName) ? undefined : `${JSON.stringify(apiName)} may contain only letters, digits, '_', '-' and '.'`);
}

/** Validates an API name and returns its UCI section name, or throws a 400 naming `field`. */
export function sectionNameFor(apiName: string, field = 'name'): string {
  const problem = sectionNameProblem(apiName);
  if (problem !== undefined) throw fieldError(field, problem);
  return apiName.replace(/[-.]/g, '_');
}

/** The API name of a named section: its recorded `api_name`, else the section name. */
export function apiNameOf(section: UciSection): string {
  const recorded = section.options.get(API_NAME_OPTION);
  return typeof recorded === 'string' && recorded !== '' ? recorded : section.name;
}

/** The API name behind a reference to a section name (e.g. `use_policy`), or the value itself. */
export function apiNameOfRef(pkg: UciPackage | undefined, sectionName: string, type?: string): string {
  const section = pkg?.sections.find((s) => s.name === sectionName && (type === undefined || s.type === type));
  return section ? apiNameOf(section) : sectionName;
}

/** The section of `type` whose API name is `apiName`. */
export function findNamed(pkg: UciPackage | undefined, type: string, apiName: string): UciSection | undefined {
  return pkg?.sections.find((s) => s.type === type && !s.anonymous && apiNameOf(s) === apiName);
}

/**
 * The section name that will hold `apiName`; throws 409 when another API name (or a section of
 * another type) already holds it.
 */
export function claimSectionName(pkg: UciPackage, type: string, apiName: string, field = 'name'): string {
  return claimSection(pkg, type, apiName, field).name;
}

/** claimSectionName, and the section of that name (null: none yet). */
function claimSection(pkg: UciPackage, type: string, apiName: string, field: string): { name: string; holder: UciSection | null } {
  const name = sectionNameFor(apiName, field);
  const holder = pkg.sections.find((s) => s.name === name) ?? null;
  if (holder && (holder.type !== type || apiNameOf(holder) !== apiName)) {
    throw conflict(`Conflict: ${JSON.stringify(apiName)} maps to UCI section '${name}', already used by ${JSON.stringify(apiNameOf(holder))} (${holder.type})`);
  }
  return { name, holder };
}

/**
 * Claims a section a write generates beside its object's own (a policy's members, a remote's
 * connections and pools): 409 when a section of that name exists and is not in `own`, the
 * sections the object holds now. A write never takes over, nor later deletes, a section it
 * did not create.
 */
export function claimGenerated(pkg: UciPackage, name: string, own: ReadonlySet<string>, field: string): void {
  const holder = pkg.sections.find((s) => s.name === name);
  if (holder && !own.has(name)) {
    throw conflict(`Conflict: ${field} needs UCI section '${name}', already used by ${holder.type} ${JSON.stringify(apiNameOf(holder))}`);
  }
}

/**
 * Operations that create or update the named section holding the API object `apiName`:
 * its `managed` options made equal to `desired`, and `api_name` recorded when the section
 * name differs from the API name.
 */
export function namedObjectOps(
  pkg: UciPackage,
  type: string,
  apiName: string,
  desired: Map<string, UciValue>,
  managed: readonly string[],
  field = 'name',
): BatchOp[] {
  const { name: section, holder } = claimSection(pkg, type, apiName, field);
  const options = new Map(desired);
  if (section !== apiName) options.set(API_NAME_OPTION, apiName);
  return namedSectionOps(pkg, section, type, options, [...managed, API_NAME_OPTION], holder);
}

type Listed = { name: string } & FlatObject;

/**
 * Each section's API object, by field table. The store's sections are read-only, and a write
 * copies only the sections it changes (the others stay the same objects in the next version
 * of the package), so a listing after a write makes objects only for what changed, and the
 * config events find the others unchanged by reference. Shared like every listed object.
 */
const listed = new WeakMap<UciSection, { fields: readonly Field[]; obj: Listed }>();

/** Named sections of `type` as API objects: `name` plus the fields of the table. */
export function namedObjects(pkg: UciPackage | undefined, type: string, fields: readonly Field[]): Listed[] {
  const sections = pkg?.sections ?? [];
  // made at the package's size and cut to what it holds: no growing of a 500-entry list per listing
  const out = new Array<Listed>(sections.length);
  let n = 0;
  for (const s of sections) {
    if (s.type !== type || s.anonymous) continue;
    let hit = listed.get(s);
    if (hit?.fields !== fields) listed.set(s, (hit = { fields, obj: { name: apiNameOf(s), ...fieldsOf(s, fields) } }));
    out[n++] = hit.obj;
  }
  out.length = n;
  return out;
}
