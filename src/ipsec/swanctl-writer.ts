// The pieces of swanctl.conf text the renderer (src/ipsec/render.ts) writes with: UCI option
// readers with swanctl.init's defaults and meanings, time values, and the writer of the
// swanctl.conf syntax, which quotes values and refuses control characters.
import type { UciSection } from '../uci/types.js';
import { ANY_CONTROL } from '../text.js';

export const str = (s: UciSection, option: string, fallback?: string): string | undefined => {
  const v = s.options.get(option);
  if (v === undefined) return fallback;
  return Array.isArray(v) ? v.join(' ') : v;
};
export const list = (s: UciSection, option: string): string[] => {
  const v = s.options.get(option);
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
};
/** config_get_bool: 1/on/true/yes/enabled are true, 0/off/false/no/disabled false. */
export function bool(s: UciSection, option: string, fallback: boolean): boolean {
  const v = str(s, option);
  if (v === undefined) return fallback;
  if (['1', 'on', 'true', 'yes', 'enabled'].includes(v)) return true;
  if (['0', 'off', 'false', 'no', 'disabled'].includes(v)) return false;
  return fallback;
}

// ---------------------------------------------------------------------------------------------
// Times, as swanctl.init converts them

export function toSeconds(time: string): number | undefined {
  const m = /^([0-9]+)([smhd]?)$/.exec(time);
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export function fromSeconds(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

// ---------------------------------------------------------------------------------------------
// Output

const PLAIN_VALUE = /^[A-Za-z0-9_.:/@%+=*,~^!?-]+$/;

export class Writer {
  private readonly lines: string[] = [];
  constructor(private readonly problems: string[]) {}

  open(name: string, depth: number) {
    this.lines.push(`${'  '.repeat(depth)}${name} {`);
  }
  close(depth: number) {
    this.lines.push(`${'  '.repeat(depth)}}`);
  }
  blank() {
    this.lines.push('');
  }
  comment(text: string) {
    this.lines.push(`# ${text}`);
  }
  /** `key = value`, quoted when not a plain word (or when `quote`). */
  kv(depth: number, key: string, value: string, quote = false) {
    if (ANY_CONTROL.test(value)) {
      this.problems.push(`${key}: value with a control character`);
      return;
    }
    const v = quote || !PLAIN_VALUE.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
    this.lines.push(`${'  '.repeat(depth)}${key} = ${v}`);
  }
  text() {
    return `${this.lines.join('\n')}\n`;
  }
}

// ---------------------------------------------------------------------------------------------
// Translation tables of swanctl.init
