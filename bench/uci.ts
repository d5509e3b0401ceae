/**
 * UCI layer benchmark (a printed table, not a test): parse and serialize of a 1,000-section
 * config, commit latency against an atomic write of the same bytes, and a cached read
 * against a plain fs.readFile of the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { atomicWriteFileSync } from '../src/uci/atomic.js';
import { createUciStore, EmbeddedRunner, parseUci, serializeUci } from '../src/uci/index.js';
import { type Row, fmtMs as ms, percentiles, renderTable, sample } from './table.js';

function bigConfig(sections: number): string {
  let t = '';
  for (let i = 0; i < sections; i++) {
    t += i % 3 === 0 ? `\nconfig rule\n` : `\nconfig rule 'r${i}'\n`;
    t += `\toption name 'rule ${i}'\n\toption src 'wan'\n\toption dest_port '${1000 + i}'\n\toption target 'ACCEPT'\n`;
    t += `\tlist icmp_type 'echo-request'\n\tlist icmp_type 'echo-reply'\n`;
  }
  return `${t}\n`;
}

/** Median milliseconds per call over `n` calls (after a warm-up). */
async function median(n: number, fn: () => unknown): Promise<number> {
  return percentiles(await sample(n, fn, Math.min(5, n))).median;
}

const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;

export async function benchUci(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uci-bench-'));
  try {
    const confdir = path.join(dir, 'config');
    const savedir = path.join(dir, 'save');
    fs.mkdirSync(confdir);
    const text = bigConfig(1000);
    const file = path.join(confdir, 'firewall');
    fs.writeFileSync(file, text);
    const pkg = parseUci(text, 'firewall');
    const committed = serializeUci(pkg);

    const parseMs = await median(30, () => parseUci(text, 'firewall'));
    const serializeMs = await median(30, () => serializeUci(pkg));

    const store = createUciStore({ confdir, savedir, runner: new EmbeddedRunner() });
    let k = 0;
    const commitMs = await median(20, () =>
      store.update('firewall', () => [{ op: 'set', section: 'r1', option: 'name', value: `bench ${k++}` }]),
    );
    const other = path.join(dir, 'plain');
    const atomicMs = await median(20, () => atomicWriteFileSync(other, committed, { syncDir: false }));

    await store.read('firewall');
    const cachedMs = await median(200, () => store.read('firewall'));
    const readFileMs = await median(200, () => fs.promises.readFile(file));

    return [
      { name: 'uci parse, 1,000 sections', value: ms(parseMs) },
      { name: 'uci serialize, 1,000 sections', value: ms(serializeMs) },
      { name: 'uci update+commit (1 set, 1,000 sections)', value: ms(commitMs), baseline: `atomic write ${ms(atomicMs)}`, ratio: ratio(commitMs, atomicMs) },
      { name: 'uci cached read (1,000 sections)', value: ms(cachedMs), baseline: `fs.readFile ${ms(readFileMs)}`, ratio: ratio(cachedMs, readFileMs) },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(renderTable(await benchUci()));
}
