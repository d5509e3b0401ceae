// From the attached interfaces (annotation + what the pod really has) to UCI operations on
// the `network` and `mwan3` packages. Pure: no I/O.
//
// Ownership: every section the bootstrap creates carries `option sdewan_network '<network>'`
// (the Kubernetes network name the CNI attached on that device). The bootstrap only ever
// changes or deletes sections carrying that option; any other section, whoever made it,
// is left exactly as it is.
//
// - network: one `config interface '<device>'` per attached interface, with device, proto
//   static, ipaddr + netmask (IPv4, as OpenWRT's own defaults) or ip6addr '<addr>/<prefix>'
//   (IPv6), and gateway/ip6gw when the annotation asks for a default gateway. These options
//   follow the pod on every run (the pod's addresses are the truth); an owned section whose
//   device is no longer in the annotation is deleted.
// - mwan3: the matching `config interface '<device>'`, created once with enabled '1' and the
//   family, then left to the API (tracking, enabled, ... changed through the API stay). An
//   owned one whose device left the annotation is deleted unless a member still uses it.
//
// Section names are the device names (net0, net1): the ICN controller turns a network name
// into the device name (its net2iface) before it sends policy members and firewall zone
// networks, so that is the name the API must know. names.ts maps names that are not valid
// UCI section names and records `api_name`.
import type { BatchOp, UciPackage, UciSection, UciValue } from '../uci/types.js';
import { optionString, syncOptionsOps } from '../resources/fields.js';
import { apiNameOf, namedObjectOps, sectionNameFor } from '../resources/names.js';
import type { NfnInterface } from './annotations.js';
import { isIpv4 } from '../resources/schema.js';

/** The option that marks a section as made (and owned) by the bootstrap. */
export const OWNER_OPTION = 'sdewan_network';

export type Family = 'ipv4' | 'ipv6';

export interface LiveAddress {
  address: string;
  prefix: number;
  family: Family;
}

/** What the pod has on one device. */
export interface LiveDevice {
  /** Global (not link-local) addresses, in the order the kernel lists them. */
  addresses: LiveAddress[];
  /** Next hop of a default route through the device, per family. */
  gateway4?: string;
  gateway6?: string;
}

/** Devices present in the pod, by name (a device absent from the map is not in the pod). */
export type LiveDevices = ReadonlyMap<string, LiveDevice>;

export interface Finding {
  level: 'info' | 'warn' | 'error';
  message: string;
  device?: string;
}

/** One attached interface, resolved against the pod: what the config must say. */
export interface DesiredInterface {
  network: string;
  device: string;
  section: string;
  family: Family;
  address: string;
  prefix: number;
  gateway?: string;
}

export interface Resolution {
  desired: DesiredInterface[];
  /** Sections of annotation entries that were skipped: their owned sections stay as they are. */
  kept: Set<string>;
  findings: Finding[];
}

export const isOwned = (section: UciSection | undefined): boolean => {
  const v = section?.options.get(OWNER_OPTION);
  return typeof v === 'string' && v !== '';
};

export function prefixToNetmask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 0xff).join('.');
}

const familyOf = (address: string): Family => (isIpv4(address) ? 'ipv4' : 'ipv6');
const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Matches each annotation entry with the pod's device: the address, prefix and gateway to write. */
export function resolveInterfaces(entries: readonly NfnInterface[], live: LiveDevices): Resolution {
  const desired: DesiredInterface[] = [];
  const kept = new Set<string>();
  const findings: Finding[] = [];
  const bySection = new Map<string, string>();

  for (const entry of entries) {
    const device = entry.interface;
    const what = `interface ${device} (network ${entry.name})`;
    const warn = (message: string) => findings.push({ level: 'warn', device, message: `${what}: ${message}` });
    let section: string;
    try {
      section = sectionNameFor(device, 'interface');
    } catch (err) {
      findings.push({ level: 'error', device, message: `${what}: ${(err as Error).message}` });
      continue;
    }
    const other = bySection.get(section);
    if (other !== undefined) {
      findings.push({ level: 'error', device, message: `${what}: maps to UCI section '${section}' like ${other}; skipped` });
      continue;
    }
    bySection.set(section, device);

    const dev = live.get(device);
    if (!dev) {
      warn('named in the annotation but not present in the pod; not configured');
      kept.add(section);
      continue;
    }

    let address: string;
    let prefix: number;
    if (entry.ipAddress !== undefined) {
      const [addr, given] = entry.ipAddress.split('/') as [string, string | undefined];
      address = addr;
      const onDevice = dev.addresses.find((a) => sameAddress(a.address, addr));
      if (!onDevice) warn(`address ${addr} from the annotation is not on the device`);
      if (given !== undefined) prefix = Number(given);
      else if (onDevice) prefix = onDevice.prefix;
      else {
        prefix = familyOf(addr) === 'ipv4' ? 32 : 128;
        warn(`no prefix length for ${addr} in the annotation or on the device; using /${prefix}`);
      }
    } else {
      const first = dev.addresses.find((a) => a.family === 'ipv4') ?? dev.addresses[0];
      if (!first) {
        warn('has no address in the annotation nor on the device; not configured');
        kept.add(section);
        continue;
      }
      address = first.address;
      prefix = first.prefix;
    }
    const family = familyOf(address);

    let gateway: string | undefined;
    if (entry.gateway !== undefined) {
      if (familyOf(entry.gateway) === family) gateway = entry.gateway;
      else warn(`gateway ${entry.gateway} is not of the address family of ${address}; ignored`);
    } else if (entry.defaultGateway) {
      gateway = family === 'ipv4' ? dev.gateway4 : dev.gateway6;
      if (gateway === undefined) warn('defaultGateway is true but the pod has no default route through the device; no gateway written');
    }

    desired.push({ network: entry.name, device, section, family, address, prefix, ...(gateway !== undefined ? { gateway } : {}) });
  }
  return { desired, kept, findings };
}

