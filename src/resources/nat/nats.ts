import * as z from 'zod';
import type { HostFacts } from '../../host/facts.js';
import { addressOf, syncOptionsOps } from '../fields.js';
import { FIREWALL, OWNER, objectName, requireField } from '../firewall/common.js';
import { DEFAULT_REF, SOURCE_REF, resolveDevice } from '../devices/refs.js';
import { deviceZoneName, deviceZoneOps } from '../devices/zones.js';
import { ICN_PROTOCOLS, checkPortsNeedProto, deviceRef, ipv4OrCidr, singlePort, unsigned } from '../icn-formats.js';
import { oneOf } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { BatchOp, UciPackage, UciSection, UciValue } from '../../uci/types.js';

/**
 * ICN's CNFNAT (`/sdewan/nat/v1/nats`), kept where firewall4 reads it. ICN ran iptables at
 * request time; here a DNAT is a `config redirect` (target DNAT) and a SNAT or MASQUERADE a
 * `config nat` (firewall4's source NAT section), marked `option sdewan_kind 'nat'`:
 *
 * - DNAT: `src` (the incoming device) becomes firewall4's `src`, the device's own zone
 *   (src/resources/devices/zones.ts); src_ip, src_port, src_dip, src_dport, dest_ip and
 *   dest_port keep their names. Without dest_ip firewall4 redirects to the local dest_port,
 *   as ICN's REDIRECT did.
 * - SNAT: `dest` (the outgoing device) becomes `device`; src_dip and src_dport become
 *   `snat_ip` and `snat_port`.
 * - MASQUERADE: `dest` becomes `device`; src_dip and src_dport, which a masquerade does not
 *   use (ICN neither), are kept as `sdewan_src_dip`/`sdewan_src_dport`.
 *
 * What was sent for `src`, `dest`, `proto` and `index` is kept in `sdewan_src`, `sdewan_dest`,
 * `sdewan_proto` and `sdewan_index`, so that `#default` reads back as `#default`; firewall4
 * gets the resolved device and `proto` (`all` when none was sent: ICN matched every protocol,
 * firewall4's redirect default is tcpudp). `index` n > 0 places the section n-th among the
 * sections of its type (firewall4's rule order), as ICN inserted its rule n-th in the chain.
 *
 * Device references: `#default` is the device of the IPv4 default route, `#source` the device
 * holding `src_dip` (ICN resolved it for a source NAT's dest; a DNAT's src resolves the same
 * way), both resolved when the object is written. Both `src` and `dest` must name a device of
 * the box (428), also the one firewall4 does not use (a DNAT's dest, a source NAT's src), as ICN
 * checked them.
 */
export const NAT_OWNER = 'nat';

const TARGETS = ['SNAT', 'DNAT', 'MASQUERADE'] as const;

