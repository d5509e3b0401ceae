/**
 * libuci, the part of uci the agent uses: a context holding the loaded packages and the last
 * error, address lookup (uci_lookup_ptr, @type[index]) and the operations on a package
 * (uci_set, uci_delete, uci_add_list, uci_del_list, uci_rename, uci_reorder_section,
 * uci_add_section), each recording its change for the delta file. Where packages come from
 * and go to (files, deltas, commit) is files.ts.
 *
 * Sections of kept packages are frozen (model.ts): every operation makes the section it
 * changes writable first.
 */
import { Err, ERR_TEXT, fail, type ParseCtx, sscanfInt, strtolToInt, UciFail, validateType } from './lexer.js';
import {
  addListItem,
  allocSection,
  changeSectionType,
  Cmd,
  type Delta,
  findOption,
  findSection,
  type IPackage,
  type ISection,
  moveSection,
  setOption,
  writable,
} from './model.js';
import { parsePtr, type Ptr } from './ptr.js';

export abstract class LibUci {
  protected readonly stderrParts: string[] = [];
  /** uci_get_errorstr's static buffer: it keeps the last parse position and grows a newline per message. */
  private errorInfo = '';
  /** ctx->err */
  protected code: Err = Err.OK;
  /** ctx->pctx */
  protected pctx: ParseCtx | null = null;
  /** ctx->root: loaded packages. */
  protected readonly root = new Map<string, IPackage>();

  /** uci_load */
  protected abstract load(name: string): IPackage;

  get stderr(): string {
    return this.stderrParts.join('');
  }

  // ---------------------------------------------------------------- errors

  /** uci_perror */
  protected uciPerror(prefix: string | null): void {
    const err = this.code >= 0 && this.code <= Err.UNKNOWN ? this.code : Err.UNKNOWN;
    if (this.pctx && err === Err.PARSE) {
      this.errorInfo = ` (${this.pctx.reason ?? 'unknown'}) at line ${this.pctx.line}, byte ${this.pctx.byte}`.slice(0, 126);
    }
    this.errorInfo += '\n';
    this.stderrParts.push(`${prefix !== null ? `${prefix}: ` : ''}${ERR_TEXT[err]}${this.errorInfo}`);
  }