/** The options of `config interface` in `network` that the bootstrap keeps equal to the pod. */
export const NETWORK_OPTIONS = ['device', 'proto', 'ipaddr', 'netmask', 'gateway', 'ip6addr', 'ip6gw', OWNER_OPTION] as const;

export function networkOptions(d: DesiredInterface): Map<string, UciValue> {
  const o = new Map<string, UciValue>([
    ['device', d.device],
    ['proto', 'static'],
  ]);
  if (d.family === 'ipv4') {
    o.set('ipaddr', d.address);
    o.set('netmask', prefixToNetmask(d.prefix));
    if (d.gateway !== undefined) o.set('gateway', d.gateway);
  } else {
    o.set('ip6addr', `${d.address}/${d.prefix}`);
    if (d.gateway !== undefined) o.set('ip6gw', d.gateway);
  }
  o.set(OWNER_OPTION, d.network);
  return o;
}

/** The options a new mwan3 interface gets; afterwards only OWNER_OPTION is kept up to date. */
export const MWAN3_OPTIONS = ['enabled', 'family', OWNER_OPTION] as const;

export function mwan3Options(d: DesiredInterface): Map<string, UciValue> {
  return new Map<string, UciValue>([
    ['enabled', '1'],
    ['family', d.family],
    [OWNER_OPTION, d.network],
  ]);
}

export interface PackagePlan {
  ops: BatchOp[];
  findings: Finding[];
}

const holderOf = (pkg: UciPackage, section: string) => pkg.sections.find((s) => s.name === section);

function sectionLabel(s: UciSection): string {
  return s.type === 'interface' ? `'${s.name}'` : `'${s.name}' (a ${s.type} section)`;
}

/**
 * Operations on `network`; `configured` receives the devices whose network section the
 * bootstrap owns after these operations (the ones mwan3 may get an interface for).
 */
export function planNetwork(pkg: UciPackage, res: Resolution, configured: DesiredInterface[] = []): PackagePlan {
  const ops: BatchOp[] = [];
  const findings: Finding[] = [];
  const wanted = new Set(res.desired.map((d) => d.section));
  for (const d of res.desired) {
    const holder = holderOf(pkg, d.section);
    if (holder && (!isOwned(holder) || holder.type !== 'interface' || apiNameOf(holder) !== d.device)) {
      findings.push({
        level: 'warn',
        device: d.device,
        message: `network section ${sectionLabel(holder)} exists and was not made by the bootstrap for ${d.device}: left as is`,
      });
      continue;
    }
    ops.push(...namedObjectOps(pkg, 'interface', d.device, networkOptions(d), NETWORK_OPTIONS, 'interface'));
    configured.push(d);
  }
  for (const s of pkg.sections) {
    if (s.type !== 'interface' || !isOwned(s) || wanted.has(s.name) || res.kept.has(s.name)) continue;
    ops.push({ op: 'delete', section: s.name });
    findings.push({ level: 'info', device: optionString(s, 'device'), message: `network interface '${s.name}' is no longer attached: deleted` });
  }
  return { ops, findings };
}

/** Operations on `mwan3` for the interfaces whose network section the bootstrap owns. */
export function planMwan3(pkg: UciPackage, configured: readonly DesiredInterface[], res: Resolution): PackagePlan {
  const ops: BatchOp[] = [];
  const findings: Finding[] = [];
  const wanted = new Set(res.desired.map((d) => d.section));
  for (const d of configured) {
    const holder = holderOf(pkg, d.section);
    if (!holder) {
      ops.push(...namedObjectOps(pkg, 'interface', d.device, mwan3Options(d), MWAN3_OPTIONS, 'interface'));
    } else if (holder.type === 'interface' && isOwned(holder) && apiNameOf(holder) === d.device) {
      ops.push(...syncOptionsOps(holder.name, holder, new Map([[OWNER_OPTION, d.network]]), [OWNER_OPTION]));
    } else {
      findings.push({
        level: holder.type === 'interface' ? 'info' : 'warn',
        device: d.device,
        message: `mwan3 section ${sectionLabel(holder)} exists and was not made by the bootstrap: left as is`,
      });
    }
  }
  for (const s of pkg.sections) {
    if (s.type !== 'interface' || !isOwned(s) || wanted.has(s.name) || res.kept.has(s.name)) continue;
    const member = pkg.sections.find((m) => m.type === 'member' && m.options.get('interface') === s.name);
    if (member) {
      findings.push({ level: 'warn', message: `mwan3 interface '${s.name}' is no longer attached but member '${member.name}' uses it: kept` });
      continue;
    }
    ops.push({ op: 'delete', section: s.name });
    findings.push({ level: 'info', message: `mwan3 interface '${s.name}' is no longer attached: deleted` });
  }
  return { ops, findings };
}
