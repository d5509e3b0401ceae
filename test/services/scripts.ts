import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A temporary init.d directory with shell scripts that record each call in calls.log. */
export interface FakeInitd {
  dir: string;
  callsFile: string;
  calls(): Promise<string[]>;
  write(name: string, body: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** A script that appends "<name> <arg>" to calls.log, then runs `body` (default: exit 0). */
export function recordingScript(callsFile: string, name: string, body = 'exit 0'): string {
  return `#!/bin/sh\necho "${name} $1" >> '${callsFile}'\n${body}\n`;
}

export async function makeFakeInitd(scripts: Record<string, string | undefined> = {}): Promise<FakeInitd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sdewan-initd-'));
  const callsFile = path.join(dir, 'calls.log');
  const write = async (name: string, body: string) => {
    const file = path.join(dir, name);
    await writeFile(file, recordingScript(callsFile, name, body));
    await chmod(file, 0o755);
  };
  for (const name of ['mwan3', 'firewall', 'swanctl', 'network']) await write(name, scripts[name] ?? 'exit 0');
  return {
    dir,
    callsFile,
    write,
    async calls() {
      try {
        return (await readFile(callsFile, 'utf8')).split('\n').filter((l) => l !== '');
      } catch {
        return [];
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
