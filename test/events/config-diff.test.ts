// The config events' comparison alone: which objects of two readings were created, updated or
// deleted, and the JSON equality it compares objects with.
import { describe, expect, it } from 'vitest';
import { diffObjects, sameJson, type ObjectIndex } from '../../src/events/config-diff.js';

const index = (kinds: Record<string, Record<string, unknown>>): ObjectIndex =>
  new Map(Object.entries(kinds).map(([kind, objects]) => [kind, new Map(Object.entries(objects))]));

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
});
