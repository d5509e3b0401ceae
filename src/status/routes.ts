import { parseIpJson } from './links.js';

/**
 * The `route` and `rule` status modules, pure translation of `ip -4 -j route show table all`
 * and `ip -4 -j rule show`, in the shapes of ICN's modules/route.lua and rule.lua (which read
 * `ip route show table <t>` and `ip rule` text). Every value is a string.
 *
 * route: `{"<table>": {"item": [route, ...]}, ...}` for each table a rule looks up that is
 * `main`, `local`, `default` or a number (a table no rule names is left out, as the Lua code
 * did); a route is
 *   destination  "default" | "10.10.10.0/24" | "10.200.0.1"
 *   gateway      the next hop (`via`)           device  `dev`
 *   scope        `scope` (absent for global)   proto   `proto` (absent for boot)
 *   metric       `metric`                      src     `src` (the preferred source)
 *   type         only for routes that are not unicast: local, broadcast, blackhole,
 *                unreachable, prohibit, ... (ip route prints it before the destination,
 *                where the Lua code took it for the destination)
 * A multipath route gives the next hop and device of its first path.
 *
 * rule: `[rule, ...]` in priority order; a rule is
 *   prio    "32766"          src  "all" | "10.0.0.0/8"   dst  "192.168.20.0/24" (when set)
 *   fwmark  "0x100/0x3f00"   table  the table looked up  not  "true" | "false"
 *   action  only for rules that look nothing up: blackhole, unreachable, prohibit, "goto 1001"
 */
export interface RouteEntry {
  gateway?: string;
  device?: string;
  destination: string;
  scope?: string;
  proto?: string;
  metric?: string;
  src?: string;
  type?: string;
}

export type RouteStatus = Record<string, { item: RouteEntry[] }>;

export interface RuleEntry {
  src?: string;
  dst?: string;
  prio: string;
  fwmark?: string;
  table?: string;
  not: 'true' | 'false';
  action?: string;
}

type Json = Record<string, unknown>;

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** `addr` with `/len` when ip printed a length (it leaves it out for a single host). */
function prefix(rule: Json, key: 'src' | 'dst'): string | undefined {
  const addr = text(rule[key]);
  if (addr === undefined) return undefined;
  const len = text(rule[`${key}len`]);
  return len === undefined ? addr : `${addr}/${len}`;
}

function ruleOf(r: Json): RuleEntry {
  const out: Partial<RuleEntry> = {};
  const src = prefix(r, 'src');
  const dst = prefix(r, 'dst');
  if (src !== undefined) out.src = src;
  if (dst !== undefined) out.dst = dst;
  out.prio = text(r['priority']) ?? '0';
  const mark = text(r['fwmark']);
  if (mark !== undefined) {
    const mask = text(r['fwmask']);
    out.fwmark = mask === undefined ? mark : `${mark}/${mask}`;
  }
  const table = text(r['table']);
  if (table !== undefined) out.table = table;
  out.not = 'not' in r ? 'true' : 'false';
  if (table === undefined) {
    const goto = text(r['goto']);
    const action = goto !== undefined ? `goto ${goto}` : text(r['action']);
    if (action !== undefined) out.action = action;
  }
  return out as RuleEntry;
}

/** The rules of `ip -4 -j rule show`, in the kernel's order. */
export function ruleStatus(ipRuleJson: string): RuleEntry[] {
  return parseIpJson(ipRuleJson, 'ip -j rule show').map(ruleOf);
}

const NAMED_TABLES = new Set(['main', 'local', 'default']);

/** The tables the rules look up that the route module lists, sorted as `sort | uniq` sorts. */
export function routeTables(rules: readonly RuleEntry[]): string[] {
  const tables = new Set<string>();
  for (const r of rules) if (r.table !== undefined && (NAMED_TABLES.has(r.table) || /^\d+$/.test(r.table))) tables.add(r.table);
  return [...tables].sort();
}

function firstHop(r: Json): Json {
  const hops = r['nexthops'];
  if (Array.isArray(hops) && typeof hops[0] === 'object' && hops[0] !== null) return hops[0] as Json;
  return r;
}

function routeOf(r: Json): RouteEntry {
  const hop = firstHop(r);
  const out: Partial<RouteEntry> = {};
  const gateway = text(hop['gateway']);
  const device = text(hop['dev']);
  if (gateway !== undefined) out.gateway = gateway;
  if (device !== undefined) out.device = device;
  out.destination = text(r['dst']) ?? 'default';
  const fields: Array<[keyof RouteEntry, string]> = [
    ['scope', 'scope'],
    ['proto', 'protocol'],
    ['metric', 'metric'],
    ['src', 'prefsrc'],
    ['type', 'type'],
  ];
  for (const [key, from] of fields) {
    const v = text(r[from]);
    if (v !== undefined && !(key === 'type' && v === 'unicast')) out[key] = v;
  }
  return out as RouteEntry;
}

/** The routes of each table the rules look up (`ip -j` leaves `table` out for main). */
export function routeStatus(ipRouteJson: string, rules: readonly RuleEntry[]): RouteStatus {
  const out: RouteStatus = {};
  for (const t of routeTables(rules)) out[t] = { item: [] };
  for (const r of parseIpJson(ipRouteJson, 'ip -j route show table all')) {
    const table = text(r['table']) ?? 'main';
    if (Object.hasOwn(out, table)) out[table]!.item.push(routeOf(r));
  }
  return out;
}
