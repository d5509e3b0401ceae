// The pure pieces of conditional writes and merge patches: RFC 7396's merge (its appendix A
// examples) and the If-Match / If-None-Match comparisons (RFC 9110 §13.1).
import { describe, expect, it } from 'vitest';
import { etagOf, ifMatchPasses, ifNoneMatchHits, objectEtag } from '../../src/changes/etag.js';
import { mergePatch } from '../../src/changes/merge-patch.js';
import type { AnyObject } from '../../src/resources/types.js';

const obj = (o: Record<string, string>) => o as AnyObject;

describe('mergePatch (RFC 7396)', () => {
  // target, patch, result: RFC 7396 appendix A
  const cases: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j patched with %j is %j', (target, patch, result) => {
    const before = JSON.stringify(target);
    expect(mergePatch(target, patch)).toEqual(result);
    expect(JSON.stringify(target)).toBe(before);
  });

  it('keeps a field named __proto__ a plain field', () => {
    const merged = mergePatch({ a: '1' }, JSON.parse('{"__proto__": {"polluted": "yes"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('entity tags', () => {
  const tag = objectEtag(obj({ name: 'x', a: '1' }));

  it('are strong, quoted, and follow the bytes alone', () => {
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(etagOf(Buffer.from('{"name":"x","a":"1"}'))).toBe(tag);
    expect(objectEtag(obj({ name: 'x', a: '2' }))).not.toBe(tag);
    // field order is part of what is answered
    expect(objectEtag(obj({ a: '1', name: 'x' }))).not.toBe(tag);
  });

  it('If-Match: a listed strong tag equal to the current one, or * for any object', () => {
    expect(ifMatchPasses(tag, tag)).toBe(true);
    expect(ifMatchPasses(`"a", ${tag}`, tag)).toBe(true);
    expect(ifMatchPasses('*', tag)).toBe(true);
    expect(ifMatchPasses(' * ', tag)).toBe(true);
    expect(ifMatchPasses('*', undefined)).toBe(false);
    expect(ifMatchPasses(tag, undefined)).toBe(false);
    expect(ifMatchPasses(`W/${tag}`, tag)).toBe(false);
    expect(ifMatchPasses(tag.slice(1, -1), tag)).toBe(false);
    expect(ifMatchPasses('"a"', tag)).toBe(false);
    expect(ifMatchPasses('', tag)).toBe(false);
  });

  it('If-None-Match: compared weakly, * for anything', () => {
    expect(ifNoneMatchHits(tag, tag)).toBe(true);
    expect(ifNoneMatchHits(`W/${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHits(`"a",W/${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHits('*', tag)).toBe(true);
    expect(ifNoneMatchHits('"a"', tag)).toBe(false);
  });
});
