import { describe, expect, it } from 'vitest';
import { parseBody } from '../../src/validate.js';
import { RESOURCES } from '../../src/resources/index.js';
import { nats } from '../../src/resources/nat/nats.js';
import type { Snapshot } from '../../src/resources/types.js';
import { refusal } from '../firewall/helpers.js';
import { parseUci } from '../../src/uci/index.js';
import { afterDelete, afterPut, batchOver, refusalOver } from '../helpers/kind.js';
import { BASE, HOST } from './fixtures.js';

/** What the Go client marshals for an SdewanNat with nothing set. */
const GO_EMPTY = { name: '', src: '', src_ip: '', src_dip: '', src_port: '', src_dport: '', proto: '', dest: '', dest_ip: '', dest_port: '', target: '', index: '' };

const parsed = (pkg: string, text: string) => parseUci(text, pkg);
const snapOf = (text: string): Snapshot => ({ firewall: parsed('firewall', text) });
const firewallResources = RESOURCES.filter((k) => k.domain === 'firewall');

/** Validates the Go body, checks it against the host, writes it through the engine: the new text. */
async function put(text: string, body: Record<string, string>, host = HOST): Promise<string> {
  return afterPut(nats, 'firewall', text, { ...GO_EMPTY, ...body } as { name: string }, host);
}

const sectionsIn = (text: string) => text.split('\n\n').map((s) => s.trim()).filter(Boolean);

describe('NAT: schema as ICN validates it', () => {
  it.each([
    [{ name: 'n' }, 'Field[target] checked failed:'],
    [{ name: 'n', target: 'REDIRECT' }, 'Field[target] checked failed:'],
    [{ name: 'n', target: 'SNAT', dest: 'eth0' }, 'Field[src_dip] checked failed: src_dip is required for SNAT'],
    [{ name: 'n', target: 'SNAT', src_dip: '1.2.3.4' }, 'Field[dest] checked failed: dest is required for SNAT'],
    [{ name: 'n', target: 'MASQUERADE' }, 'Field[dest] checked failed: dest is required for MASQUERADE'],
    [{ name: 'n', target: 'DNAT', src: 'eth0' }, 'Field[dest_ip] checked failed: dest_ip or dest_port are required for DNAT'],
    [{ name: 'n', target: 'DNAT', dest_ip: '10.0.0.1' }, 'Field[src] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.300' }, 'Field[dest_ip] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', src_ip: 'fd00::1' }, 'Field[src_ip] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', src_dip: '1.2.3.4/33' }, 'Field[src_dip] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', proto: 'tcp', src_port: '0' }, 'Field[src_port] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', proto: 'tcp', src_dport: '80-90' }, 'Field[src_dport] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', proto: 'tcp', dest_port: '70000' }, 'Field[dest_port] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', proto: 'gre' }, 'Field[proto] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', index: '-1' }, 'Field[index] checked failed:'],
    [{ name: 'n', target: 'DNAT', src: 'eth0', dest_ip: '10.0.0.1', dest_port: '80' }, 'Field[dest_port] checked failed: a port needs proto tcp, udp or tcpudp'],
    [{ name: 'n', target: 'SNAT', src_dip: '1.2.3.4', dest: 'eth0', proto: 'icmp', src_dport: '80' }, 'Field[src_dport] checked failed: a port needs proto'],
    [{ name: 'n', target: 'DNAT', src: 'eth 0', dest_ip: '10.0.0.1' }, 'Field[src] checked failed:'],
  ])('refuses %j naming the field', (body, message) => {
    expect(refusal(nats.schema, { ...GO_EMPTY, ...body })).toContain(message);
  });

  it('answers 428 for a device this box does not have, and for references that resolve to none', async () => {
    const check = (body: Record<string, string>, host = HOST) => refusalOver(nats, 'firewall', BASE, { ...GO_EMPTY, ...body } as { name: string }, { host });
    expect(await check({ name: 'n', target: 'DNAT', src: 'eth9', dest_ip: '10.0.0.1' })).toEqual({ status: 428, message: 'Field[src] checked failed: device "eth9" does not exist' });
    expect((await check({ name: 'n', target: 'DNAT', src: 'eth0', dest: 'eth9', dest_ip: '10.0.0.1' }))?.status).toBe(428);
    expect((await check({ name: 'n', target: 'SNAT', src: 'eth9', src_dip: '1.2.3.4', dest: 'eth0' }))?.message).toMatch(/^Field\[src\]/);
    expect(await check({ name: 'n', target: 'SNAT', src_dip: '1.2.3.4', dest: '#source' })).toEqual({ status: 428, message: "Field[dest] checked failed: '#source': no device holds src_dip 1.2.3.4" });
    expect((await check({ name: 'n', target: 'MASQUERADE', dest: '#source' }))?.status).toBe(400);
    expect((await check({ name: 'n', target: 'MASQUERADE', dest: '#default' }, { devices: HOST.devices }))?.status).toBe(428);
    // the loopback's address is no `#source`, as in ICN
    expect((await check({ name: 'n', target: 'SNAT', src_dip: '127.0.0.1', dest: '#source' }))?.status).toBe(428);
    expect(await check({ name: 'n', target: 'SNAT', src: '#default', src_dip: '192.168.100.5', dest: '#source' })).toBeUndefined();
  });
});

