// Test helpers: hand-built UCI packages and a small applier of BatchOps on them, so that the
// pure IPsec definitions can be tested round trip without the UCI engine.
import type { BatchOp, UciPackage, UciSection, UciValue } from '../../src/uci/types.js';
import type { ResourceDef, Snapshot } from '../../src/resources/types.js';
import { parseBody } from '../../src/http/validate.js';

export function section(type: string, name: string, options: Record<string, UciValue> = {}): UciSection {
  return { type, name, anonymous: false, options: new Map(Object.entries(options)) };
}

export const pkg = (...sections: UciSection[]): UciPackage => ({ name: 'ipsec', sections });
export const snap = (p: UciPackage): Snapshot => ({ ipsec: p });

function find(p: UciPackage, ref: string): UciSection | undefined {
  const m = /^@([^[]+)\[(-?[0-9]+)\]$/.exec(ref);
  if (!m) return p.sections.find((s) => s.name === ref);
  const same = p.sections.filter((s) => s.type === m[1]);
  const i = Number(m[2]);
  return same[i < 0 ? same.length + i : i];
}

/** Applies the operations as uci does for named sections (delete then re-create appends). */
export function apply(p: UciPackage, ops: readonly BatchOp[]): UciPackage {
  const out: UciPackage = { name: p.name, sections: p.sections.map((s) => ({ ...s, options: new Map(s.options) })) };
  for (const op of ops) {
    const s = 'section' in op ? find(out, op.section) : undefined;
    switch (op.op) {
      case 'section':
        if (s) s.type = op.type;
        else out.sections.push(section(op.type, op.section));
        break;
      case 'set':
        if (!s) throw new Error(`set on missing section ${op.section}`);
        s.options.set(op.option, op.value);
        break;
      case 'add_list': {
        if (!s) throw new Error(`add_list on missing section ${op.section}`);
        const have = s.options.get(op.option);
        s.options.set(op.option, have === undefined ? [op.value] : Array.isArray(have) ? [...have, op.value] : [have, op.value]);
        break;
      }
      case 'delete':
        if (!s) throw new Error(`delete of missing section ${op.section}`);
        if (op.option === undefined) out.sections.splice(out.sections.indexOf(s), 1);
        else s.options.delete(op.option);
        break;
      default:
        throw new Error(`op ${op.op} not expected from the ipsec definitions`);
    }
  }
  return out;
}

/** The section as a plain object (lists as arrays; `.type` and `.name` as in uci show), for deep equality. */
export const plain = (s: UciSection | undefined) => (s ? { '.type': s.type, '.name': s.name, ...Object.fromEntries(s.options) } : undefined);

/** What the factory does for a create or update: validate, check, plan, apply. */
export function write<T extends { name: string }>(def: ResourceDef<T>, p: UciPackage, body: unknown): UciPackage {
  const obj = parseBody(def.schema, body);
  const sn = snap(p);
  const existing = def.list(sn).find((o) => o.name === obj.name);
  def.check?.(obj, sn, existing);
  return apply(p, def.toBatch(obj, sn, existing));
}

/** The error a function throws (or fails the test). */
export function thrown(fn: () => unknown): { status?: number; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { status?: number; message: string };
  }
  throw new Error('expected an error');
}
