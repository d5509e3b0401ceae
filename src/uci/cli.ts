/**
 * sdewan-uci: the embedded engine with uci's command line
 * (`-c confdir -t savedir [-q] <command>`, `batch` and `import` read standard input).
 */
import * as fs from 'node:fs';
import { runUciCli } from './engine.js';

function readStdin(): Buffer {
  try {
    return fs.readFileSync(0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN' || (e as NodeJS.ErrnoException).code === 'EOF') return Buffer.alloc(0);
    throw e;
  }
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
