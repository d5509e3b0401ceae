// Shared helpers of the image tests (test/image/*.test.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, from the compiled (dist/test/image) or the source (test/image) location. */
export const ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const at = parts.lastIndexOf('test');
  const base = parts.slice(0, at).join(path.sep) || path.sep;
  return path.basename(base) === 'dist' ? path.dirname(base) : base;
})();

export const IMAGE_DIR = path.join(ROOT, 'openwrt-image');
export const INIT_SCRIPT = path.join(IMAGE_DIR, 'etc/init.d/sdewan-agent');
export const UCI_DEFAULTS_SCRIPT = path.join(IMAGE_DIR, 'etc/uci-defaults/99-sdewan-agent');
export const AGENT_CONFIG = path.join(IMAGE_DIR, 'etc/config/sdewan-agent');
export const FIXTURES = path.join(ROOT, 'test/image/fixtures');

/** The node flags the image's init script starts the agent with (its NODE_FLAGS line). */
export function imageNodeFlags(): string[] {
  const m = /^NODE_FLAGS="([^"]*)"$/m.exec(readFileSync(INIT_SCRIPT, 'utf8'));
  if (!m) throw new Error(`${INIT_SCRIPT} has no NODE_FLAGS="..." line`);
  return m[1]!.split(/\s+/).filter(Boolean);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `sdewan-image-${prefix}-`));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; a non-zero exit is a result, not an exception. */
export function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Values of a UCI file's `config agent 'main'` options, as the shipped file sets them. */
export function parseUciOptions(text: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*option\s+(\S+)\s+'([^']*)'\s*$/.exec(line);
    if (m) options.set(m[1]!, m[2]!);
  }
  return options;
}