const schema = z
  .object({
    name: objectName().meta({ description: 'The NAT name.', examples: ['nat-sample'] }),
    src: deviceRef().optional().meta({ description: 'The incoming device (required for DNAT; `#source`: the device holding `src_dip`).', examples: ['iface1'] }),
    src_ip: ipv4OrCidr().optional().meta({ description: 'Source address matched.', examples: ['192.168.1.2'] }),
    src_dip: ipv4OrCidr()
      .optional()
      .meta({ description: 'DNAT: the destination address matched. SNAT: the source address written (required).', examples: ['1.2.3.4'] }),
    src_port: singlePort().optional().meta({ description: 'Source port matched (needs proto tcp, udp or tcpudp, as every port here).', examples: ['1024'] }),
    src_dport: singlePort().optional().meta({ description: 'DNAT: the destination port matched. SNAT: the source port written.', examples: ['8080'] }),
    proto: oneOf(ICN_PROTOCOLS).optional().meta({ description: 'The protocol matched; without it, every protocol.', examples: ['tcp'] }),
    dest: deviceRef()
      .optional()
      .meta({ description: 'The outgoing device (required for SNAT and MASQUERADE; `#source`: the device holding `src_dip`).', examples: ['iface2'] }),
    dest_ip: ipv4OrCidr().optional().meta({ description: 'DNAT: the address written (`dest_ip` or `dest_port` is required). Otherwise: matched.', examples: ['192.168.2.2'] }),
    dest_port: singlePort().optional().meta({ description: 'DNAT: the port written (alone: a local port, as a redirect). Otherwise: matched.', examples: ['80'] }),
    target: oneOf(TARGETS).meta({ description: 'Destination NAT, source NAT, or masquerading behind the outgoing device.', examples: ['DNAT'] }),
    index: unsigned(0).optional().meta({ description: 'n > 0: the position among the NAT sections of its type (firewall4 tries them in order).', examples: ['1'] }),
  })
  .superRefine((nat, ctx) => {
    const issue = (field: string, message: string) => requireField(ctx, field, message);
    if (nat.target === 'SNAT') {
      if (nat.src_dip === undefined) issue('src_dip', 'src_dip is required for SNAT');
      if (nat.dest === undefined) issue('dest', 'dest is required for SNAT');
      checkPortsNeedProto(nat, ['src_port', 'dest_port', 'src_dport'], issue);
    } else if (nat.target === 'MASQUERADE') {
      if (nat.dest === undefined) issue('dest', 'dest is required for MASQUERADE');
      checkPortsNeedProto(nat, ['src_port', 'dest_port'], issue);
    } else {
      // ICN left src optional; firewall4 applies a DNAT only to the traffic of a source zone.
      if (nat.src === undefined) issue('src', 'src (the incoming device) is required for DNAT');
      if (nat.dest_ip === undefined && nat.dest_port === undefined) issue('dest_ip', 'dest_ip or dest_port are required for DNAT');
      checkPortsNeedProto(nat, ['src_port', 'src_dport', 'dest_port'], issue);
    }
   })
  .meta({
    description: "ICN's CNFNAT: a DNAT (firewall4's `config redirect`), a SNAT or a masquerade (`config nat`) on devices of the box.",
    examples: [
      { name: 'nat-sample', src: 'iface1', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'iface2', dest_ip: '192.168.2.2', proto: 'tcp', target: 'DNAT' },
      { name: 'snat-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.5', dest: '#default', target: 'SNAT' },
      { name: 'masquerade-sample', src_ip: '192.168.1.0/24', dest: '#default', target: 'MASQUERADE' },
    ],
  });
export type Nat = z.infer<typeof schema>;

type SectionType = 'redirect' | 'nat';
const sectionType = (nat: Pick<Nat, 'target'>): SectionType => (nat.target === 'DNAT' ? 'redirect' : 'nat');

/** Where each field of a target is kept: API field -> UCI option. */
const PLACES: Record<Nat['target'], Array<[keyof Nat, string]>> = {
  DNAT: [['src_ip', 'src_ip'], ['src_port', 'src_port'], ['src_dip', 'src_dip'], ['src_dport', 'src_dport'], ['dest_ip', 'dest_ip'], ['dest_port', 'dest_port']],
  SNAT: [['src_ip', 'src_ip'], ['src_port', 'src_port'], ['dest_ip', 'dest_ip'], ['dest_port', 'dest_port'], ['src_dip', 'snat_ip'], ['src_dport', 'snat_port']],
  MASQUERADE: [['src_ip', 'src_ip'], ['src_port', 'src_port'], ['dest_ip', 'dest_ip'], ['dest_port', 'dest_port'], ['src_dip', 'sdewan_src_dip'], ['src_dport', 'sdewan_src_dport']],
};
const KEPT: Array<[keyof Nat, string]> = [['src', 'sdewan_src'], ['dest', 'sdewan_dest'], ['proto', 'sdewan_proto'], ['index', 'sdewan_index']];

/** Every option a NAT section of each type may carry (the ones a write manages). */
const MANAGED: Record<SectionType, string[]> = {
  redirect: ['name', OWNER, 'target', 'src', 'proto', ...PLACES.DNAT.map(([, o]) => o), ...KEPT.map(([, o]) => o)],
  nat: ['name', OWNER, 'target', 'device', 'proto', ...new Set([...PLACES.SNAT, ...PLACES.MASQUERADE].map(([, o]) => o)), ...KEPT.map(([, o]) => o)],
};

/** The device firewall4 is given: DNAT's incoming one, SNAT's and MASQUERADE's outgoing one. */
function natDevice(nat: Nat, host: HostFacts): string {
  const field = nat.target === 'DNAT' ? 'src' : 'dest';
  return resolveDevice(host, field, nat[field]!, { source: { address: nat.src_dip, field: 'src_dip' } });
}

