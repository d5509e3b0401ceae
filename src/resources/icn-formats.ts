import * as z from 'zod';
import { str } from './firewall/common.js';
import { constraint, isIpv4 } from './schema.js';

/**
 * The value formats of ICN's NAT and network firewall collections, as its plugin checks them:
 * IPv4 addresses with an optional prefix, single ports, its protocol names.
 */

/** An IPv4 address, or one with a prefix length 0-32. */
export const ipv4OrCidr = () =>
  str().refine(
    (v) => {
      const [addr = '', prefix, ...rest] = v.split('/');
      return rest.length === 0 && isIpv4(addr) && (prefix === undefined || (/^[0-9]{1,2}$/.test(prefix) && Number(prefix) <= 32));
    },
    { error: 'should be an IPv4 address, optionally with a prefix length (0-32)' },
  ).meta(constraint('An IPv4 address, optionally with a prefix length (0-32).'));

/** One port, 1-65535 (ICN: a positive integer; firewall4 takes no port above 65535). */
export const singlePort = () =>
  str()
    .regex(/^[0-9]{1,5}$/, { error: 'should be a port number (1-65535)' })
    .refine((v) => /^[0-9]{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, { error: 'should be a port number (1-65535)' })
    .meta(constraint('One port, 1-65535.'));

export const ICN_PROTOCOLS = ['tcp', 'udp', 'tcpudp', 'udplite', 'icmp', 'esp', 'ah', 'sctp', 'all'] as const;

/** The protocols with which firewall4 matches ports. */
export const PORT_PROTOCOLS: readonly string[] = ['tcp', 'udp', 'tcpudp'];

/** A device reference (a name, `#default`, ...): resolved against the box's devices by the kind's check. */
export const deviceRef = () =>
  str()
    .regex(/^[^\s/]{1,64}$/, { error: 'should be a device name or a reference such as #default' })
    .meta(constraint('A device of the box by its name, or a reference such as `#default` (the device of the IPv4 default route).'));

/** An unsigned integer string, at least `min`. */
export const unsigned = (min: number) =>
  str()
    .regex(/^[0-9]{1,9}$/, { error: `should be an integer not less than ${min}` })
    .refine((v) => /^[0-9]{1,9}$/.test(v) && Number(v) >= min, { error: `should be an integer not less than ${min}` })
    .meta(constraint(`An integer of at least ${min}, at most 9 digits.`));

export type Issue = (field: string, message: string) => void;

/** Port fields given without a protocol that firewall4 matches ports with. */
export function checkPortsNeedProto(obj: Record<string, unknown>, fields: readonly string[], issue: Issue): void {
  const proto = obj.proto as string | undefined;
  if (proto !== undefined && PORT_PROTOCOLS.includes(proto)) return;
  for (const f of fields) {
    if (obj[f] !== undefined) {
      issue(f, `a port needs proto tcp, udp or tcpudp (firewall4 ignores ports with ${proto === undefined ? 'no proto' : `proto ${proto}`})`);
      return;
    }
  }
}

