import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { RESOURCES } from '../../src/resources/index.js';
import { networkFirewallRules as rules } from '../../src/resources/networkfirewall/rules.js';
import type { Snapshot } from '../../src/resources/types.js';
import { refusal } from '../firewall/helpers.js';
import { parseUci } from '../../src/uci/index.js';
import { afterDelete, afterPut, batchOver, refusalOver } from '../helpers/kind.js';
import { BASE, HOST } from '../nat/fixtures.js';

/** What the Go client marshals for an SdewanNetworkFirewallRule with nothing set. */
const GO_EMPTY = {
  name: '', src: '', src_ip: '', src_mac: '', src_port: '', proto: '', icmp_type: null, dest: '', dest_ip: '', dest_port: '', mark: '', target: '', set_mark: '', set_xmark: '', family: '', extra: '',
};

const parsed = (pkg: string, text: string) => parseUci(text, pkg);
const snapOf = (text: string): Snapshot => ({ firewall: parsed('firewall', text) });
const firewallResources = RESOURCES.filter((k) => k.domain === 'firewall');
const sectionsIn = (text: string) => text.split('\n\n').map((s) => s.trim()).filter(Boolean);

async function put(text: string, body: Record<string, unknown>, host = HOST): Promise<string> {
  return afterPut(rules, 'firewall', text, { ...GO_EMPTY, ...body } as { name: string }, host);
}

describe('network firewall rules: schema as ICN validates it', () => {
  it.each([
    [{ name: 'r', target: 'ACCEPT' }, 'Field[src] checked failed: is required'],
    [{ name: 'r', src: 'eth0' }, 'Field[target] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ALLOW' }, 'Field[target] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'MARK' }, 'Field[set_mark] checked failed: set_mark or set_xmark is required for MARK'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', src_ip: '10.0.0.0/40' }, 'Field[src_ip] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', dest_ip: 'x' }, 'Field[dest_ip] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', src_mac: '00:11:22:33:44' }, 'Field[src_mac] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', proto: 'tcp', src_port: '0' }, 'Field[src_port] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', proto: 'tcp', dest_port: '22 80' }, 'Field[dest_port] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', dest_port: '22' }, 'Field[dest_port] checked failed: a port needs proto tcp, udp or tcpudp'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', proto: 'gre' }, 'Field[proto] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', proto: 'icmp', icmp_type: ['echo-request', 'bogus'] }, 'Field[icmp_type.1] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', family: 'inet' }, 'Field[family] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'MARK', set_mark: 'red' }, 'Field[set_mark] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'MARK', set_xmark: '0x1/0x1/0x1' }, 'Field[set_xmark] checked failed:'],
    [{ name: 'r', src: 'eth0', target: 'ACCEPT', mark: '0x1 0x2' }, 'Field[mark] checked failed:'],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(rules.schema, { ...GO_EMPTY, ...body })).toContain(message);
  });

  it('answers 428 when src or dest names no device: a missing one, #default without a default route, #<ip> nobody holds', async () => {
    const check = (body: Record<string, unknown>, host = HOST) => refusalOver(rules, 'firewall', BASE, { ...GO_EMPTY, ...body } as { name: string }, { host });
    expect(await check({ name: 'r', src: 'eth9', target: 'DROP' })).toEqual({ status: 428, message: 'Field[src] checked failed: device "eth9" does not exist' });
    expect((await check({ name: 'r', src: 'eth0', dest: 'eth9', target: 'DROP' }))?.message).toMatch(/^Field\[dest\]/);
    expect((await check({ name: 'r', src: '#default', target: 'DROP' }, { devices: HOST.devices }))?.status).toBe(428);
    expect(await check({ name: 'r', src: '#10.9.9.9', target: 'DROP' })).toEqual({ status: 428, message: 'Field[src] checked failed: no device holds the address 10.9.9.9' });
    expect(await check({ name: 'r', src: '#192.168.100.5', dest: '#default', target: 'DROP' })).toBeUndefined();
  });
});