describe('NAT: the config written and read back', () => {
  it('keeps a DNAT as a redirect from the zone of its incoming device, the zone added with it', async () => {
    const dnat = { name: 'nat-sample', src: 'iface1', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'iface2', dest_ip: '10.0.0.9', proto: 'tcp', src_dport: '8080', dest_port: '80', target: 'DNAT' };
    const text = await put(BASE, dnat);
    expect(sectionsIn(text)).toEqual([
      ...sectionsIn(BASE),
      "config redirect\n\toption name 'nat-sample'\n\toption sdewan_kind 'nat'\n\toption target 'DNAT'\n\toption src 'sdewan_dev_iface1'\n\toption proto 'tcp'\n" +
        "\toption src_ip '192.168.1.2'\n\toption src_dip '1.2.3.4'\n\toption src_dport '8080'\n\toption dest_ip '10.0.0.9'\n\toption dest_port '80'\n" +
        "\toption sdewan_src 'iface1'\n\toption sdewan_dest 'iface2'\n\toption sdewan_proto 'tcp'",
      "config zone\n\toption name 'sdewan_dev_iface1'\n\tlist device 'iface1'\n\toption sdewan_kind 'device'",
    ]);
    const snap = snapOf(text);
    expect(nats.list(snap)).toEqual([dnat]);
    // the firewall collections see none of it
    for (const def of firewallResources) expect(def.list(snap).map((o) => o.name)).not.toContain('nat-sample');
    expect(firewallResources.find((d) => d.collection === 'zones')!.list(snap).map((z) => z.name)).toEqual(['wan']);
  });

  it('keeps the central controller SNAT (#source, index 1) as the first nat section, on the resolved device', async () => {
    const snat = { name: '10.20.0.0-dev1', dest_ip: '10.20.0.0', dest: '#source', src_dip: '192.168.100.5', index: '1', target: 'SNAT' };
    const text = await put(BASE, snat);
    const nat = "config nat\n\toption name '10.20.0.0-dev1'\n\toption sdewan_kind 'nat'\n\toption target 'SNAT'\n\toption device 'net1'\n\toption proto 'all'\n" +
      "\toption dest_ip '10.20.0.0'\n\toption snat_ip '192.168.100.5'\n\toption sdewan_dest '#source'\n\toption sdewan_index '1'";
    const base = sectionsIn(BASE);
    expect(sectionsIn(text)).toEqual([base[0], base[1], nat, base[2], base[3]]);
    expect(nats.list(snapOf(text))).toEqual([snat]);
    // index 0 appends
    const masq = { name: 'masq', src: '#default', src_dip: '1.1.1.1', src_dport: '99', proto: 'udp', src_port: '53', dest: '#default', index: '0', target: 'MASQUERADE' };
    const after = await put(text, masq);
    expect(sectionsIn(after).at(-1)).toBe(
      "config nat\n\toption name 'masq'\n\toption sdewan_kind 'nat'\n\toption target 'MASQUERADE'\n\toption device 'eth0'\n\toption proto 'udp'\n\toption src_port '53'\n" +
        "\toption sdewan_src_dip '1.1.1.1'\n\toption sdewan_src_dport '99'\n\toption sdewan_src '#default'\n\toption sdewan_dest '#default'\n\toption sdewan_proto 'udp'\n\toption sdewan_index '0'",
    );
    expect(nats.list(snapOf(after))).toEqual([snat, masq]);
  });

  it('moves a NAT between redirect and nat when its target changes, and drops the device zone with its last user', async () => {
    const one = await put(BASE, { name: 'a', target: 'DNAT', src: 'net1', dest_ip: '10.0.0.1' });
    const two = await put(one, { name: 'b', target: 'DNAT', src: 'net1', dest_ip: '10.0.0.2' });
    expect(two.match(/sdewan_dev_net1/g)).toHaveLength(3);
    const snatA = { name: 'a', target: 'SNAT', src_dip: '10.10.10.2', dest: 'eth0' };
    const three = await put(two, snatA);
    expect(nats.list(snapOf(three))).toEqual([{ name: 'b', target: 'DNAT', src: 'net1', dest_ip: '10.0.0.2' }, snatA]);
    expect(three).toContain("config zone\n\toption name 'sdewan_dev_net1'");
    const four = await afterDelete(nats, 'firewall', three, 'b', HOST);
    expect(four).not.toContain('sdewan_dev_net1');
    expect(nats.list(snapOf(four))).toEqual([snatA]);
    const five = await afterDelete(nats, 'firewall', four, 'a', HOST);
    expect(sectionsIn(five)).toEqual(sectionsIn(BASE));
  });

  it('replaces in place, changing only what differs, and an unchanged PUT writes nothing', async () => {
    const body = { name: 'p', target: 'DNAT', src: '#default', proto: 'tcp', src_dport: '2222', dest_ip: '10.0.0.5', dest_port: '22' };
    const text = await put(BASE, body);
    expect(await batchOver(nats, 'firewall', text, body, HOST)).toBe('');
    const changed = await put(text, { ...body, dest_port: '2022' });
    expect(nats.list(snapOf(changed))).toEqual([{ ...body, dest_port: '2022' }]);
  });

  it('orders by index among the sections of the type: n-th when n of them are there, else last; a PUT moves it', async () => {
    const snat = (name: string, index: string) => ({ name, target: 'SNAT', src_dip: '10.10.10.2', dest: 'eth0', index });
    const order = (text: string) => parsed('firewall', text).sections.filter((s) => s.type === 'nat').map((s) => s.options.get('name'));
    let text = await put(BASE, snat('a', '0'));
    text = await put(text, snat('b', '5'));
    expect(order(text)).toEqual(['hand-masq', 'a', 'b']);
    text = await put(text, snat('c', '2'));
    expect(order(text)).toEqual(['hand-masq', 'c', 'a', 'b']);
    text = await put(text, snat('b', '1'));
    expect(order(text)).toEqual(['b', 'hand-masq', 'c', 'a']);
    // already in place: nothing to do
    expect(await batchOver(nats, 'firewall', text, snat('b', '1'), HOST)).toBe('');
    expect(nats.list(snapOf(text)).map((n) => n.name)).toEqual(['b', 'c', 'a']);
  });
});
