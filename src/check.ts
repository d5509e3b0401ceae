// `sdewan-agent check`: what the agent would start with, checked without starting it. The
// settings (environment, and on OpenWRT /etc/config/sdewan-agent) are validated as at start,
// and every UCI file the agent manages is parsed with the project's parser; a file that does
// not parse is reported as file:line. Exit status 0 when all is well, 1 with the problems listed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  AGENT_CONFIG_FILE,
  isOpenWrt,
  loadSettings,
  settingDefaults,
  settingsFromAgentConfig,
  SettingsError,
  type RawSettings,
} from './config.js';
import { RESOURCES as resources } from './resources/index.js';
import { parseUci, UciParseError } from './uci/index.js';
import type { UciPackage } from './uci/types.js';

/** The UCI packages the agent writes or reads: its resources' configs, and network (the bootstrap's). */
export function managedPackages(): string[] {
  const names = new Set<string>();
  for (const def of resources) for (const pkg of [def.config, ...(def.reads ?? [])]) names.add(pkg);
  names.add('network');
  return [...names].sort();
}

export interface CheckReport {
  /** What was checked and found fine. */
  ok: string[];
  problems: string[];
}

/** The parsed file, or the problem: file:line: reason for a file that does not parse. */
function parseFile(file: string, name: string): { pkg: UciPackage } | { problem: string } {
  try {
    return { pkg: parseUci(readFileSync(file), { name, file }) };
  } catch (err) {
    return { problem: err instanceof UciParseError ? err.message : `${file}: ${(err as Error).message}` };
  }
}

export function runCheck(env: NodeJS.ProcessEnv, opts: { cwd?: string; openwrt?: boolean } = {}): CheckReport {
  const cwd = opts.cwd ?? process.cwd();
  const openwrt = opts.openwrt ?? isOpenWrt();
  const report: CheckReport = { ok: [], problems: [] };

  let fileSettings: RawSettings | undefined;
  if (openwrt && existsSync(AGENT_CONFIG_FILE)) {
    const parsed = parseFile(AGENT_CONFIG_FILE, 'sdewan-agent');
    if ('problem' in parsed) report.problems.push(parsed.problem);
    else fileSettings = settingsFromAgentConfig(parsed.pkg);
  }

  // The config directory, even when a setting is refused: its files are checked all the same.
  let confdir = path.resolve(cwd, env.SDEWAN_CONFDIR || fileSettings?.SDEWAN_CONFDIR || settingDefaults(openwrt, cwd).SDEWAN_CONFDIR!);
  try {
    const s = loadSettings(env, { cwd, openwrt, ...(fileSettings ? { fileSettings } : {}) });
    confdir = s.confdir;
    report.ok.push(`settings: confdir ${s.confdir}, platform ${s.platform}, auth ${s.auth}, uci ${s.uciBin ?? 'embedded'}${s.tlsCert ? `, https with ${s.tlsCert}` : ''}`);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    report.problems.push(err.message);
  }

  let isDir = false;
  try {
    isDir = statSync(confdir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    if (!report.problems.some((p) => p.startsWith('invalid setting SDEWAN_CONFDIR'))) {
      report.ok.push(`${confdir}: not there yet (the first start creates it from uci-fixtures/)`);
    }
    return report;
  }
  for (const pkg of managedPackages()) {
    const file = path.join(confdir, pkg);
    if (!existsSync(file)) {
      report.ok.push(`${file}: absent (an empty config)`);
      continue;
    }
    const parsed = parseFile(file, pkg);
    if ('problem' in parsed) report.problems.push(parsed.problem);
    else report.ok.push(`${file}: parses (${parsed.pkg.sections.length} sections)`);
  }
  return report;
}
