/**
 * sdewan-uci: the embedded engine with uci's command line
 * (`-c confdir -t savedir [-q] <command>`, `batch` and `import` read standard input).
 */
import * as fs from 'node:fs';
import { runUciCli } from './cli-main.js';

/** All of standard input, also when it is a non-blocking pipe (EAGAIN: wait and retry). */
function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
  }
}

const result = runUciCli(process.argv.slice(2), { readInput: readStdin, appname: process.env.SDEWAN_UCI_APPNAME ?? 'uci' });
writeAll(1, result.stdout);
writeAll(2, result.stderr);
process.exitCode = result.exit;
