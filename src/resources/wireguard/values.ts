import * as z from 'zod';
import { isIpv4, isIpv6 } from '../schema.js';

/**
 * The values of a WireGuard tunnel as `wg` takes them. Every field is a string in the API, as
 * everywhere else; the messages say what is wrong, the path of the field is added by
 * src/http/validate.ts.
 */

const str = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'should be a string') });

/**
 * A WireGuard key: the base64 of 32 bytes, 44 characters ending in `=`. The 43rd character
 * carries 2 bits past the 256 of the key, which must be zero (`wg genkey` never sets them):
 * only the canonical spelling of a key is accepted, so that a key reads back as `wg` shows it.
 */
const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
export const isWireguardKey = (v: string) => KEY.test(v);
export const wireguardKey = () => str().refine(isWireguardKey, { error: 'should be a WireGuard key: the base64 of 32 bytes, 44 characters ending in = (wg genkey, wg pubkey, wg genpsk)' });

/** A port number 1-65535, without leading zeros (it reads back as written). */
export const isPort = (v: string) => /^[1-9][0-9]{0,4}$/.test(v) && Number(v) <= 65535;

/** An integer from `min` to `max` written without leading zeros. */
export const intIn = (min: number, max: number) =>
  str().refine((v) => /^(0|[1-9][0-9]*)$/.test(v) && Number(v) >= min && Number(v) <= max, { error: `should be an integer from ${min} to ${max}` });

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
/** A host name of at most 253 characters, or an IPv4 address (checked by HOST_NAME's caller). */
const isHostName = (v: string) => v.length <= 253 && HOST_NAME.test(v) && !/^[0-9.]+$/.test(v);

/** The host and port of an endpoint: `host:port`, `1.2.3.4:port` or `[v6]:port`; undefined when it is none. */
export function parseEndpoint(v: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]+)\]:([^:]+)$/.exec(v) ?? /^([^:[\]]+):([^:]+)$/.exec(v);
  if (!m) return undefined;
  const [, host = '', port = ''] = m;
  const bracketed = v.startsWith('[');
  if (!isPort(port)) return undefined;
  if (bracketed ? !isIpv6(host) : !(isIpv4(host) || isHostName(host))) return undefined;
  return { host, port };
}

/** An endpoint as stored (endpoint_host, endpoint_port) written back in the API's form. */
export const endpointOf = (host: string, port: string) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export const endpoint = () =>
  str().refine((v) => parseEndpoint(v) !== undefined, {
    error: 'should be host:port, with an IPv4 address or a host name, or [IPv6 address]:port (port 1-65535)',
  });

/**
 * A tunnel's name is the name of its netifd interface and of the Linux device netifd (or the
 * agent) makes for it: a UCI section name that is a device name, at most 15 characters.
 */
export const TUNNEL_NAME = /^[A-Za-z0-9_]{1,15}$/;
