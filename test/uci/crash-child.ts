/**
 * Child of the crash test: commits package `pkg` in a loop through the embedded engine, each
 * version numbered one more than the file's. Prints "ready" once it is committing.
 * Usage: node crash-child.js <confdir> <savedir> <pkg>
 */
import * as fs from 'node:fs';
import { buildBatch } from '../../src/uci/batch.js';
import { toBytes } from '../../src/uci/bytes.js';
import { runBatchBytes } from '../../src/uci/engine.js';
import { parseUci } from '../../src/uci/parser.js';
import { crashVersionOps } from './crash-version.js';

const [confdir, savedir, pkg] = process.argv.slice(2) as [string, string, string];
let announced = false;
for (;;) {
  const cur = parseUci(fs.readFileSync(`${confdir}/${pkg}`), pkg);
  const n = Number(cur.sections[0]?.options.get('n') ?? '0') + 1;
  const batch = `${buildBatch(pkg, crashVersionOps(n))}commit ${pkg}\n`;
  const r = runBatchBytes(toBytes(batch), { confdir, savedir });
  if (r.stderr !== '') {
    process.stderr.write(r.stderr);
    process.exit(3);
  }
  if (!announced) {
    process.stdout.write('ready\n');
    announced = true;
  }
}
