// What a log line may hold. Two rules, applied by the logger (src/logger.ts) to every line:
//
// - An error is logged as its class, its errno fields and its stack frames, never its message
//   or its other properties: those may carry request values (a UCI value error holds the value,
//   a message may quote a name or a key). What the client needs is in the answer, not the log.
// - Every string is bounded: a value a client chose (a 900 kB user name, a long path) cannot
//   make a long line.

/** The longest string of a log line; longer ones are cut and say how long they were. */
export const MAX_LOGGED_STRING = 256;
/** Stack frames kept of a logged error. */
const MAX_FRAMES = 12;
/** Nesting of a logged object kept; deeper values are replaced. */
const MAX_LOGGED_DEPTH = 6;

export function boundString(s: string, max = MAX_LOGGED_STRING): string {
  return s.length <= max ? s : `${s.slice(0, max)}...[${s.length} characters]`;
}

/** An error reduced to what can be logged: class, errno fields, stack frames (no message). */
export function errorForLog(err: Error): Record<string, unknown> {
  const e = err as NodeJS.ErrnoException & { exitCode?: unknown };
  const out: Record<string, unknown> = { type: boundString(String(e.name || e.constructor?.name || 'Error'), 64) };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = boundString(String(e.code), 64);
  if (typeof e.errno === 'number') out.errno = e.errno;
  if (typeof e.syscall === 'string') out.syscall = boundString(e.syscall, 64);
  if (typeof e.exitCode === 'number') out.exitCode = e.exitCode;
  // the frames only: the stack's first lines repeat the message
  const frames = (typeof e.stack === 'string' ? e.stack.split('\n') : []).filter((l) => /^\s+at /.test(l));
  if (frames.length > 0) out.stack = frames.slice(0, MAX_FRAMES).map((l) => boundString(l.trim())).join('\n');
  return out;
}

/** Error-like values of other realms or libraries (an object with a name, message and stack). */
const isErrorLike = (v: object): v is Error => v instanceof Error || (typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string');

/**
 * A logged object made safe: errors at any depth reduced by errorForLog, strings bounded,
 * nesting and sizes bounded. Plain data only (what a log line holds): an instance of another
 * class is logged as its class name.
 */
export function safeForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return boundString(value);
  if (value === null || typeof value !== 'object') return value;
  if (isErrorLike(value)) return errorForLog(value);
  if (depth >= MAX_LOGGED_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, 32).map((v) => safeForLog(v, depth + 1));
    if (value.length > 32) items.push(`[${value.length - 32} more]`);
    return items;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return `[${boundString(String((value as object).constructor?.name ?? 'object'), 64)}]`;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value);
  for (const [k, v] of entries.slice(0, 64)) out[boundString(k, 64)] = safeForLog(v, depth + 1);
  if (entries.length > 64) out['[more]'] = entries.length - 64;
  return out;
}
