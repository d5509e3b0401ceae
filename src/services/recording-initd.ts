// Development without a router: init scripts that only record what they were asked. `npm start`
// off OpenWRT, with no SDEWAN_INITD, creates them in ./var/initd on its first start (as it seeds
// ./var/config), so service actions succeed and say what would have run on a router.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_TABLE } from './table.js';

export const CALLS_LOG = 'calls.log';

/** The script that stands for /etc/init.d/<name>: appends "<name> <args>" to calls.log and prints what it stands for. */
export function recordingScript(name: string): string {
  return `#!/bin/sh
# sdewan-agent development stand-in for /etc/init.d/${name}: it runs nothing, it records.
here=$(dirname "$0")
echo "${name} $*" >> "$here/${CALLS_LOG}"
echo "recorded, not run: /etc/init.d/${name} $*"
`;
}

/** Creates `dir` with one recording script per service of the table (from the services table). */
export function writeRecordingInitd(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const scripts = Object.values(SERVICE_TABLE).map((e) => e.script);
  for (const script of scripts) {
    const file = path.join(dir, script);
    writeFileSync(file, recordingScript(script));
    chmodSync(file, 0o755);
  }
  return scripts;
}
