/**
 * The UCI data model shared by the parser, the serializer, the engine and every resource.
 * A package is an ordered list of sections; a section's options keep file order.
 */

/** An option's value: a string for `option`, an array for `list`. */
export type UciValue = string | string[];

export interface UciSection {
  type: string;
  /** Always set: anonymous sections carry the name uci generates for them (cfgXXYYYY). */
  name: string;
  anonymous: boolean;
  /** Insertion order is file order. */
  options: ReadonlyMap<string, UciValue>;
}

/**
 * Read-only: the store hands out the package it keeps (the same object while the file keeps
 * its identity), which listings are computed from and kept with.
 */
export interface UciPackage {
  name: string;
  sections: readonly UciSection[];
}

/**
 * A section address inside a package: a section name, or `@type[index]`
 * (index may be negative, counting from the end).
 */
export type SectionRef = string;

/** One typed `uci batch` command. The package is given once, to the batch builder. */
export type BatchOp =
  /** `set pkg.section=type`: create a named section (or change its type). */
  | { op: 'section'; section: SectionRef; type: string }
  /** `set pkg.section.option='value'` */
  | { op: 'set'; section: SectionRef; option: string; value: string }
  /** `add_list pkg.section.option='value'` */
  | { op: 'add_list'; section: SectionRef; option: string; value: string }
  /** `del_list pkg.section.option='value'` */
  | { op: 'del_list'; section: SectionRef; option: string; value: string }
  /** `delete pkg.section` or `delete pkg.section.option` */
  | { op: 'delete'; section: SectionRef; option?: string }
  /** `rename pkg.section=to` or `rename pkg.section.option=to` */
  | { op: 'rename'; section: SectionRef; option?: string; to: string }
  /** `reorder pkg.section=position` */
  | { op: 'reorder'; section: SectionRef; position: number }
  /** `add pkg type`: a new anonymous section, addressable afterwards as `@type[-1]`. */
  | { op: 'add'; type: string };

/** What running a batch gave: uci's exit code and output streams. */
export interface BatchResult {
  exit: number;
  stdout: string;
  stderr: string;
}

/** Runs `uci -c confdir -t savedir batch` with the text on stdin (embedded or real binary). */
export interface BatchRunner {
  readonly kind: 'embedded' | 'binary';
  run(batch: string, opts: { confdir: string; savedir: string }): Promise<BatchResult>;
}

/** Result of a committed update of one package. */
export interface UpdateResult {
  /** The batch text that was applied (without the commit line). Empty when nothing changed. */
  batch: string;
  /** File content before and after, for rollback. */
  before: string | undefined;
  after: string | undefined;
  changed: boolean;
}

/**
 * The one door to /etc/config for the rest of the agent.
 * - read: parsed package, served from a cache keyed on file identity (inode, size, mtime);
 *   never starts a process. A missing file reads as an empty package. The package is the
 *   cache's own: read-only, shared by every reader of that version of the file.
 * - update: one writer per package at a time inside the process; `plan` sees the current
 *   package under that lock and returns the operations; they are applied as one batch and
 *   committed atomically, or nothing is written (UciBatchError).
 */
export interface UciStore {
  readonly confdir: string;
  read(pkg: string): Promise<UciPackage>;
  /**
   * What identifies the file's current version (inode, size, mtime), or `missing`: equal
   * identities mean equal content. A synchronous stat, no read.
   */
  identity(pkg: string): string;
  update(pkg: string, plan: (current: UciPackage) => BatchOp[] | Promise<BatchOp[]>): Promise<UpdateResult>;
  /**
   * Write a whole file back (rollback), under the package lock, atomically. With `ifCurrent`,
   * only when the file still holds exactly that content (undefined: the file is missing).
   * Resolves with whether the file was written back.
   */
  restore(pkg: string, content: string | undefined, opts?: { ifCurrent: string | undefined }): Promise<boolean>;
}
