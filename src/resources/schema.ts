import * as z from 'zod';

/**
 * Building blocks of the API schemas. Every field value is a string in the API
 * (`"metric": "1"`), lists are arrays of strings; messages say what is wrong, and the
 * path of the field is added by src/http/validate.ts.
 */

export const text = () => z.string({ error: 'should be a string' });

/**
 * Metadata of a check JSON Schema cannot show (a range of an integer written as a string, a
 * value of several forms): the OpenAPI document appends the text to the field's description.
 */
export const constraint = (sentence: string) => ({ constraint: sentence });

export const oneOf = <const V extends readonly [string, ...string[]]>(values: V) =>
  z.enum(values, { error: `should be one of ${values.join(', ')}` });

/** An integer written as a string, at least `min`. */
export const intString = (min = 1, max = Number.MAX_SAFE_INTEGER) => {
  const error = max === Number.MAX_SAFE_INTEGER ? `should be an integer not less than ${min}` : `should be an integer from ${min} to ${max}`;
  return text()
    .regex(/^[0-9]+$/, { error })
    .refine((v) => /^[0-9]+$/.test(v) && Number(v) >= min && Number(v) <= max, { error })
    .meta(constraint(max === Number.MAX_SAFE_INTEGER ? `An integer of at least ${min}.` : `An integer from ${min} to ${max}.`));
};

export const bool01 = () => oneOf(['0', '1']);

// Addresses and CIDRs are zod's own checks (z.ipv4, z.ipv6, z.cidrv4, z.cidrv6): the schemas
// built from them carry `format` into the OpenAPI document, and the predicates below, for the
// values that mix them with other forms (ranges, netmasks, host names), test the same thing.
const IPV4 = z.ipv4();
const IPV6 = z.ipv6();
const CIDRV4 = z.cidrv4();
const CIDRV6 = z.cidrv6();

export const isIpv4 = (v: string) => IPV4.safeParse(v).success;
export const isIpv6 = (v: string) => IPV6.safeParse(v).success;

/** An address or CIDR of the given families (a prefix is written without leading zeros). */
export function isCidr(v: string, families: { v4?: boolean; v6?: boolean } = { v4: true, v6: true }): boolean {
  if (families.v4 && (IPV4.safeParse(v).success || CIDRV4.safeParse(v).success)) return true;
  return families.v6 === true && (IPV6.safeParse(v).success || CIDRV6.safeParse(v).success);
}

/** An address or a CIDR of the given families: a union of zod's formats, with one message. */
export function cidr(families: { v4?: boolean; v6?: boolean } = { v4: true, v6: true }) {
  const options: z.ZodType<string>[] = [];
  if (families.v4) options.push(z.ipv4(), z.cidrv4());
  if (families.v6) options.push(z.ipv6(), z.cidrv6());
  const family = families.v4 && families.v6 ? 'IP' : families.v6 ? 'IPv6' : 'IPv4';
  return z.union(options as [z.ZodType<string>, ...z.ZodType<string>[]], { error: `should be an ${family} address or CIDR` });
}

/** A port, or a range `a-b` / `a:b`, as mwan3 and firewall4 take them. */
export const portSpec = () =>
  text()
    .regex(/^[0-9]{1,5}([-:][0-9]{1,5})?([\s,]+[0-9]{1,5}([-:][0-9]{1,5})?)*$/, { error: 'should be a port (1-65535) or a range of ports' })
    .refine(
      (v) =>
        v.split(/[\s,]+/).every((part) => {
          const m = /^([0-9]{1,5})(?:[-:]([0-9]{1,5}))?$/.exec(part);
          return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 65535 && (m[2] === undefined || (Number(m[2]) >= Number(m[1]) && Number(m[2]) <= 65535));
        }),
      { error: 'should be a port (1-65535) or a range of ports' },
    )
    .meta(constraint('A port (1-65535) or a range `a-b` or `a:b`; several are separated by spaces or commas.'));

export const stringList = (item: z.ZodType<string> = text()) => z.array(item, { error: 'should be a list of strings' });
