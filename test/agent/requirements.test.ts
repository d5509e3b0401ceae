// The rule of tests that need a tool: skipped outside CI naming what is missing, never under CI=true.
import { describe, expect, it } from 'vitest';
import { hasProgram, runsWith } from '../helpers/requirements.js';

describe('tests that need a tool', () => {
  const needs = { 'frobnicator (Debian package frob)': false, root: true };

  it('are skipped outside CI, naming only what is missing', () => {
    const notes: string[] = [];
    expect(runsWith('a test', needs, { ci: false, note: (l) => notes.push(l) })).toBe(false);
    expect(notes).toEqual(['skipped: a test: needs frobnicator (Debian package frob) (CI=true runs it)\n']);
  });

  it('always run under CI=true, and whenever nothing is missing', () => {
    const notes: string[] = [];
    expect(runsWith('a test', needs, { ci: true, note: (l) => notes.push(l) })).toBe(true);
    expect(runsWith('a test', { root: true }, { ci: false, note: (l) => notes.push(l) })).toBe(true);
    expect(notes).toEqual([]);
  });

  it('find programs on PATH', () => {
    expect(hasProgram('sh')).toBe(true);
    expect(hasProgram('no-such-program-sdewan')).toBe(false);
  });
});
