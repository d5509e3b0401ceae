import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/http/validate.js';
import { redirects } from '../../src/resources/firewall/redirects.js';
import { pkg, section, stockFirewall, stockSnapshot } from './fixtures.js';
import { refusal, thrown } from './helpers.js';

const GO_EMPTY_REDIRECT = {
  name: '', src: '', src_ip: '', src_dip: '', src_mac: '', src_port: '', src_dport: '', proto: '', dest: '', dest_ip: '', dest_port: '', mark: '', target: '', family: '',
};

describe('firewall redirects: schema', () => {
  it('accepts the ICN DNAT and SNAT samples with the target the controller adds', () => {
    const dnat = { name: 'firewalldnat-sample', src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'firewallzone-sample2', proto: 'icmp', target: 'DNAT' };
    const snat = { name: 'firewallsnat-sample', src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.5', dest: 'firewallzone-sample2', proto: 'icmp', target: 'SNAT' };
    expect(parseBody(redirects.schema, { ...GO_EMPTY_REDIRECT, ...dnat })).toEqual(dnat);
    expect(parseBody(redirects.schema, { ...GO_EMPTY_REDIRECT, ...snat })).toEqual(snat);
  });

  it('accepts a port forward with every field', () => {
    const full = {
      name: 'ssh', src: 'wan', src_ip: '!10.0.0.0/8', src_dip: '203.0.113.1', src_mac: '00:11:22:33:44:55', src_port: '1024-65535', src_dport: '22001',
      proto: 'tcpudp', dest: 'lan', dest_ip: '192.168.1.2', dest_port: '22', mark: '0x1', target: 'DNAT', family: 'ipv4',
    };
    expect(parseBody(redirects.schema, full)).toEqual(full);
  });

  it.each([
    [{ name: 'r', src: 'wan', target: 'MASQUERADE' }, 'Field[target] checked failed:'],
    [{ name: 'r', target: 'DNAT' }, 'Field[src] checked failed: src is required for DNAT'],
    [{ name: 'r' }, 'Field[src] checked failed: src is required for DNAT (the default target)'],
    [{ name: 'r', target: 'DNAT', src: '*' }, 'Field[src] checked failed:'],
    [{ name: 'r', target: 'DNAT', src: 'wan', dest_ip: '!10.0.0.1' }, 'Field[dest_ip] checked failed:'],
    [{ name: 'r', target: 'SNAT', dest: 'wan' }, 'Field[src_dip] checked failed: src_dip is required for SNAT'],
    [{ name: 'r', target: 'SNAT', src_dip: '1.2.3.4' }, 'Field[dest] checked failed: dest is required for SNAT'],
    [{ name: 'r', target: 'SNAT', src_dip: '1.2.3.4', dest: '*' }, 'Field[dest] checked failed:'],
    [{ name: 'r', target: 'SNAT', src_dip: '!1.2.3.4', dest: 'wan' }, 'Field[src_dip] checked failed:'],
    [{ name: 'r', target: 'SNAT', src_dip: '1.2.3.4', dest: 'wan', src_mac: '00:11:22:33:44:55' }, 'Field[src_mac] checked failed:'],
    [{ name: 'r', src: 'wan', src_ip: '1.2.3' }, 'Field[src_ip] checked failed:'],
    [{ name: 'r', src: 'wan', src_dip: '1.2.3.4/40' }, 'Field[src_dip] checked failed:'],
    [{ name: 'r', src: 'wan', src_mac: 'zz:11:22:33:44:55' }, 'Field[src_mac] checked failed:'],
    [{ name: 'r', src: 'wan', src_port: '80 81' }, 'Field[src_port] checked failed:'],
    [{ name: 'r', src: 'wan', src_dport: 'http' }, 'Field[src_dport] checked failed:'],
    [{ name: 'r', src: 'wan', dest_port: '-1' }, 'Field[dest_port] checked failed:'],
    [{ name: 'r', src: 'wan', dest_ip: '10.0.0.1 10.0.0.2' }, 'Field[dest_ip] checked failed:'],
    [{ name: 'r', src: 'wan', proto: 'gre' }, 'Field[proto] checked failed:'],
    [{ name: 'r', src: 'wan', mark: 'x' }, 'Field[mark] checked failed:'],
    [{ name: 'r', src: 'wan', family: 'IPv4' }, 'Field[family] checked failed:'],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(redirects.schema, body)).toContain(message);
  });
});

describe('firewall redirects: references, listing, batches', () => {
  it('needs src and dest to be existing zones', () => {
    const snap = stockSnapshot();
    expect(thrown(() => redirects.check!({ name: 'r', src: 'wan', dest: 'lan' }, snap, undefined))).toBeUndefined();
    expect(thrown(() => redirects.check!({ name: 'r', src: 'wan0' }, snap, undefined))).toEqual({ status: 400, message: 'Field[src] checked failed: zone "wan0" is not defined' });
    expect(thrown(() => redirects.check!({ name: 'r', src: 'wan', dest: 'lan0' }, snap, undefined))?.message).toMatch(/^Field\[dest\]/);
  });

  it('lists, creates and deletes redirects as anonymous sections', () => {
    const fw = pkg('firewall', [...stockFirewall().sections, section('redirect', [['src', 'wan'], ['src_dport', '80'], ['dest', 'lan'], ['dest_ip', '192.168.16.235'], ['reflection', '0']])]);
    const snap = stockSnapshot(fw);
    expect(redirects.list(snap)).toEqual([{ src: 'wan', src_dport: '80', dest: 'lan', dest_ip: '192.168.16.235' }]);
    const obj = parseBody(redirects.schema, { ...GO_EMPTY_REDIRECT, name: 'dnat1', src: 'wan', src_dport: '8080', dest: 'lan', dest_ip: '192.168.1.2', dest_port: '80', proto: 'tcp', target: 'DNAT' });
    expect(redirects.toBatch(obj, snap, undefined)).toEqual([
      { op: 'add', type: 'redirect' },
      { op: 'set', section: '@redirect[-1]', option: 'name', value: 'dnat1' },
      { op: 'set', section: '@redirect[-1]', option: 'src', value: 'wan' },
      { op: 'set', section: '@redirect[-1]', option: 'src_dport', value: '8080' },
      { op: 'set', section: '@redirect[-1]', option: 'proto', value: 'tcp' },
      { op: 'set', section: '@redirect[-1]', option: 'dest', value: 'lan' },
      { op: 'set', section: '@redirect[-1]', option: 'dest_ip', value: '192.168.1.2' },
      { op: 'set', section: '@redirect[-1]', option: 'dest_port', value: '80' },
      { op: 'set', section: '@redirect[-1]', option: 'target', value: 'DNAT' },
    ]);
    expect(redirects.deleteBatch('missing', snap)).toEqual([]);
  });
});
