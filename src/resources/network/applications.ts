import * as z from 'zod';
import { optionString } from '../fields.js';
import { defineResource, type Snapshot } from '../types.js';
import type { UciSection } from '../../uci/types.js';
import {
  CNF_TABLE,
  ICN_RULE_PRIORITY,
  KIND_OPTION,
  NAME_OPTION,
  NETWORK,
  deleteSectionsOps,
  familyOfAddress,
  objectName,
  optionMap,
  ownedSections,
  replaceSectionsOps,
  sectionsNamed,
  str,
} from './common.js';

/**
 * ICN's SdewanApplication (`sdewan/application/v1/applications`): `iplist` is the comma-separated
 * list of the pod addresses the controller found for the application (possibly empty, or with
 * an empty item when a pod has no address yet); ICN ran `ip rule add from <ip> lookup 40` for
 * each. Kept as the object itself, in a section netifd does not read, plus one netifd rule per
 * address that the application owns:
 *
 *   config sdewan_application
 *   	option name 'sdewanapplication-sample'
 *   	option sdewan_kind 'application'
 *   	option iplist '10.244.0.7,10.244.0.8'   as sent
 *
 *   config rule                                 (rule6 for an IPv6 address)
 *   	option name 'sdewanapplication-sample'
 *   	option sdewan_kind 'application'
 *   	option src '10.244.0.7'
 *   	option lookup '40'
 *   	option priority '32765'                  what ICN's `ip rule add` got from the kernel
 *
 * The Lua plugin listed applications under `applications`, ICN's Go client reads `apps`: the
 * list answer carries both.
 */
const HOLDER = 'sdewan_application';
const RULE_TYPES = ['rule', 'rule6'] as const;
const KIND = 'application';
const HOLDER_MANAGED = [NAME_OPTION, KIND_OPTION, 'iplist'];
const RULE_MANAGED = [NAME_OPTION, KIND_OPTION, 'src', 'lookup', 'priority'];

/** The addresses of an iplist: items split at commas and trimmed, empty ones skipped (as ICN did), each once. */
export const addressesOf = (iplist: string | undefined): string[] => [
  ...new Set(
    (iplist ?? '')
      .split(',')
      .map((ip) => ip.trim())
      .filter((ip) => ip !== ''),
  ),
];

const schema = z
  .object({
    name: objectName().meta({ description: 'The application name.', examples: ['sdewanapplication-sample'] }),
    iplist: str()
      .refine((v) => addressesOf(v).every((ip) => familyOfAddress(ip) !== undefined), {
        error: 'Invalid Source IP Address: should be IPv4 or IPv6 addresses separated by commas',
      })
      .optional()
      .meta({
        description: "The application's pod addresses, IPv4 or IPv6, separated by commas (empty items are skipped); traffic from each looks up the `cnf` table (40).",
        examples: ['10.244.0.7,10.244.0.8'],
      }),
  })
  .meta({
    description: "An application of the cluster: its pods' traffic is routed by the `cnf` table.",
    examples: [{ name: 'sdewanapplication-sample', iplist: '10.244.0.7,10.244.0.8' }],
  });
export type NetworkApplication = z.infer<typeof schema>;

function toApi(s: UciSection): NetworkApplication {
  const iplist = optionString(s, 'iplist');
  return { name: optionString(s, NAME_OPTION)!, ...(iplist !== undefined ? { iplist } : {}) };
}

export const applications = defineResource({
  domain: 'application',
  collection: 'applications',
  listKeys: ['apps'],
  config: NETWORK,
  service: 'network',
  schema,
  list: (snap: Snapshot) => ownedSections(snap[NETWORK], [HOLDER], KIND).map(toApi),
  toBatch(obj, snap) {
    const pkg = snap[NETWORK]!;
    const holder = optionMap([
      [NAME_OPTION, obj.name],
      [KIND_OPTION, KIND],
      ['iplist', obj.iplist],
    ]);
    const rules = addressesOf(obj.iplist).map((ip) => ({
      type: familyOfAddress(ip) === 6 ? 'rule6' : 'rule',
      options: optionMap([
        [NAME_OPTION, obj.name],
        [KIND_OPTION, KIND],
        ['src', ip],
        ['lookup', CNF_TABLE],
        ['priority', ICN_RULE_PRIORITY],
      ]),
    }));
    // The two section kinds have different types: the addresses of one batch part do not move the other's.
    return [
      ...replaceSectionsOps(pkg, sectionsNamed(pkg, [HOLDER], KIND, obj.name), [{ type: HOLDER, options: holder }], HOLDER_MANAGED),
      ...replaceSectionsOps(pkg, sectionsNamed(pkg, RULE_TYPES, KIND, obj.name), rules, RULE_MANAGED, (s, want) => optionString(s, 'src') === want.options.get('src')),
    ];
  },
  deleteBatch: (name, snap) =>
    deleteSectionsOps(snap[NETWORK]!, [...sectionsNamed(snap[NETWORK], [HOLDER], KIND, name), ...sectionsNamed(snap[NETWORK], RULE_TYPES, KIND, name)]),
});