describe('network firewall rules: the config written and read back', () => {
  it('keeps an input rule on the incoming device, proto all when none was sent', async () => {
    const rule = { name: 'deny-ssh', src: '#default', src_ip: '10.1.0.0/16', proto: 'tcp', dest_port: '22', target: 'REJECT', family: 'ipv4' };
    const text = await put(BASE, rule);
    expect(sectionsIn(text).at(-1)).toBe(
      "config rule\n\toption name 'deny-ssh'\n\toption sdewan_kind 'networkfirewall'\n\toption target 'REJECT'\n\toption src '*'\n\toption device 'eth0'\n\toption proto 'tcp'\n" +
        "\toption src_ip '10.1.0.0/16'\n\toption dest_port '22'\n\toption family 'ipv4'\n\toption sdewan_src '#default'\n\toption sdewan_proto 'tcp'",
    );
    expect(rules.list(snapOf(text))).toEqual([rule]);
    const any = { name: 'drop-net1', src: 'net1', target: 'DROP' };
    const two = await put(text, any);
    expect(sectionsIn(two).at(-1)).toBe("config rule\n\toption name 'drop-net1'\n\toption sdewan_kind 'networkfirewall'\n\toption target 'DROP'\n\toption src '*'\n\toption device 'net1'\n\toption proto 'all'\n\toption sdewan_src 'net1'");
    expect(rules.list(snapOf(two))).toEqual([rule, any]);
    // the firewall collections list their own rule only, and a firewall rule of the same name is another object
    const fwRules = firewallResources.find((d) => d.collection === 'rules')!;
    expect(fwRules.list(snapOf(two)).map((r) => r.name)).toEqual(['Allow-Ping']);
    expect(await batchOver(fwRules, 'firewall', two, { name: 'drop-net1', src: 'wan', target: 'DROP' })).toMatch(/^add firewall rule\n/);
  });

  it('keeps a forward rule with the outgoing device as its zone, and every field read back as sent', async () => {
    const rule = {
      name: 'fwd', src: 'iface1', src_ip: '192.168.1.0/24', src_mac: '00:11:22:aa:bb:cc', src_port: '1024', proto: 'udp', dest: 'iface2', dest_ip: '10.0.0.1', dest_port: '53',
      mark: '0x10/0xff', target: 'ACCEPT', family: 'any', extra: '-m comment --comment x',
    };
    const text = await put(BASE, rule);
    expect(sectionsIn(text).slice(-2)).toEqual([
      "config rule\n\toption name 'fwd'\n\toption sdewan_kind 'networkfirewall'\n\toption target 'ACCEPT'\n\toption src '*'\n\toption dest 'sdewan_dev_iface2'\n\toption device 'iface1'\n" +
        "\toption proto 'udp'\n\toption src_ip '192.168.1.0/24'\n\toption src_mac '00:11:22:aa:bb:cc'\n\toption src_port '1024'\n\toption dest_ip '10.0.0.1'\n\toption dest_port '53'\n" +
        "\toption mark '0x10/0xff'\n\toption family 'any'\n\toption extra '-m comment --comment x'\n\toption sdewan_src 'iface1'\n\toption sdewan_dest 'iface2'\n\toption sdewan_proto 'udp'",
      "config zone\n\toption name 'sdewan_dev_iface2'\n\tlist device 'iface2'\n\toption sdewan_kind 'device'",
    ]);
    expect(rules.list(snapOf(text))).toEqual([rule]);
    // the device zone is no firewall zone
    expect(firewallResources.find((d) => d.collection === 'zones')!.list(snapOf(text)).map((z) => z.name)).toEqual(['wan']);
  });

  it('puts MARK and NOTRACK on the zone of the source device, shared, and removes it with its last user', async () => {
    const mark = { name: 'mark', src: 'net1', proto: 'icmp', icmp_type: ['echo-request', 'echo-reply'], target: 'MARK', set_mark: '0x2', set_xmark: '0x4/0xf' };
    const notrack = { name: 'notrack', src: 'net1', dest: 'eth0', target: 'NOTRACK' };
    const one = await put(BASE, mark);
    expect(one).toContain("config rule\n\toption name 'mark'\n\toption sdewan_kind 'networkfirewall'\n\toption target 'MARK'\n\toption src 'sdewan_dev_net1'\n\toption dest '*'\n\toption proto 'icmp'\n\tlist icmp_type 'echo-request'\n\tlist icmp_type 'echo-reply'\n");
    const two = await put(one, notrack);
    expect(two).toContain("config rule\n\toption name 'notrack'\n\toption sdewan_kind 'networkfirewall'\n\toption target 'NOTRACK'\n\toption src 'sdewan_dev_net1'\n\toption proto 'all'\n");
    expect(two.match(/config zone/g)).toHaveLength(2);
    expect(rules.list(snapOf(two))).toEqual([mark, notrack]);
    // turning the MARK into a plain input rule keeps the zone for the NOTRACK rule
    const three = await put(two, { name: 'mark', src: 'net1', target: 'ACCEPT' });
    expect(three).toContain("option name 'sdewan_dev_net1'");
    const four = await afterDelete(rules, 'firewall', three, 'notrack', HOST);
    expect(four).not.toContain('sdewan_dev_net1');
    const five = await afterDelete(rules, 'firewall', four, 'mark', HOST);
    expect(sectionsIn(five)).toEqual(sectionsIn(BASE));
  });
});

describe('device zones and the firewall zones', () => {
  it('refuses a firewall zone that takes the name of a device zone (409), and a device zone a firewall zone holds', async () => {
    const text = await put(BASE, { name: 'fwd', src: 'eth0', dest: 'net1', target: 'ACCEPT' });
    const zones = firewallResources.find((d) => d.collection === 'zones')!;
    expect(await refusalOver(zones, 'firewall', text, { name: 'sdewan_dev_net1' })).toEqual({
      status: 409,
      message: 'The zone name "sdewan_dev_net1" is taken by a zone the agent keeps for a device',
    });
    const taken = `${BASE}\nconfig zone\n\toption name 'sdewan_dev_iface1'\n`;
    expect((await refusalOver(rules, 'firewall', taken, { ...GO_EMPTY, name: 'x', src: 'eth0', dest: 'iface1', target: 'DROP' }, { host: HOST }))?.status).toBe(409);
  });
});
