import type { HostFacts } from '../host/facts.js';
import { OWNER_OPTION } from '../bootstrap/plan.js';
import { optionList, optionString } from '../resources/fields.js';
import { apiNameOf } from '../resources/names.js';
import type { UciPackage, UciSection } from '../uci/types.js';

/**
 * The pod's networks, read-only: every logical interface of /etc/config/network (its
 * `config interface` sections, in file order) with its device and the kernel's view of it,
 * the OVN network the bootstrap made it for, and what refers to it. Pure translation of the
 * UCI packages and the HostFacts (src/host/facts.ts); the route reads them without a process.
 *
 *   name        the interface's API name (`api_name`, else the section name: what netifd,
 *               mwan3 and firewall4 call it)
 *   proto       `static`, `dhcp`, `wireguard`, ...
 *   device      the Linux device: `device` (or the older `ifname`, its first word); `br-<name>`
 *               for an older bridge (`type 'bridge'`); the interface's own name for proto
 *               `wireguard`, as netifd names a tunnel's device
 *   network     the OVN network it was attached for (the bootstrap's `sdewan_network`)
 *   state       the device in the kernel: `up`, `down`, or `absent` (no such device)
 *   addresses   the device's addresses with their prefix, as the kernel has them
 *   default_route   the families whose default route (main table) leaves through the device
 *   used_by     mwan3_interface  an mwan3 interface of the same name balances over it
 *               mwan3_policies   the policies with a member on that mwan3 interface
 *               firewall_zones   the zones that list it in `network`
 *               wireguard_tunnels the WireGuard interfaces that reach their peers through it
 *                                (their `tunlink`, which netifd's wireguard handler reads)
 *               ipsec            listed in the ipsec globals' `interface` (charon's
 *                                `interfaces_use`: IKE runs over it)
 * Nothing secret is read: a WireGuard interface's keys stay where they are.
 */
export interface NetworkInterfaceView {
  name: string;
  proto?: string;
  device?: string;
  network?: string;
  state: 'up' | 'down' | 'absent';
  addresses: string[];
  default_route: Array<'ipv4' | 'ipv6'>;
  used_by: NetworkInterfaceUses;
}

export interface NetworkInterfaceUses {
  mwan3_interface: boolean;
  mwan3_policies: string[];
  firewall_zones: string[];
  wireguard_tunnels: string[];
  ipsec: boolean;
}

/** The packages the view reads (a missing one reads as empty). */
export interface NetworkPackages {
  network: UciPackage | undefined;
  mwan3: UciPackage | undefined;
  firewall: UciPackage | undefined;
  ipsec: UciPackage | undefined;
}
export const NETWORK_VIEW_PACKAGES = ['network', 'mwan3', 'firewall', 'ipsec'] as const;

const sectionsOf = (pkg: UciPackage | undefined, type: string): UciSection[] => pkg?.sections.filter((s) => s.type === type) ?? [];

/** A list option, its entries split on blanks as the init scripts' `config_get` does with an `option` of several words. */
const words = (section: UciSection, option: string): string[] => optionList(section, option).flatMap((v) => v.split(/\s+/).filter(Boolean));

/** The Linux device of an interface section (see NetworkInterfaceView `device`). */
export function deviceOf(section: UciSection): string | undefined {
  if (optionString(section, 'proto') === 'wireguard') return section.name;
  if (optionString(section, 'type') === 'bridge') return `br-${section.name}`;
  return words(section, 'device')[0] ?? words(section, 'ifname')[0];
}

/** What refers to the interface of section name `iface`, by section name as the configs name it. */
function usesOf(iface: string, pkgs: NetworkPackages): NetworkInterfaceUses {
  const members = new Set(sectionsOf(pkgs.mwan3, 'member').filter((m) => optionString(m, 'interface') === iface).map((m) => m.name));
  return {
    mwan3_interface: sectionsOf(pkgs.mwan3, 'interface').some((s) => s.name === iface),
    mwan3_policies: sectionsOf(pkgs.mwan3, 'policy')
      .filter((p) => optionList(p, 'use_member').some((m) => members.has(m)))
      .map(apiNameOf),
    firewall_zones: sectionsOf(pkgs.firewall, 'zone')
      .filter((z) => words(z, 'network').includes(iface))
      .map((z) => optionString(z, 'name') ?? z.name),
    wireguard_tunnels: sectionsOf(pkgs.network, 'interface')
      .filter((s) => optionString(s, 'proto') === 'wireguard' && optionString(s, 'tunlink') === iface)
      .map(apiNameOf),
    ipsec: sectionsOf(pkgs.ipsec, 'ipsec').some((s) => words(s, 'interface').includes(iface)),
  };
}

function viewOf(section: UciSection, pkgs: NetworkPackages, facts: HostFacts): NetworkInterfaceView {
  const device = deviceOf(section);
  const kernel = device === undefined ? undefined : facts.devices.find((d) => d.name === device);
  const proto = optionString(section, 'proto');
  const network = optionString(section, OWNER_OPTION);
  const defaults: Array<'ipv4' | 'ipv6'> = [];
  if (device !== undefined && facts.defaultDevice === device) defaults.push('ipv4');
  if (device !== undefined && facts.defaultDevice6 === device) defaults.push('ipv6');
  return {
    name: apiNameOf(section),
    ...(proto ? { proto } : {}),
    ...(device ? { device } : {}),
    ...(network ? { network } : {}),
    state: kernel === undefined ? 'absent' : kernel.up ? 'up' : 'down',
    addresses: kernel ? [...kernel.addresses] : [],
    default_route: defaults,
    used_by: usesOf(section.name, pkgs),
  };
}

/** Every logical interface of the network config, in file order. */
export function networkInterfaceViews(pkgs: NetworkPackages, facts: HostFacts): NetworkInterfaceView[] {
  return sectionsOf(pkgs.network, 'interface').map((s) => viewOf(s, pkgs, facts));
}

/** One interface by its API name (or its section name), or undefined. */
export function networkInterfaceView(pkgs: NetworkPackages, facts: HostFacts, name: string): NetworkInterfaceView | undefined {
  const sections = sectionsOf(pkgs.network, 'interface');
  const section = sections.find((s) => apiNameOf(s) === name) ?? sections.find((s) => s.name === name);
  return section && viewOf(section, pkgs, facts);
}
