import { fieldError } from '../../errors.js';
import type { HostFacts } from '../../host/facts.js';

/**
 * ICN's device references, as its NAT and network firewall collections take them in `src` and
 * `dest`: a device name, `#default` (the device of the IPv4 default route), `#source` (NAT: the
 * device holding the address in `src_dip`) or `#<ipv4>` (network firewall: the device holding
 * that address). A reference that names no device of this box is a 428, as ICN answers it.
 */
export const DEFAULT_REF = '#default';
export const SOURCE_REF = '#source';

const unavailable = (field: string, why: string) => fieldError(field, why, 428);

/** The address part of `10.0.0.1/24`. */
const bare = (address: string) => address.split('/')[0] ?? address;

/**
 * The device (other than `lo`) holding the IPv4 address `ip`, compared as ICN compares it:
 * the address as written, without a prefix on the device's side.
 */
export function deviceWithAddress(host: HostFacts, ip: string): string | undefined {
  return host.devices.find((d) => d.name !== 'lo' && d.addresses.some((a) => bare(a) === ip))?.name;
}

export const deviceExists = (host: HostFacts, name: string) => host.devices.some((d) => d.name === name);

export interface RefOptions {
  /** `#source` allowed: the address whose device it names (undefined: none was given). */
  source?: { address: string | undefined; field: string };
  /** `#<ipv4>` allowed (network firewall). */
  byAddress?: boolean;
}

/** The device a reference names on this box, or a 428 naming the field. */
export function resolveDevice(host: HostFacts, field: string, ref: string, opts: RefOptions = {}): string {
  if (ref === DEFAULT_REF) {
    if (!host.defaultDevice) throw unavailable(field, `'${DEFAULT_REF}' names no device: there is no IPv4 default route`);
    return host.defaultDevice;
  }
  if (ref === SOURCE_REF && opts.source) {
    const { address, field: sourceField } = opts.source;
    if (address === undefined) throw fieldError(sourceField, `is required to resolve ${field} '${SOURCE_REF}'`);
    const dev = deviceWithAddress(host, address);
    if (!dev) throw unavailable(field, `'${SOURCE_REF}': no device holds ${sourceField} ${address}`);
    return dev;
  }
  if (ref.startsWith('#') && opts.byAddress) {
    const dev = deviceWithAddress(host, ref.slice(1));
    if (!dev) throw unavailable(field, `no device holds the address ${ref.slice(1)}`);
    return dev;
  }
  if (!deviceExists(host, ref)) throw unavailable(field, `device ${JSON.stringify(ref)} does not exist`);
  return ref;
}
