/** The versions the crash test's child commits: version n, and the exact file uci writes for it. */
import type { BatchOp } from '../../src/uci/types.js';

const filler = (n: number, i: number): string => `${n}-${i}-${'x'.repeat(40)}`;

export function crashVersionOps(n: number): BatchOp[] {
  const ops: BatchOp[] = [
    { op: 'section', section: 'state', type: 'version' },
    { op: 'set', section: 'state', option: 'n', value: String(n) },
  ];
  for (let i = 0; i < 40; i++) ops.push({ op: 'set', section: 'state', option: `o${i}`, value: filler(n, i) });
  return ops;
}

export function crashVersionText(n: number): string {
  let t = "\nconfig version 'state'\n";
  t += `\toption n '${n}'\n`;
  for (let i = 0; i < 40; i++) t += `\toption o${i} '${filler(n, i)}'\n`;
  return `${t}\n`;
}
