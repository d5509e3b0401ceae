// The network firewall collection over HTTP, the agent running in a network namespace with
// devices lan1 and wan1 (the default route on wan1), a recording init.d for the reloads.
// Needs root and a build (`npx tsc -p .`).
import { beforeAll, describe, expect, it } from 'vitest';
import { type Agent, waitFor } from '../helpers/agent.js';
import { firewallAgentInNetns } from '../helpers/firewall-agent.js';
import { subnetOf } from '../helpers/netns.js';

const RULES = '/cgi-bin/luci/sdewan/networkfirewall/v1/rules';
const GO_EMPTY = {
  name: '', src: '', src_ip: '', src_mac: '', src_port: '', proto: '', icmp_type: null, dest: '', dest_ip: '', dest_port: '', mark: '', target: '', set_mark: '', set_xmark: '', family: '', extra: '',
};
const go = (obj: Record<string, unknown>) => ({ ...GO_EMPTY, ...obj });

const S3 = subnetOf(3);
const S4 = subnetOf(4);

const box = firewallAgentInNetns('nfw', [
  { name: 'lan1', address: `${S3}.2/24` },
  { name: 'wan1', address: `${S4}.2/24` },
], 'wan1');
const { file, reloads, expectRefused } = box;
let agent: Agent;
beforeAll(() => {
  agent = box.agent;
});

describe('network firewall rules over HTTP', () => {
  it('creates rules on devices named directly, by #default and by #<address>, each read back as sent', async () => {
    const rules = [
      { name: 'deny-ssh', src: '#default', proto: 'tcp', dest_port: '22', target: 'REJECT' },
      { name: 'lan-to-wan', src: `#${S3}.2`, dest: 'wan1', src_ip: '192.168.1.0/24', target: 'ACCEPT', family: 'ipv4' },
      { name: 'ping', src: 'lan1', proto: 'icmp', icmp_type: ['echo-request', 'echo-reply'], target: 'DROP' },
      { name: 'mark', src: 'lan1', src_mac: '00:11:22:33:44:55', mark: '0x1', target: 'MARK', set_xmark: '0x10/0xf0', extra: '-m comment --comment x' },
      { name: 'notrack', src: 'wan1', target: 'NOTRACK' },
    ];
    for (const rule of rules) {
      const res = await agent.request('POST', RULES, go(rule));
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual(rule);
      expect((await agent.request('GET', `${RULES}/${rule.name}`)).json).toEqual(rule);
    }
    expect((await agent.request('GET', RULES)).json).toEqual({ rules });
    const text = file();
    expect(text).toContain("\toption target 'REJECT'\n\toption src '*'\n\toption device 'wan1'\n\toption proto 'tcp'\n");
    expect(text).toContain("\toption target 'ACCEPT'\n\toption src '*'\n\toption dest 'sdewan_dev_wan1'\n\toption device 'lan1'\n\toption proto 'all'\n");
    expect(text).toContain("\toption target 'MARK'\n\toption src 'sdewan_dev_lan1'\n\toption dest '*'\n");
    await waitFor(() => reloads() >= 1, { what: 'a firewall reload' });
    // the firewall collections list their own rules only, and not the device zones
    const fwRules = (await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/rules')).json.rules.map((r: { name: string }) => r.name);
    expect(fwRules).toContain('Allow-Ping');
    for (const rule of rules) expect(fwRules).not.toContain(rule.name);
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/zones')).json.zones.map((z: { name: string }) => z.name)).toEqual(['lan', 'wan']);
  });

  it('refuses bad fields (400) and devices the box lacks (428), leaving the file as it was', async () => {
    await expectRefused('POST', RULES, go({ name: 'r', src: 'eth9', target: 'DROP' }), 428, 'Field[src] checked failed: device "eth9" does not exist');
    await expectRefused('POST', RULES, go({ name: 'r', src: 'lan1', dest: '#10.9.9.9', target: 'DROP' }), 428, 'Field[dest] checked failed: no device holds the address 10.9.9.9');
    await expectRefused('POST', RULES, go({ name: 'r', src: 'lan1', target: 'MARK' }), 400, 'Field[set_mark]');
    await expectRefused('POST', RULES, go({ name: 'r', src: 'lan1', target: 'ACCEPT', icmp_type: ['bogus'] }), 400, 'Field[icmp_type.0]');
    await expectRefused('POST', RULES, go({ name: 'r', target: 'ACCEPT' }), 400, 'Field[src] checked failed: is required');
    await expectRefused('POST', RULES, go({ name: 'ping', src: 'lan1', target: 'DROP' }), 409, 'Conflict');
    await expectRefused('DELETE', `${RULES}/missing`, undefined, 404, '');
  });

  it('a firewall rule of the same name is another object, and the dry run changes nothing', async () => {
    const fw = await agent.request('POST', '/cgi-bin/luci/sdewan/firewall/v1/rules', { name: 'ping', src: 'wan', proto: 'icmp', target: 'ACCEPT' });
    expect(fw.status, fw.text).toBe(201);
    expect((await agent.request('GET', `${RULES}/ping`)).json.target).toBe('DROP');
    const before = file();
    const dry = await agent.request('PUT', `${RULES}/ping?dry_run=1`, go({ src: 'wan1', target: 'ACCEPT' }));
    expect(dry.status).toBe(200);
    expect(dry.json.batch).toMatch(/^set firewall\.@rule\[\d+\]\.device='wan1'$/m);
    expect(file()).toBe(before);
  });

  it('replaces by PUT and deletes, device zones going with their last user', async () => {
    const res = await agent.request('PUT', `${RULES}/lan-to-wan`, go({ src: 'lan1', target: 'DROP' }));
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ name: 'lan-to-wan', src: 'lan1', target: 'DROP' });
    // wan1's zone stays for the NOTRACK rule
    expect(file()).toContain("option name 'sdewan_dev_wan1'");
    for (const name of ['deny-ssh', 'lan-to-wan', 'ping', 'mark', 'notrack']) expect((await agent.request('DELETE', `${RULES}/${name}`)).status).toBe(200);
    expect(file()).not.toContain('sdewan_');
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/rules/ping')).json.target).toBe('ACCEPT');
  });
});
