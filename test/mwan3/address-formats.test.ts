// Addresses and CIDRs are zod's formats (src/resources/schema.ts): the union accepts an address
// or a CIDR of the families asked for, with one message naming what is expected, and carries
// `format` into the JSON schema that the OpenAPI document is built from.
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { cidr, isCidr, isIpv4, isIpv6 } from '../../src/resources/schema.js';
import { rules } from '../../src/resources/mwan3/rules.js';

describe('addresses and CIDRs', () => {
  it.each([
    ['10.0.0.1', true, false, true],
    ['10.0.0.0/8', false, false, true],
    ['0.0.0.0/0', false, false, true],
    ['2001:db8::1', false, true, true],
    ['::ffff:10.0.0.1', false, true, true],
    ['2001:db8::/32', false, false, true],
    ['10.0.0.0/33', false, false, false],
    ['::/129', false, false, false],
    ['010.0.0.1', false, false, false],
    ['1::2::3', false, false, false],
    ['10.0.0.1/', false, false, false],
    ['10.0.0.0/08', false, false, false],
    ['fe80::1%eth0', false, false, false],
  ])('%s: ipv4 %s, ipv6 %s, address or CIDR %s', (v, v4, v6, either) => {
    expect([isIpv4(v), isIpv6(v), isCidr(v)]).toEqual([v4, v6, either]);
    expect(cidr().safeParse(v).success).toBe(either);
  });

  it('one family: the union and the predicate agree, and the message names the family', () => {
    for (const v of ['10.0.0.0/8', '10.0.0.1', '2001:db8::/32', '::1']) {
      expect(cidr({ v4: true }).safeParse(v).success).toBe(isCidr(v, { v4: true }));
      expect(cidr({ v6: true }).safeParse(v).success).toBe(isCidr(v, { v6: true }));
    }
    expect(cidr({ v4: true }).safeParse('::1').error?.issues[0]?.message).toBe('should be an IPv4 address or CIDR');
    expect(cidr().safeParse('nope').error?.issues[0]?.message).toBe('should be an IP address or CIDR');
    expect(cidr().safeParse(7).error?.issues[0]?.message).toBe('should be an IP address or CIDR');
  });

  it('the JSON schema of an mwan3 rule names the formats of src_ip and dest_ip', () => {
    const json = z.toJSONSchema(rules.schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { anyOf?: { format?: string }[] }> };
    for (const field of ['src_ip', 'dest_ip']) {
      expect(json.properties[field]?.anyOf?.map((s) => s.format)).toEqual(['ipv4', 'cidrv4', 'ipv6', 'cidrv6']);
    }
  });
});
