import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { redirects } from '../../src/resources/firewall/redirects.js';
import { kindHarness } from '../helpers/kind.js';
import { firewallWith, stockFiles } from './fixtures.js';
import { refusal } from './helpers.js';

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

describe('firewall redirects: body -> UCI -> list', () => {
  it('needs src and dest to be existing zones', async () => {
    const h = kindHarness(redirects, stockFiles());
    await h.create({ name: 'r', src: 'wan', dest: 'lan' });
    expect(await h.refusal(() => h.create({ name: 'r2', src: 'wan0' }))).toEqual({ status: 400, message: 'Field[src] checked failed: zone "wan0" is not defined' });
    expect((await h.refusal(() => h.create({ name: 'r3', src: 'wan', dest: 'lan0' }))).message).toMatch(/^Field\[dest\]/);
  });

  it('lists, creates and deletes redirects as anonymous sections', async () => {
    const stock = "config redirect\n\toption src 'wan'\n\toption src_dport '80'\n\toption dest 'lan'\n\toption dest_ip '192.168.16.235'\n\toption reflection '0'";
    const h = kindHarness(redirects, stockFiles(firewallWith(stock)));
    expect(await h.list()).toEqual([{ src: 'wan', src_dport: '80', dest: 'lan', dest_ip: '192.168.16.235' }]);
    const sent = { name: 'dnat1', src: 'wan', src_dport: '8080', dest: 'lan', dest_ip: '192.168.1.2', dest_port: '80', proto: 'tcp', target: 'DNAT' };
    expect(await h.create({ ...GO_EMPTY_REDIRECT, ...sent })).toEqual(sent);
    const dnat1 =
      "config redirect\n\toption name 'dnat1'\n\toption src 'wan'\n\toption src_dport '8080'\n\toption proto 'tcp'\n\toption dest 'lan'\n\toption dest_ip '192.168.1.2'\n\toption dest_port '80'\n\toption target 'DNAT'";
    expect(h.file('firewall')).toBe(firewallWith(stock, dnat1));
    expect(await h.refusal(() => h.remove('missing'))).toEqual({ status: 404, message: 'Not found' });
    await h.remove('dnat1');
    expect(h.file('firewall')).toBe(firewallWith(stock));
  });
});
