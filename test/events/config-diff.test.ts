// The config events' comparison alone: which objects of two readings were created, updated or
// deleted, and the JSON equality it compares objects with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffObjects, sameJson, type ObjectIndex } from '../../src/events/config-diff.js';
import type { AnyObject } from '../../src/resources/types.js';

const index = (kinds: Record<string, Record<string, AnyObject & Record<string, unknown>>>): ObjectIndex =>
  new Map(Object.entries(kinds).map(([kind, objects]) => [kind, Object.values(objects)]));

/** The comparison by name alone (each name's first object), against which the shortcuts are checked. */
function byNames(was: readonly AnyObject[], now: readonly AnyObject[]) {
  const first = (list: readonly AnyObject[]) => {
    const m = new Map<string, AnyObject>();
    for (const o of list) if (!m.has(o.name)) m.set(o.name, o);
    return m;
  };
  const before = first(was);
  const after = first(now);
  const out: Array<{ name: string; change: string }> = [];
  for (const [name, obj] of after) {
    const old = before.get(name);
    if (!old) out.push({ name, change: 'created' });
    else if (JSON.stringify(old) !== JSON.stringify(obj)) out.push({ name, change: 'updated' });
  }
  for (const name of before.keys()) if (!after.has(name)) out.push({ name, change: 'deleted' });
  return out;
}

describe('sameJson', () => {
  it('is JSON equality: fields in any order, undefined fields absent, arrays in order', () => {
    const rule = { name: 'r', proto: 'tcp', dest_port: '22', track_ip: ['1.1.1.1', '9.9.9.9'], extra: { a: 1 } };
    expect(sameJson(rule, rule)).toBe(true);
    expect(sameJson(rule, structuredClone(rule))).toBe(true);
    expect(sameJson(rule, { extra: { a: 1 }, track_ip: ['1.1.1.1', '9.9.9.9'], dest_port: '22', proto: 'tcp', name: 'r' })).toBe(true);
    expect(sameJson({ ...rule, family: undefined }, rule)).toBe(true);
    expect(sameJson(rule, { ...rule, family: undefined })).toBe(true);
    for (const other of [
      { ...rule, dest_port: '23' },
      { ...rule, track_ip: ['9.9.9.9', '1.1.1.1'] },
      { ...rule, track_ip: ['1.1.1.1'] },
      { ...rule, extra: { a: 2 } },
      { ...rule, extra: [1] },
      { ...rule, family: 'ipv4' },
      (({ proto: _, ...rest }) => rest)(rule),
      { ...rule, dest_port: 22 },
      { ...rule, extra: null },
    ]) {
      expect(sameJson(rule, other), JSON.stringify(other)).toBe(JSON.stringify(rule) === JSON.stringify(other));
      expect(sameJson(other, rule), JSON.stringify(other)).toBe(false);
    }
  });
});

describe('diffObjects', () => {
  it('names what was created, updated and deleted, kind by kind, in list order', () => {
    const before = index({ 'mwan3/rules': { a: { name: 'a', proto: 'tcp' }, b: { name: 'b', proto: 'udp' }, c: { name: 'c' } }, 'mwan3/policies': { p: { name: 'p' } } });
    const after = index({ 'mwan3/rules': { a: { name: 'a', proto: 'tcp' }, b: { name: 'b', proto: 'icmp' }, d: { name: 'd' } }, 'mwan3/policies': { p: { name: 'p' } } });
    expect(diffObjects(before, after, () => 'api')).toEqual([
      { kind: 'mwan3/rules', name: 'b', change: 'updated', source: 'api' },
      { kind: 'mwan3/rules', name: 'd', change: 'created', source: 'api' },
      { kind: 'mwan3/rules', name: 'c', change: 'deleted', source: 'api' },
    ]);
  });

  it('compares nothing for a kind not known before, and asks for the source only when something changed', () => {
    const kinds: string[] = [];
    const source = (kind: string) => (kinds.push(kind), 'file' as const);
    const same = { name: 'z', zone: 'wan' };
    expect(diffObjects(index({ 'firewall/zones': { z: same } }), index({ 'firewall/zones': { z: { ...same } }, 'nat/nats': { n: { name: 'n' } } }), source)).toEqual([]);
    expect(kinds).toEqual([]);
  });

  it('gives what a comparison by name gives, for appended, changed, removed and duplicate-named objects', () => {
    const obj = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e'), v: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(
        fc.array(obj, { maxLength: 8 }),
        fc.array(obj, { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.option(obj, { nil: undefined })), { maxLength: 3 }),
        (was, appended, edits) => {
          // the next listing: the same objects, some replaced or removed, then new ones appended
          const now: AnyObject[] = [...was];
          for (const [at, replacement] of edits) {
            if (now.length === 0) break;
            const i = at % now.length;
            if (replacement === undefined) now.splice(i, 1);
            else now[i] = replacement;
          }
          now.push(...appended);
          const got = diffObjects(new Map([['k', was]]), new Map([['k', now]]), () => 'api').map(({ name, change }) => ({ name, change }));
          expect(got).toEqual(byNames(was, now));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
