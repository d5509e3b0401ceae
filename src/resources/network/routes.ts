import * as z from 'zod';
import { optionString } from '../fields.js';
import { constraint, oneOf } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { UciSection } from '../../uci/types.js';
import {
  CNF_TABLE,
  type Family,
  KIND_OPTION,
  NAME_OPTION,
  NETWORK,
  deleteSectionsOps,
  familyOfAddress,
  hostBitsClear,
  interfaceForDev,
  objectName,
  optionMap,
  ownedSections,
  parsePrefix,
  replaceSectionsOps,
  sectionsNamed,
  str,
} from './common.js';

/**
 * ICN's CNFRoute (`sdewan/route/v1/routes`): `ip route add [table 40] <dst> [via <gw>] dev
 * <dev> [src <src>]`, kept as a netifd route:
 *
 *   config route                       (route6 for IPv6)
 *   	option name 'cnfroute-sample'
 *   	option sdewan_kind 'route'
 *   	option interface 'net1'          the interface whose device is `dev` (resolved at write)
 *   	option target '192.167.23.0/24'  `dst`; `default` is 0.0.0.0/0 (::/0) + sdewan_dst 'default'
 *   	option gateway '172.16.44.11'    `gw`
 *   	option source '10.0.0.1'         `src` (IPv4 only: see below)
 *   	option table '40'                `table`: cnf is 40, default is main
 *   	option sdewan_dev 'net1'         `dev` as sent (`#default`, `#<ip>` or a device)
 *
 * netifd's `source` of an IPv4 route is the preferred source (ip route's `src`); of an IPv6
 * route it is a source prefix the route is restricted to, which `src` is not: an IPv6 route
 * with `src` is refused.
 */
const TYPES = ['route', 'route6'] as const;
const KIND = 'route';
const MANAGED = [NAME_OPTION, KIND_OPTION, 'interface', 'target', 'gateway', 'source', 'table', 'sdewan_dev', 'sdewan_dst'];
const TABLES: Record<string, string> = { cnf: CNF_TABLE, default: 'main' };

