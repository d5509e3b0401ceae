import * as z from 'zod';
import { optionString } from '../fields.js';
import { constraint } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { UciSection } from '../../uci/types.js';
import {
  DEFAULTED_OPTION,
  ICN_RULE_PRIORITY,
  KIND_OPTION,
  NAME_OPTION,
  NETWORK,
  defaulted,
  deleteSectionsOps,
  isU32,
  objectName,
  optionMap,
  ownedSections,
  parsePrefix,
  replaceSectionsOps,
  sectionsNamed,
  str,
} from './common.js';

/**
 * ICN's CNFRouteRule (`sdewan/rule/v1/rules`): `ip rule add [not] [prio <prio>] [from <src>]
 * [to <dst>] lookup <table> [fwmark <fwmark>]`, kept as a netifd rule:
 *
 *   config rule                        (rule6 for IPv6)
 *   	option name 'cnfrouterule-sample1'
 *   	option sdewan_kind 'rule'
 *   	option src '192.167.24.0/24'     `src`
 *   	option dest '10.0.0.0/8'         `dst`
 *   	option priority '888'            `prio`
 *   	option mark '0x110'              `fwmark`
 *   	option lookup '40'               `table`
 *   	option invert '1'                `flag` (a JSON boolean): '1' for true, '0' for false
 *
 * Without `prio` the rule gets the kernel's choice for ICN's `ip rule add` (32765); without
 * `table` it looks up `main`, as ICN's did; `list sdewan_default` names such a field so that
 * it reads back absent. The Lua plugin listed rules under `rules`, ICN's Go client reads
 * `routerules`: the list answer carries both.
 */
const TYPES = ['rule', 'rule6'] as const;
const KIND = 'rule';
const MANAGED = [NAME_OPTION, KIND_OPTION, 'src', 'dest', 'priority', 'mark', 'lookup', 'invert', DEFAULTED_OPTION];
const MAX_U32 = 4294967295;

const prefix = (what: string) =>
  str()
    .refine((v) => parsePrefix(v) !== undefined, { error: `Invalid ${what} IP Address: should be an IPv4 or IPv6 address or CIDR` })
    .meta(constraint('An IPv4 or IPv6 address or CIDR.'));

const positive = (v: string) => /^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= MAX_U32;

const schema = z
  .object({
    name: objectName().meta({ description: 'The rule name.', examples: ['cnfrouterule-sample1'] }),
    src: prefix('Source').optional().meta({ description: 'The source matched (`from`); `src` or `dst` is required.', examples: ['192.167.24.0/24'] }),
    dst: prefix('Destination').optional().meta({ description: 'The destination matched (`to`), of the family of `src`.', examples: ['10.10.10.0/24'] }),
    prio: str()
      .regex(/^[1-9][0-9]{0,9}$/, { error: 'Invalid Priority: should be an integer from 1 to 4294967295' })
      .refine(positive, { error: 'Invalid Priority: should be an integer from 1 to 4294967295' })
      .optional()
      .meta({ description: 'The priority; without it, 32765 (what the kernel gave ICN\'s rules). An integer from 1 to 4294967295.', examples: ['888'] }),
    fwmark: str()
      .refine(isU32, { error: 'Invalid fwmark: should be a number from 0 to 0xffffffff (decimal or 0x-hexadecimal)' })
      .optional()
      .meta({ description: 'The firewall mark matched: a number from 0 to 0xffffffff, decimal or 0x-hexadecimal.', examples: ['0x110'] }),
    table: str()
      .refine((v) => ['main', 'local', 'default'].includes(v) || positive(v), { error: 'Invalid Table: should be main, local, default or a table number from 1' })
      .optional()
      .meta({ description: 'The table looked up: `main`, `local`, `default` or a number from 1 (`40` is ICN\'s `cnf`); without it, `main`.', examples: ['40'] }),
    flag: z.boolean({ error: 'should be true or false' }).optional().meta({ description: '`true`: the rule matches what the selectors do not (`ip rule add not`).', examples: [true] }),
  })
  .superRefine((rule, ctx) => {
    if (rule.src === undefined && rule.dst === undefined) {
      ctx.addIssue({ code: 'custom', path: ['src'], message: 'src or dst is required for a rule' });
      return;
    }
    const src = rule.src === undefined ? undefined : parsePrefix(rule.src)?.family;
    const dst = rule.dst === undefined ? undefined : parsePrefix(rule.dst)?.family;
    if (src !== undefined && dst !== undefined && src !== dst) {
      ctx.addIssue({ code: 'custom', path: ['dst'], message: `should be an IPv${src} address or CIDR, as src is` });
    }
   })
  .meta({
    description: 'A policy routing rule: which table the matching traffic looks up (netifd\'s `config rule` or `rule6`).',
    examples: [{ name: 'cnfrouterule-sample1', src: '192.167.24.0/24', flag: true, prio: '888', table: '40', fwmark: '0x110' }],
  });
export type NetworkRule = z.infer<typeof schema>;

const familyOf = (rule: NetworkRule) => parsePrefix(rule.src ?? rule.dst ?? '')?.family ?? 4;

function toApi(s: UciSection): NetworkRule {
  const invert = optionString(s, 'invert');
  const out: Record<string, string | boolean | undefined> = {
    name: optionString(s, NAME_OPTION),
    src: optionString(s, 'src'),
    dst: optionString(s, 'dest'),
    prio: defaulted(s, 'prio') ? undefined : optionString(s, 'priority'),
    fwmark: optionString(s, 'mark'),
    table: defaulted(s, 'table') ? undefined : optionString(s, 'lookup'),
    flag: invert === undefined ? undefined : invert === '1' || invert === 'true',
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as NetworkRule;
}

export const rules = defineResource({
  domain: 'rule',
  collection: 'rules',
  listKeys: ['routerules'],
  config: NETWORK,
  service: 'network',
  schema,
  list: (snap: Snapshot) => ownedSections(snap[NETWORK], TYPES, KIND).map(toApi),
  toBatch(obj, snap) {
    const pkg = snap[NETWORK]!;
    const notSent = (['prio', 'table'] as const).filter((f) => obj[f] === undefined);
    const options = optionMap([
      [NAME_OPTION, obj.name],
      [KIND_OPTION, KIND],
      ['src', obj.src],
      ['dest', obj.dst],
      ['priority', obj.prio ?? ICN_RULE_PRIORITY],
      ['mark', obj.fwmark],
      ['lookup', obj.table ?? 'main'],
      ['invert', obj.flag === undefined ? undefined : obj.flag ? '1' : '0'],
      [DEFAULTED_OPTION, notSent],
    ]);
    const type = familyOf(obj) === 6 ? 'rule6' : 'rule';
    return replaceSectionsOps(pkg, sectionsNamed(pkg, TYPES, KIND, obj.name), [{ type, options }], MANAGED);
  },
  deleteBatch: (name, snap) => deleteSectionsOps(snap[NETWORK]!, sectionsNamed(snap[NETWORK], TYPES, KIND, name)),
});
