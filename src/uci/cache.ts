/**
 * What the engine keeps between loads of a package, keyed on content (never on timestamps, so
 * that an edit by hand is always seen):
 * - the parse of a config file's bytes;
 * - the package as loaded: those bytes plus the delta texts replayed onto them. A load whose
 *   bytes match and whose save-directory delta only grew replays the new lines alone.
 * Kept packages have frozen sections (model.ts): loads share them and copy what they change.
 */
import type { FileBytes } from './bytes.js';
import { validateName, validateType } from './lexer.js';
import { anonymousName, copyPackage, freezeSections, type IPackage, type ISection, memoOf } from './model.js';

const KEPT = 32;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value!);
}

/** The last strict parse of each config file, by path: its bytes and the package they give. */
const parsedFiles = new Map<string, { data: FileBytes; pkg: IPackage }>();

export function parsedFile(file: string, data: FileBytes): IPackage | undefined {
  const hit = parsedFiles.get(file);
  if (!hit?.data.equals(data)) return undefined;
  hit.data = data; // the equal bytes the caller holds: its next lookups compare them by reference
  return hit.pkg;
}

/** The bytes of `file` the engine parsed last (a commit's, after a write), to compare a new read with. */
export function keptBytes(file: string): FileBytes | undefined {
  return parsedFiles.get(file)?.data;
}

/** Keeps `pkg` as the parse of `data`: its sections are frozen, and a copy of it is kept. */
export function rememberParse(file: string, data: FileBytes, pkg: IPackage): void {
  remember(parsedFiles, file, { data, pkg: copyPackage(freezeSections(pkg)) });
}

export interface LoadedPackage {
  /** The config file's bytes. */
  data: FileBytes;
  /** The delta texts replayed, one per delta directory (null: no file). */
  deltas: (string | null)[];
  /** Whether the save directory's delta holds only lines written whole by the engine. */
  clean: boolean;
  /** The delta lines that applied (what commit counts). */
  applied: number;
  pkg: IPackage;
}

const loadedFiles = new Map<string, LoadedPackage>();

export function loadedFile(file: string): LoadedPackage | undefined {
  return loadedFiles.get(file);
}

/** Keeps `entry`, its package's sections frozen and the package itself copied. */
export function rememberLoad(file: string, entry: LoadedPackage): void {
  remember(loadedFiles, file, { ...entry, pkg: copyPackage(freezeSections(entry.pkg)) });
}

/** A valid type and name, options with valid distinct names, no empty value or list. */
function plainSection(s: ISection): boolean {
  const memo = memoOf(s);
  if (memo?.plain !== undefined) return memo.plain;
  let ok = validateType(s.type) && (s.anonymous || validateName(s.name));
  const names = new Set<string>();
  for (const o of s.options) {
    if (!ok) break;
    ok = o.name !== null && !names.has(o.name) && validateName(o.name) && (o.kind === 'string' ? o.value !== '' : o.items.length > 0);
    if (o.name !== null) names.add(o.name);
  }
  if (memo) memo.plain = ok;
  return ok;
}

/**
 * The package that parsing `exportPackage(p)` gives, computed from `p` when that is plain:
 * anonymous sections renamed after their new places, nothing that parsing would merge or drop
 * (a section named like an earlier one, a repeated option, an empty value or list, a nameless
 * option). Otherwise null: the committed text has to be parsed.
 */
export function asReparsed(p: IPackage): IPackage | null {
  const call = ++reparseCalls;
  if (seenIn.size > 2 * p.sections.length + 1024) seenIn.clear();
  const sections = new Array<ISection>(p.sections.length);
  for (let i = 0; i < sections.length; i++) {
    const s = p.sections[i]!;
    if (!plainSection(s)) return null;
    let name = s.name;
    if (s.anonymous) name = anonymousName(i + 1, s.type);
    else if (seenIn.get(name) === call) return null;
    seenIn.set(name, call);
    sections[i] = name === s.name ? s : { ...s, name };
  }
  return { name: p.name, sections, nSection: sections.length, path: p.path, hasDelta: p.hasDelta, delta: [], saved: [] };
}

/**
 * The section names asReparsed has met, each with the number of the call that last met it:
 * a name is taken in the current call when it maps to that call's number. One map for every
 * call (a commit otherwise makes a set and grows it to the package's size), emptied when it
 * holds far more names than a package has.
 */
const seenIn = new Map<string, number>();
let reparseCalls = 0;