  /** Run fn as a libuci call: a thrown UciFail becomes ctx->err and a return code. */
  protected call(fn: () => void): Err {
    this.code = Err.OK;
    try {
      fn();
      return Err.OK;
    } catch (e) {
      if (e instanceof UciFail) {
        this.code = e.code;
        return e.code;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- lookup

  /** uci_lookup_ptr */
  protected lookup(str: string, extended: boolean): Ptr {
    const ptr = parsePtr(str);
    this.resolve(ptr, extended);
    return ptr;
  }

  protected resolve(ptr: Ptr, extended: boolean): void {
    ptr.done = true;
    if (!ptr.p) ptr.p = this.root.get(ptr.package) ?? this.load(ptr.package);
    if (ptr.section === null && !ptr.s) {
      ptr.complete = true;
      return;
    }
    let s: ISection | undefined = ptr.s;
    if (!s) {
      if (ptr.extended) {
        if (!extended) fail(Err.INVAL);
        s = this.lookupExtended(ptr);
      } else {
        s = findSection(ptr.p, ptr.section!);
      }
    }
    if (!s) return;
    ptr.s = s;
    if (ptr.option !== null) {
      const o = findOption(s, ptr.option);
      if (!o) return;
      ptr.o = o;
    }
    ptr.complete = true;
  }

  /** @type[index] (type may be empty: any section; index may be negative). */
  protected lookupExtended(ptr: Ptr): ISection | undefined {
    const sec = ptr.section!;
    if (!sec.startsWith('@')) fail(Err.INVAL);
    const open = sec.indexOf('[', 1);
    if (open < 0) fail(Err.INVAL);
    const close = sec.indexOf(']', open + 1);
    if (close < 0 || close !== sec.length - 1) fail(Err.INVAL);
    const idxStr = sec.slice(open + 1, close);
    const { value, whole } = strtolToInt(idxStr);
    if (!whole) fail(Err.INVAL);
    const typeName = sec.slice(1, open);
    if (typeName !== '' && !validateType(typeName)) fail(Err.INVAL);
    const matching = ptr.p!.sections.filter((s) => typeName === '' || s.type === typeName);
    let idx = value;
    if (idx < 0) idx += matching.length;
    const found = idx >= 0 ? matching[idx] : undefined;
    if (found) ptr.section = found.name;
    return found;
  }

  /** uci_expand_ptr */
  protected expand(ptr: Ptr, complete: boolean): void {
    if (!ptr.done) this.resolve(ptr, true);
    if (complete && !ptr.complete) fail(Err.NOTFOUND);
    if (!ptr.p) fail(Err.INVAL);
    if (ptr.s && ptr.section === null) ptr.section = ptr.s.name;
    if (ptr.o && ptr.option === null) ptr.option = ptr.o.name;
  }

  protected record(p: IPackage, internal: boolean, d: Delta): void {
    if (!internal && p.hasDelta) p.delta.push(d);
  }

  /** ptr.s made writable in its package (ptr.o follows it into the copy). */
  protected own(ptr: Ptr): ISection {
    const s = ptr.s!;
    const w = writable(ptr.p!, s);
    if (w !== s) {
      if (ptr.o) ptr.o = w.options[s.options.indexOf(ptr.o)];
      ptr.s = w;
    }
    return w;
  }

  // ---------------------------------------------------------------- libuci operations

  /** uci_set */
  protected set(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, false);
    const p = ptr.p!;
    if (ptr.value === null) fail(Err.INVAL);
    if (!(ptr.s || (ptr.option === null && ptr.section !== null))) fail(Err.INVAL);
    if (ptr.option === null && ptr.value !== '' && !validateType(ptr.value)) fail(Err.INVAL);
    if (!ptr.o && ptr.s && ptr.option !== null) ptr.o = findOption(ptr.s, ptr.option);
    const value = ptr.value;
    if (value === '') {
      // Setting something to nothing deletes it (and is a no-op when it does not exist).
      if (!ptr.complete) return;
      this.del(ptr, false);
      return;
    }
    if (!ptr.o && ptr.option !== null) {
      const s = this.own(ptr);
      setOption(s, ptr.option, value, undefined);
      ptr.o = findOption(s, ptr.option);
    } else if (!ptr.s && ptr.section !== null) {
      ptr.s = allocSection(p, value, ptr.section);
    } else if (ptr.o && ptr.option !== null) {
      if (ptr.o.kind === 'string' && ptr.o.value === value) return;
      if (!setOption(this.own(ptr), ptr.option, value, ptr.o)) return;
    } else if (ptr.s && ptr.section !== null) {
      if (ptr.s.type === value) return;
      ptr.s = changeSectionType(p, this.own(ptr), value);
    } else {
      fail(Err.INVAL);
    }
    this.record(p, internal, { cmd: Cmd.CHANGE, section: ptr.section!, option: ptr.option, value });
  }

  /** uci_delete (a list item when a value is given for a list option) */
  protected del(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, true);
    const p = ptr.p!;
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.o && ptr.o.kind === 'list' && ptr.value !== null && ptr.value !== '') {
      const idx = sscanfInt(ptr.value);
      if (typeof idx !== 'number') return;
      if (idx >= 0 && idx < ptr.o.items.length) {
        this.record(p, internal, { cmd: Cmd.REMOVE, section: ptr.section!, option: ptr.option, value: ptr.value });
        this.own(ptr);
        ptr.o.items.splice(idx, 1);
      }
      return;
    }
    this.record(p, internal, { cmd: Cmd.REMOVE, section: ptr.section!, option: ptr.option, value: null });
    const s = ptr.o ? this.own(ptr) : ptr.s;
    if (ptr.o) {
      s.options.splice(s.options.indexOf(ptr.o), 1);
      ptr.o = undefined;
    } else {
      p.sections.splice(p.sections.indexOf(s), 1);
      ptr.s = undefined;
    }
  }

  /** uci_add_list */
  protected addList(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, false);
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.value === null) fail(Err.INVAL);
    addListItem(this.own(ptr), ptr.option, ptr.value, ptr.o);
    this.record(ptr.p!, internal, { cmd: Cmd.LIST_ADD, section: ptr.section!, option: ptr.option, value: ptr.value });
  }

  /** uci_del_list */
  protected delList(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, false);
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.value === null) fail(Err.INVAL);
    const o = ptr.o;
    if (!o || ptr.option === null || o.kind !== 'list') return;
    this.record(ptr.p!, internal, { cmd: Cmd.LIST_DEL, section: ptr.section!, option: ptr.option, value: ptr.value });
    this.own(ptr);
    const v = ptr.value;
    ptr.o!.items = ptr.o!.items.filter((item) => item !== v);
  }

  /** uci_rename: no check of the new name here (a bad one is dropped when the delta is read back). */
  protected rename(ptr: Ptr, internal: boolean): void {
    this.expand(ptr, true);
    if (!ptr.s) fail(Err.INVAL);
    if (ptr.value === null) fail(Err.INVAL);
    this.record(ptr.p!, internal, { cmd: Cmd.RENAME, section: ptr.section!, option: ptr.option, value: ptr.value });
    const s = this.own(ptr);
    if (ptr.o) {
      ptr.o.name = ptr.value;
    } else {
      s.name = ptr.value;
      s.anonymous = false;
    }
  }

  /** uci_reorder_section */
  protected reorder(p: IPackage, s: ISection, pos: number, internal: boolean): void {
    const changed = moveSection(p, s, pos);
    if (changed) this.record(p, internal, { cmd: Cmd.REORDER, section: s.name, option: null, value: String(pos) });
  }

  /** uci_add_section */
  protected addSection(p: IPackage, type: string): ISection {
    const s = allocSection(p, type, null);
    this.record(p, false, { cmd: Cmd.ADD, section: s.name, option: null, value: type });
    return s;
  }
}
