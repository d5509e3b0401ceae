/** The work a request leaves for after its answer (src/http/after-answer.ts). */
import { describe, expect, it } from 'vitest';
import { AfterAnswer } from '../../src/http/after-answer.js';

describe('AfterAnswer', () => {
  it('runs nothing in the turn that adds it, then everything in order once the loop has had a turn', async () => {
    const after = new AfterAnswer();
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) after.add(() => ran.push(i));
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    after.add(() => ran.push(5));
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('runs what waits at once on flush, and not again afterwards', async () => {
    const after = new AfterAnswer();
    const ran: string[] = [];
    after.add(() => ran.push('a'));
    after.add(() => ran.push('b'));
    after.flush();
    expect(ran).toEqual(['a', 'b']);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toEqual(['a', 'b']);
  });
});
