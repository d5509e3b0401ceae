import * as z from 'zod';

/**
 * Building blocks of the API schemas. Every field value is a string in the API
 * (`"metric": "1"`), lists are arrays of strings; messages say what is wrong, and the
 * path of the field is added by src/http/validate.ts.
 */

export const text = () => z.string({ error: 'should be a string' });

export const oneOf = <const V extends readonly [string, ...string[]]>(values: V) =>
  z.enum(values, { error: `should be one of ${values.join(', ')}` });

/** An integer written as a string, at least `min`. */
export const intString = (min = 1, max = Number.MAX_SAFE_INTEGER) =>
  text().refine((v) => /^[0-9]+$/.test(v) && Number(v) >= min && Number(v) <= max, {
    error: max === Number.MAX_SAFE_INTEGER ? `should be an integer not less than ${min}` : `should be an integer from ${min} to ${max}`,
  });

export const bool01 = () => oneOf(['0', '1']);

const octet = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${octet}(\\.${octet}){3}$`);

export const isIpv4 = (v: string) => IPV4.test(v);

export function isIpv6(v: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(v) || !v.includes(':')) return false;
  const parts = v.split('::');
  if (parts.length > 2) return false;
  const groups = parts.flatMap((p) => (p === '' ? [] : p.split(':')));
  const last = groups.at(-1);
  const hasV4 = last !== undefined && last.includes('.');
  if (hasV4 && !isIpv4(last)) return false;
  const hex = hasV4 ? groups.slice(0, -1) : groups;
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = hex.length + (hasV4 ? 2 : 0);
  return parts.length === 2 ? count < 8 : count === 8;
}

/** An address or CIDR of the given families. */
export function isCidr(v: string, families: { v4?: boolean; v6?: boolean } = { v4: true, v6: true }): boolean {
  const [addr = '', prefix, ...rest] = v.split('/');
  if (rest.length > 0) return false;
  const v4 = families.v4 && isIpv4(addr);
  const v6 = families.v6 && isIpv6(addr);
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

export const cidr = (families: { v4?: boolean; v6?: boolean } = { v4: true, v6: true }) =>
  text().refine((v) => isCidr(v, families), {
    error: families.v6 ? 'should be an IP address or CIDR' : 'should be an IPv4 address or CIDR',
  });

/** A port, or a range `a-b` / `a:b`, as mwan3 and firewall4 take them. */
export const portSpec = () =>
  text().refine(
    (v) =>
      v.split(/[\s,]+/).every((part) => {
        const m = /^([0-9]{1,5})(?:[-:]([0-9]{1,5}))?$/.exec(part);
        return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 65535 && (m[2] === undefined || (Number(m[2]) >= Number(m[1]) && Number(m[2]) <= 65535));
      }),
    { error: 'should be a port (1-65535) or a range of ports' },
  );

export const stringList = (item: z.ZodType<string> = text()) => z.array(item, { error: 'should be a list of strings' });
