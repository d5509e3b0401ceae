// The NAT collection over HTTP, the agent running in a network namespace with ICN's sample
// devices (iface1, iface2; the default route on iface2), a recording init.d for the reloads.
// Needs root and a build (`npx tsc -p .`).
import { beforeAll, describe, expect, it } from 'vitest';
import { type Agent, waitFor } from '../helpers/agent.js';
import { firewallAgentInNetns } from '../helpers/firewall-agent.js';
import { subnetOf } from '../helpers/netns.js';

const NAT = '/cgi-bin/luci/sdewan/nat/v1/nats';
const GO_EMPTY = { name: '', src: '', src_ip: '', src_dip: '', src_port: '', src_dport: '', proto: '', dest: '', dest_ip: '', dest_port: '', target: '', index: '' };
const go = (obj: Record<string, string>) => ({ ...GO_EMPTY, ...obj });

/** ICN's CNFNAT sample (config/samples/batch_v1alpha1_cnfnat.yaml) as the controller converts it. */
const SAMPLE = { name: 'nat-sample', src: 'iface1', src_ip: '192.168.1.2', src_dip: '1.2.3.4', dest: 'iface2', proto: 'tcp', target: 'DNAT' };

const S1 = subnetOf(1);
const S2 = subnetOf(2);

const box = firewallAgentInNetns('nat', [
  { name: 'iface1', address: `${S1}.2/24` },
  { name: 'iface2', address: `${S2}.2/24` },
], 'iface2');
const { file, reloads, expectRefused } = box;
let agent: Agent;
beforeAll(() => {
  agent = box.agent;
});

describe('NAT over HTTP', () => {
  it('refuses ICN’s sample as ICN does (a DNAT needs dest_ip or dest_port), and accepts it with a destination', async () => {
    await expectRefused('POST', NAT, go(SAMPLE), 400, 'Field[dest_ip] checked failed: dest_ip or dest_port are required for DNAT');
    const sample = { ...SAMPLE, dest_ip: `${S2}.20` };
    const created = await agent.request('POST', NAT, go(sample));
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual(sample);
    expect((await agent.request('GET', `${NAT}/nat-sample`)).json).toEqual(sample);
    expect((await agent.request('GET', NAT)).json).toEqual({ nats: [sample] });
    expect(file()).toContain("config redirect\n\toption name 'nat-sample'\n\toption sdewan_kind 'nat'\n\toption target 'DNAT'\n\toption src 'sdewan_dev_iface1'\n");
    expect(file()).toContain("config zone\n\toption name 'sdewan_dev_iface1'\n\tlist device 'iface1'\n\toption sdewan_kind 'device'\n");
    await waitFor(() => reloads() >= 1, { what: 'a firewall reload' });
    // the firewall collections do not see it
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/redirects')).json).toEqual({ redirects: [] });
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/zones')).json.zones.map((z: { name: string }) => z.name)).toEqual(['lan', 'wan']);
  });

  it('keeps the central controller’s SNATs: #source resolved to the device holding src_dip, index 1 first', async () => {
    const edge = { name: '10.20.0.0-edge1', dest_ip: '10.20.0.0', dest: '#source', src_dip: `${S1}.2`, index: '1', target: 'SNAT' };
    const delegated = { name: 'default4hub1', src_dip: `${S2}.2`, dest: '#source', index: '0', target: 'SNAT' };
    for (const nat of [delegated, edge]) {
      const res = await agent.request('POST', NAT, go(nat));
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual(nat);
    }
    const text = file();
    expect(text.indexOf("option name '10.20.0.0-edge1'")).toBeLessThan(text.indexOf("option name 'default4hub1'"));
    expect(text).toContain(`\toption device 'iface1'\n\toption proto 'all'\n\toption dest_ip '10.20.0.0'\n\toption snat_ip '${S1}.2'\n\toption sdewan_dest '#source'\n\toption sdewan_index '1'\n`);
    expect(text).toContain(`\toption device 'iface2'\n\toption proto 'all'\n\toption snat_ip '${S2}.2'\n`);
    expect((await agent.request('GET', NAT)).json.nats.map((n: { name: string }) => n.name)).toEqual(['nat-sample', '10.20.0.0-edge1', 'default4hub1']);
  });

  it('answers 428 for a device the box lacks, 409, 404, 400 for a bad URI, 405, leaving the file as it was', async () => {
    await expectRefused('POST', NAT, go({ name: 'n', target: 'MASQUERADE', dest: 'eth9' }), 428, 'Field[dest] checked failed: device "eth9" does not exist');
    await expectRefused('POST', NAT, go({ name: 'n', target: 'DNAT', src: 'iface1', dest: 'iface9', dest_port: '80', proto: 'tcp' }), 428, 'Field[dest]');
    await expectRefused('POST', NAT, go({ name: 'n', target: 'SNAT', dest: '#source', src_dip: '10.9.9.9' }), 428, 'no device holds src_dip 10.9.9.9');
    await expectRefused('POST', NAT, go({ name: 'n', target: 'DNAT', src: 'iface1', dest_ip: '1.2.3' }), 400, 'Field[dest_ip] checked failed');
    await expectRefused('POST', NAT, go({ ...SAMPLE, dest_port: '80' }), 409, 'Conflict');
    await expectRefused('DELETE', `${NAT}/missing`, undefined, 404, '');
    expect((await agent.request('GET', `${NAT}/missing`)).status).toBe(404);
    await expectRefused('PUT', NAT, go(SAMPLE), 400, 'Bad request URI');
    expect((await agent.request('OPTIONS', `${NAT}/nat-sample`)).status).toBe(405);
    // PATCH takes merge patches only (application/merge-patch+json)
    expect((await agent.request('PATCH', `${NAT}/nat-sample`, {})).status).toBe(415);
  });

  it('answers a dry run with the batch and changes nothing', async () => {
    const before = file();
    const res = await agent.request('POST', `${NAT}?dry_run=1`, go({ name: 'masq', target: 'MASQUERADE', dest: '#default', src_ip: '10.0.0.0/8' }));
    expect(res.status).toBe(200);
    expect(res.json.dry_run).toBe(true);
    expect(res.json.batch).toContain("set firewall.@nat[-1].device='iface2'");
    expect(file()).toBe(before);
  });

  it('replaces by PUT, moving a DNAT to a MASQUERADE, and deletes, the device zone going with its last user', async () => {
    const reloadsBefore = reloads();
    const masq = { name: 'nat-sample', target: 'MASQUERADE', dest: '#default', src_ip: '192.168.1.0/24' };
    const res = await agent.request('PUT', `${NAT}/nat-sample`, go(masq));
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual(masq);
    expect(file()).not.toContain('config redirect');
    expect(file()).not.toContain('sdewan_dev_iface1');
    await waitFor(() => reloads() > reloadsBefore, { what: 'a firewall reload' });
    for (const name of ['nat-sample', '10.20.0.0-edge1', 'default4hub1']) {
      const del = await agent.request('DELETE', `${NAT}/${name}`);
      expect(del.status).toBe(200);
      expect(del.json).toEqual({ message: 'success' });
    }
    expect(file()).not.toContain('sdewan');
    expect((await agent.request('GET', NAT)).json).toEqual({ nats: [] });
  });
});
