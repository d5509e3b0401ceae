import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const referenceDir = fileURLToPath(new URL('../reference/', import.meta.url));

/** A temporary bin directory for fake `ubus` / `swanctl` programs. */
export interface FakeBin {
  dir: string;
  argsFile: string;
  /** A program that records its arguments (one line per call) then prints `outputFile` and exits with `exit`. */
  add(name: string, outputFile: string, exit?: number, stderr?: string): void;
  /** A program with an arbitrary shell body. */
  addScript(name: string, body: string): void;
  cleanup(): void;
}

export function makeFakeBin(): FakeBin {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-bin-'));
  const argsFile = path.join(dir, 'args.log');
  const addScript = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> '${argsFile}'\n${body}\n`);
    chmodSync(file, 0o755);
  };
  return {
    dir,
    argsFile,
    add(name, outputFile, exit = 0, stderr = '') {
      const copy = path.join(dir, `${name}.out`);
      copyFileSync(outputFile, copy);
      addScript(name, `cat '${copy}'\n${stderr ? `echo '${stderr}' >&2\n` : ''}exit ${exit}`);
    },
    addScript,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