/** A Linux device name: at most 15 characters, no '/', ':' or white space (dev_valid_name). */
const LINUX_DEVICE = /^[^\s/:#]{1,15}$/;

const address = (what: string) =>
  str()
    .refine((v) => familyOfAddress(v) !== undefined, { error: `Invalid ${what} IP Address: should be an IPv4 or IPv6 address` })
    .meta(constraint("An IPv4 or IPv6 address, of the route's family."));

const schema = z
  .object({
    name: objectName().meta({ description: 'The route name.', examples: ['cnfroute-sample'] }),
    dst: str()
      .refine((v) => v === 'default' || parsePrefix(v) !== undefined, {
        error: "Invalid Destination IP Address: should be 'default', an address or a CIDR",
      })
      .meta({
        description: 'The destination. `default`, an address or a CIDR without host bits; its family is the route\'s.',
        examples: ['192.167.23.0/24'],
      }),
    src: address('Source').optional().meta({ description: 'The preferred source address (IPv4 routes only).', examples: ['172.16.44.2'] }),
    gw: address('Gateway').optional().meta({ description: 'The next hop.', examples: ['172.16.44.11'] }),
    dev: str()
      .refine((v) => v === '#default' || (v.startsWith('#') ? familyOfAddress(v.slice(1)) !== undefined : LINUX_DEVICE.test(v)), {
        error: "should be a device name, '#<ip>' (the device holding that address) or '#default' (the device of the default route)",
      })
      .meta({
        description:
          'The device: a name (at most 15 characters, no `/`, `:`, `#` or space), `#<ip>` (the device holding that address) or `#default` ' +
          '(the device of the default route). It must be the device of an interface of the network config.',
        examples: ['net1'],
      }),
    table: oneOf(['default', 'cnf']).optional().meta({ description: '`cnf`: the table applications are looked up in (40); `default`: the main table.', examples: ['cnf'] }),
  })
  .superRefine((route, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const dst = route.dst === 'default' ? undefined : parsePrefix(route.dst);
    const family = familyOf(route);
    if (dst?.prefix !== undefined && !hostBitsClear(dst.addr, dst.family, dst.prefix)) {
      issue('dst', `Invalid Destination IP Address: ${route.dst} has bits set past its prefix length, which the kernel refuses`);
    }
    for (const field of ['gw', 'src'] as const) {
      const v = route[field];
      if (v !== undefined && familyOfAddress(v) !== family) issue(field, `should be an IPv${family} address, as the route is an IPv${family} route`);
    }
    if (route.src !== undefined && family === 6) issue('src', 'netifd cannot set the preferred source of an IPv6 route (its route6 `source` is a source prefix)');
   })
  .meta({
    description: "A static route, in the main table or ICN's `cnf` table (netifd's `config route` or `route6`).",
    examples: [{ name: 'cnfroute-sample', dst: '192.167.23.0/24', gw: '172.16.44.11', dev: 'net1', table: 'cnf' }],
  });
export type NetworkRoute = z.infer<typeof schema>;

/** The route's family: its destination's, else its gateway's or source's (`default` alone is IPv4, as ICN's). */
function familyOf(route: Pick<NetworkRoute, 'dst' | 'gw' | 'src'>): Family {
  const dst = route.dst === 'default' ? undefined : parsePrefix(route.dst)?.family;
  return dst ?? familyOfAddress(route.gw ?? '') ?? familyOfAddress(route.src ?? '') ?? 4;
}

function toApi(s: UciSection): NetworkRoute {
  const table = optionString(s, 'table');
  const apiTable = Object.keys(TABLES).find((k) => TABLES[k] === table) ?? table;
  const out: Record<string, string | undefined> = {
    name: optionString(s, NAME_OPTION),
    dst: optionString(s, 'sdewan_dst') === 'default' ? 'default' : optionString(s, 'target'),
    src: optionString(s, 'source'),
    gw: optionString(s, 'gateway'),
    dev: optionString(s, 'sdewan_dev'),
    table: apiTable,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as NetworkRoute;
}

const list = (snap: Snapshot) => ownedSections(snap[NETWORK], TYPES, KIND).map(toApi);

export const routes = defineResource({
  domain: 'route',
  collection: 'routes',
  config: NETWORK,
  service: 'network',
  usesHost: true,
  preconditions: 'the device named in `dev` (or found through `#default`, `#<ip>`) does not exist on the box, or no interface of the network config uses it',
  schema,
  list,
  check(obj, snap, _existing, host) {
    interfaceForDev(snap[NETWORK], obj.dev, familyOf(obj), host ?? { devices: [] });
  },
  toBatch(obj, snap, _existing, host) {
    const pkg = snap[NETWORK]!;
    const family = familyOf(obj);
    const options = optionMap([
      [NAME_OPTION, obj.name],
      [KIND_OPTION, KIND],
      ['interface', interfaceForDev(pkg, obj.dev, family, host ?? { devices: [] })],
      ['target', obj.dst === 'default' ? (family === 6 ? '::/0' : '0.0.0.0/0') : obj.dst],
      ['gateway', obj.gw],
      ['source', obj.src],
      ['table', obj.table === undefined ? undefined : TABLES[obj.table]],
      ['sdewan_dev', obj.dev],
      ['sdewan_dst', obj.dst === 'default' ? 'default' : undefined],
    ]);
    const type = family === 6 ? 'route6' : 'route';
    return replaceSectionsOps(pkg, sectionsNamed(pkg, TYPES, KIND, obj.name), [{ type, options }], MANAGED);
  },
  deleteBatch: (name, snap) => deleteSectionsOps(snap[NETWORK]!, sectionsNamed(snap[NETWORK], TYPES, KIND, name)),
});
