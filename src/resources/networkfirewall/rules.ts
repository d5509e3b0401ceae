import * as z from 'zod';
import type { HostFacts } from '../../host/facts.js';
import { addressOf, syncOptionsOps } from '../fields.js';
import { FAMILIES, FIREWALL, OWNER, markSpec, objectName, requireField } from '../firewall/common.js';
import { resolveDevice } from '../devices/refs.js';
import { deviceZoneName, deviceZoneOps } from '../devices/zones.js';
import { ICN_PROTOCOLS, checkPortsNeedProto, deviceRef, ipv4OrCidr, singlePort } from '../icn-formats.js';
import { oneOf, stringList, text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import type { BatchOp, UciPackage, UciSection, UciValue } from '../../uci/types.js';

/**
 * ICN's NetworkFirewallRule (`/sdewan/networkfirewall/v1/rules`): filter rules on devices
 * rather than zones. ICN ran iptables (`-i src [-o dest]`); here each is a firewall4
 * `config rule` marked `option sdewan_kind 'networkfirewall'`:
 *
 * - ACCEPT, REJECT, DROP: `src '*'` and `device <src device>` (firewall4 matches the incoming
 *   device in its global input or forward chain, before any zone); with a `dest` device, `dest`
 *   is that device's own zone (src/resources/devices/zones.ts), which matches the outgoing
 *   device, so the rule sits in the forward chain as ICN's FORWARD rule did.
 * - MARK: `src` the zone of the src device, `dest '*'`: firewall4's mangle prerouting chain,
 *   where ICN marked (ICN ignored `dest` for MARK; it is kept, not used).
 * - NOTRACK: `src` the zone of the src device: firewall4's raw prerouting chain (`dest` kept, not used).
 *
 * The other fields keep their names. What was sent for `src`, `dest` and `proto` is kept in
 * `sdewan_src`, `sdewan_dest`, `sdewan_proto` (`#default` reads back as sent); firewall4's
 * `proto` is `all` when none was sent (ICN matched every protocol; firewall4's default is tcpudp).
 * `extra` (raw iptables arguments, which ICN stored and never passed on) is kept as `extra`,
 * which firewall4 ignores with a warning.
 */
export const NETWORK_FIREWALL_OWNER = 'networkfirewall';

/** The ICMP types ICN's plugin accepts (iptables' names); firewall4 knows them all. */
const ICMP_TYPES = [
  'address-mask-reply', 'address-mask-request', 'any', 'communication-prohibited', 'destination-unreachable', 'echo-reply',
  'echo-request', 'fragmentation-needed', 'host-precedence-violation', 'host-prohibited', 'host-redirect', 'host-unknown',
  'host-unreachable', 'ip-header-bad', 'network-prohibited', 'network-redirect', 'network-unknown', 'network-unreachable',
  'parameter-problem', 'ping', 'pong', 'port-unreachable', 'precedence-cutoff', 'protocol-unreachable', 'redirect',
  'required-option-missing', 'router-advertisement', 'router-solicitation', 'source-quench', 'source-route-failed',
  'time-exceeded', 'timestamp-reply', 'timestamp-request', 'TOS-host-redirect', 'TOS-host-unreachable', 'TOS-network-redirect',
  'TOS-network-unreachable', 'ttl-exceeded', 'ttl-zero-during-reassembly', 'ttl-zero-during-transit',
] as const;

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

const schema = z
  .object({
    name: objectName().meta({ description: 'The rule name.', examples: ['networkfirewallrule-sample'] }),
    src: deviceRef().meta({ description: 'The incoming device (`#<ip>`: the device holding that address).', examples: ['net1'] }),
    src_ip: ipv4OrCidr().optional().meta({ description: 'Source address matched.', examples: ['192.168.1.0/24'] }),
    src_mac: text()
      .regex(MAC, { error: 'should be a MAC address (six hexadecimal pairs separated by colons)' })
      .optional()
      .meta({ description: 'Source MAC address matched.', examples: ['52:54:00:12:34:56'] }),
    src_port: singlePort().optional().meta({ description: 'Source port matched (needs proto tcp, udp or tcpudp).', examples: ['1024'] }),
    proto: oneOf(ICN_PROTOCOLS).optional().meta({ description: 'The protocol matched; without it, every protocol.', examples: ['tcp'] }),
    icmp_type: stringList(oneOf(ICMP_TYPES)).optional().meta({ description: 'ICMP types matched (proto `icmp`).', examples: [['echo-request']] }),
    dest: deviceRef().optional().meta({ description: 'The outgoing device, also by `#<ip>` (ACCEPT, REJECT, DROP: the rule then filters forwarded traffic).', examples: ['net2'] }),
    dest_ip: ipv4OrCidr().optional().meta({ description: 'Destination address matched.', examples: ['10.10.10.0/24'] }),
    dest_port: singlePort().optional().meta({ description: 'Destination port matched (needs proto tcp, udp or tcpudp).', examples: ['80'] }),
    mark: markSpec({ negatable: true }).optional().meta({ description: 'The firewall mark matched.', examples: ['0x10'] }),
    target: oneOf(['ACCEPT', 'REJECT', 'DROP', 'MARK', 'NOTRACK']).meta({ description: 'What is done with the matching traffic (`MARK` needs `set_mark` or `set_xmark`).', examples: ['ACCEPT'] }),
    set_mark: markSpec().optional().meta({ description: 'With target `MARK`: the mark set.', examples: ['0x110'] }),
    set_xmark: markSpec().optional().meta({ description: 'With target `MARK`: the mark XORed into the masked bits.', examples: ['0x1/0xff'] }),
    family: oneOf(FAMILIES).optional().meta({ description: 'The address family matched.', examples: ['ipv4'] }),
    extra: text().optional().meta({ description: 'Extra iptables arguments, kept (firewall4 ignores them, as ICN never applied them).', examples: ['-m comment --comment sample'] }),
  })
  .superRefine((rule, ctx) => {
    const issue = (field: string, message: string) => requireField(ctx, field, message);
    if (rule.target === 'MARK' && rule.set_mark === undefined && rule.set_xmark === undefined) issue('set_mark', 'set_mark or set_xmark is required for MARK');
    checkPortsNeedProto(rule, ['src_port', 'dest_port'], issue);
  })
  .meta({
    description: "ICN's NetworkFirewallRule: a filter, mark or notrack rule on devices of the box rather than zones (firewall4's `config rule`).",
    examples: [{ name: 'networkfirewallrule-sample', src: 'net1', src_ip: '192.168.1.0/24', dest: 'net2', dest_port: '80', proto: 'tcp', target: 'ACCEPT' }],
  });
export type NetworkFirewallRule = z.infer<typeof schema>;

/** Fields kept under their own name, in the order they are written. */
const SAME: Array<keyof NetworkFirewallRule> = ['src_ip', 'src_mac', 'src_port', 'dest_ip', 'dest_port', 'mark', 'set_mark', 'set_xmark', 'family', 'extra'];
const KEPT: Array<[keyof NetworkFirewallRule, string]> = [['src', 'sdewan_src'], ['dest', 'sdewan_dest'], ['proto', 'sdewan_proto']];
const MANAGED = ['name', OWNER, 'target', 'src', 'dest', 'device', 'proto', 'icmp_type', ...SAME, ...KEPT.map(([, o]) => o)];

interface Devices {
  src: string;
  dest?: string;
}

function devicesOf(rule: NetworkFirewallRule, host: HostFacts): Devices {
  const src = resolveDevice(host, 'src', rule.src, { byAddress: true });
  return rule.dest === undefined ? { src } : { src, dest: resolveDevice(host, 'dest', rule.dest, { byAddress: true }) };
}

/** The firewall4 `src`, `dest` and `device` of a rule, and the devices whose zones it uses. */
function matchOf(rule: NetworkFirewallRule, devs: Devices): { options: Array<[string, string]>; zones: string[] } {
  if (rule.target === 'MARK') return { options: [['src', deviceZoneName(devs.src)], ['dest', '*']], zones: [devs.src] };
  if (rule.target === 'NOTRACK') return { options: [['src', deviceZoneName(devs.src)]], zones: [devs.src] };
  const options: Array<[string, string]> = [['src', '*']];
  if (devs.dest !== undefined) options.push(['dest', deviceZoneName(devs.dest)]);
  options.push(['device', devs.src]);
  return { options, zones: devs.dest === undefined ? [] : [devs.dest] };
}

function optionsOf(rule: NetworkFirewallRule, devs: Devices): { options: Map<string, UciValue>; zones: string[] } {
  const match = matchOf(rule, devs);
  const options = new Map<string, UciValue>([['name', rule.name], [OWNER, NETWORK_FIREWALL_OWNER], ['target', rule.target], ...match.options]);
  options.set('proto', rule.proto ?? 'all');
  if (rule.icmp_type?.length) options.set('icmp_type', [...rule.icmp_type]);
  for (const field of SAME) if (rule[field] !== undefined) options.set(field, rule[field] as string);
  for (const [field, option] of KEPT) if (rule[field] !== undefined) options.set(option, rule[field] as string);
  return { options, zones: match.zones };
}

const ruleSections = (pkg: UciPackage | undefined) => (pkg?.sections ?? []).filter((s) => s.type === 'rule' && s.options.get(OWNER) === NETWORK_FIREWALL_OWNER);

function objectOf(section: UciSection): NetworkFirewallRule {
  const get = (option: string) => {
    const v = section.options.get(option);
    return Array.isArray(v) ? v.join(' ') : v;
  };
  const obj: Record<string, string | string[]> = {};
  const put = (field: string, value: string | undefined) => {
    if (value !== undefined) obj[field] = value;
  };
  put('name', get('name'));
  put('src', get('sdewan_src'));
  for (const field of ['src_ip', 'src_mac', 'src_port'] as const) put(field, get(field));
  put('proto', get('sdewan_proto'));
  const icmp = section.options.get('icmp_type');
  if (icmp !== undefined) obj.icmp_type = Array.isArray(icmp) ? [...icmp] : icmp.split(/\s+/).filter(Boolean);
  put('dest', get('sdewan_dest'));
  for (const field of ['dest_ip', 'dest_port', 'mark'] as const) put(field, get(field));
  put('target', get('target'));
  for (const field of ['set_mark', 'set_xmark', 'family', 'extra'] as const) put(field, get(field));
  return obj as unknown as NetworkFirewallRule;
}

export const networkFirewallRules = defineResource({
  domain: 'networkfirewall',
  collection: 'rules',
  config: FIREWALL,
  service: 'firewall',
  usesHost: true,
  preconditions: 'a device named in `src` or `dest` (or found through `#default`, `#<ip>`) does not exist on the box',
  schema,
  list: (snap: Snapshot) => ruleSections(snap[FIREWALL]).map(objectOf),
  check(rule, _snap, _existing, host) {
    if (host) devicesOf(rule, host);
  },
  toBatch(rule, snap, _existing, host) {
    const pkg = snap[FIREWALL]!;
    const { options, zones } = optionsOf(rule, devicesOf(rule, host ?? { devices: [] }));
    const current = ruleSections(pkg).find((s) => s.options.get('name') === rule.name);
    const ops: BatchOp[] = current
      ? syncOptionsOps(addressOf(pkg, current), current, options, MANAGED)
      : [{ op: 'add', type: 'rule' } as BatchOp].concat(syncOptionsOps('@rule[-1]', undefined, options, MANAGED));
    return ops.concat(deviceZoneOps(pkg, current ? [current] : [], zones));
  },
  deleteBatch(name, snap) {
    const pkg = snap[FIREWALL];
    if (!pkg) return [];
    const gone = ruleSections(pkg).filter((s) => s.options.get('name') === name);
    const ops = gone.map((s) => addressOf(pkg, s)).reverse().map((section): BatchOp => ({ op: 'delete', section }));
    return ops.concat(deviceZoneOps(pkg, gone, []));
  },
});