/** The section's options, in the order they are written. */
function optionsOf(nat: Nat, device: string): Map<string, UciValue> {
  const options = new Map<string, UciValue>([['name', nat.name], [OWNER, NAT_OWNER], ['target', nat.target]]);
  if (nat.target === 'DNAT') options.set('src', deviceZoneName(device));
  else options.set('device', device);
  options.set('proto', nat.proto ?? 'all');
  for (const [field, option] of [...PLACES[nat.target], ...KEPT]) {
    const value = nat[field];
    if (value !== undefined) options.set(option, value);
  }
  return options;
}

const natSections = (pkg: UciPackage | undefined) =>
  (pkg?.sections ?? []).filter((s) => (s.type === 'redirect' || s.type === 'nat') && s.options.get(OWNER) === NAT_OWNER);

const findSection = (pkg: UciPackage | undefined, name: string) => natSections(pkg).find((s) => s.options.get('name') === name);

function objectOf(section: UciSection): Nat {
  const get = (option: string) => {
    const v = section.options.get(option);
    return Array.isArray(v) ? v.join(' ') : v;
  };
  const target = get('target') as Nat['target'];
  const obj: Record<string, string> = {};
  const name = get('name');
  if (name !== undefined) obj.name = name;
  for (const [field, option] of [...(PLACES[target] ?? PLACES.DNAT), ...KEPT]) {
    const value = get(option);
    if (value !== undefined) obj[field] = value;
  }
  if (target !== undefined) obj.target = target;
  return obj as Nat;
}

/**
 * The `reorder` placing `section` (`ref`) n-th among the sections of its type in `list` (the
 * package as it will be, the section included), or nothing when fewer are there.
 */
function placeOps(list: readonly UciSection[], section: UciSection, ref: string, index: string | undefined): BatchOp[] {
  const n = Number(index ?? '0');
  if (n < 1) return [];
  const others = list.filter((s) => s !== section);
  const before = others.filter((s) => s.type === section.type)[n - 1];
  if (!before || list[list.indexOf(before) - 1] === section) return [];
  return [{ op: 'reorder', section: ref, position: others.indexOf(before) }];
}

export const nats = defineResource({
  domain: 'nat',
  collection: 'nats',
  config: FIREWALL,
  service: 'firewall',
  usesHost: true,
  preconditions: 'a device named in `src` or `dest` (or found through `#default`, `#source`) does not exist on the box',
  schema,
  list: (snap: Snapshot) => natSections(snap[FIREWALL]).map(objectOf),
  check(nat, _snap, _existing, host) {
    if (!host) return;
    // Both references must name a device of this box, as ICN checked them, even the one
    // firewall4 does not use (a DNAT's dest, a source NAT's src).
    natDevice(nat, host);
    const other = nat.target === 'DNAT' ? 'dest' : 'src';
    const ref = nat[other];
    if (ref !== undefined && ref !== DEFAULT_REF && ref !== SOURCE_REF) resolveDevice(host, other, ref);
  },
  toBatch(nat, snap, _existing, host) {
    const pkg = snap[FIREWALL]!;
    const device = natDevice(nat, host ?? { devices: [] });
    const options = optionsOf(nat, device);
    const type = sectionType(nat);
    const current = findSection(pkg, nat.name);
    const ops: BatchOp[] = [];
    if (current && current.type === type) {
      const ref = addressOf(pkg, current);
      ops.push(...syncOptionsOps(ref, current, options, MANAGED[type]));
      ops.push(...placeOps(pkg.sections, current, ref, nat.index));
    } else {
      if (current) ops.push({ op: 'delete', section: addressOf(pkg, current) });
      const added: UciSection = { type, name: '', anonymous: true, options };
      ops.push({ op: 'add', type }, ...syncOptionsOps(`@${type}[-1]`, undefined, options, MANAGED[type]));
      ops.push(...placeOps([...pkg.sections.filter((s) => s !== current), added], added, `@${type}[-1]`, nat.index));
    }
    ops.push(...deviceZoneOps(pkg, current ? [current] : [], type === 'redirect' ? [device] : []));
    return ops;
  },
  deleteBatch(name, snap) {
    const pkg = snap[FIREWALL];
    if (!pkg) return [];
    const gone = natSections(pkg).filter((s) => s.options.get('name') === name);
    const ops = gone.map((s) => addressOf(pkg, s)).reverse().map((section): BatchOp => ({ op: 'delete', section }));
    return ops.concat(deviceZoneOps(pkg, gone, []));
  },
});
