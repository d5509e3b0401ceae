// A controller's view of the agent: only the typed client (sdewan-agent-client) talks to a
// real agent process. For every resource kind: create, read back and compare (deep equality,
// as the SDEWAN CRD controller does), update, delete, and the service reload and restart
// recorded by the fake init scripts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collection, ClientError, createClient, type IpsecRemote, type SdewanClient, type ServiceName } from '../../packages/client/src/index.js';
import { type Agent, repoRoot, startAgent, waitFor } from '../helpers/agent.js';
import { SAMPLE_RULE } from '../helpers/samples.js';

/** The init script and the argument of an automatic reload, per service (src/services/table.ts). */
const SCRIPTS: Record<ServiceName, { script: string; reload: string }> = {
  mwan3: { script: 'mwan3', reload: 'restart' },
  firewall: { script: 'firewall', reload: 'reload' },
  ipsec: { script: 'swanctl', reload: 'reload' },
  network: { script: 'network', reload: 'reload' },
};

/** The fixture network config plus an interface `wanc` for a new mwan3 interface. */
const network = `${readFileSync(path.join(repoRoot(), 'uci-fixtures', 'network'), 'utf8')}
config interface 'wanc'
\toption device 'eth3'
\toption proto 'dhcp'
`;

let agent: Agent;
let client: SdewanClient;

beforeAll(async () => {
  agent = await startAgent({ config: { network } });
  client = createClient({ url: `${agent.url}/cgi-bin/luci/`, password: agent.password });
});

afterAll(async () => {
  await client?.close();
  await agent?.stop();
});

const expectStatus = async (p: Promise<unknown>, status: number) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  expect((err as ClientError).status).toBe(status);
  return err as ClientError;
};

const countOf = (line: string) => agent.callsLog().filter((l) => l === line).length;

/**
 * The controller's lifecycle of one object: create (201, read back equal), read, list,
 * conflict on a second create, update (PUT, read back equal), delete, then gone; the service's
 * automatic reload after the writes and an explicit restart are recorded.
 */
async function lifecycle<T extends { name: string }>(
  collection: Collection<T>,
  service: ServiceName,
  created: T,
  updated: Omit<T, 'name'>,
): Promise<void> {
  const { script, reload } = SCRIPTS[service];
  const reloadsBefore = countOf(`${script} ${reload}`);

  expect(await collection.create(created)).toEqual(created);
  expect(await collection.get(created.name)).toEqual(created);
  expect((await collection.list()).filter((o) => o.name === created.name)).toEqual([created]);
  const conflict = await expectStatus(collection.create(created), 409);
  expect(conflict.message).toMatch(/Conflict/);

  const next = { ...updated, name: created.name } as T;
  expect(next).not.toEqual(created);
  expect(await collection.update(created.name, updated)).toEqual(next);
  expect(await collection.get(created.name)).toEqual(next);

  await collection.delete(created.name);
  expect(await collection.find(created.name)).toBeUndefined();
  await expectStatus(collection.get(created.name), 404);
  await expectStatus(collection.delete(created.name), 404);

  await waitFor(() => countOf(`${script} ${reload}`) > reloadsBefore, { what: `${script} ${reload} after the writes` });
  // mwan3's automatic reload runs `mwan3 restart` too: the agent's log tells the explicit one apart.
  const restartsBefore = countOf(`${script} restart`);
  const explicitBefore = explicitRestarts(service);
  await client.services.restart(service);
  expect(countOf(`${script} restart`)).toBeGreaterThanOrEqual(restartsBefore + 1);
  await waitFor(() => explicitRestarts(service) === explicitBefore + 1, { what: `the explicit ${service} restart in the agent log` });
}

const explicitRestarts = (service: ServiceName) =>
  agent.logRecords().filter((r) => r['msg'] === 'service action' && r['service'] === service && r['trigger'] === 'explicit' && r['action'] === 'restart').length;

describe('controller lifecycle through the typed client', () => {
  it('mwan3 interfaces', async () => {
    await lifecycle(
      client.mwan3.interfaces,
      'mwan3',
      { name: 'wanc', enabled: '1', family: 'ipv4', track_ip: ['9.9.9.9', '1.1.1.1'], reliability: '1' },
      { enabled: '0', family: 'ipv4', track_ip: ['1.1.1.1'], reliability: '1', count: '3' },
    );
  });

  it('mwan3 members', async () => {
    await lifecycle(client.mwan3.members, 'mwan3', { name: 'wan-m5', interface: 'wan', metric: '5', weight: '1' }, { interface: 'wanb', metric: '6', weight: '2' });
  });

  it('mwan3 policies and rules (the ICN samples)', async () => {
    const policy = {
      name: 'balance1',
      members: [
        { interface: 'wan', metric: '2', weight: '2' },
        { interface: 'wanb', metric: '3', weight: '3' },
      ],
    };
    await lifecycle(client.mwan3.policies, 'mwan3', policy, { members: [{ interface: 'wanb', metric: '1', weight: '5' }] });

    expect(await client.mwan3.policies.create(policy)).toEqual(policy);
    await lifecycle(
      client.mwan3.rules,
      'mwan3',
      SAMPLE_RULE,
      { policy: 'balance1', dest_ip: '10.10.20.0/24', proto: 'tcp', dest_port: '443', family: 'ipv4', sticky: '0' },
    );
    // A rule that names a policy keeps the policy from being deleted.
    await client.mwan3.rules.create({ name: 'pinned', policy: 'balance1', proto: 'all' });
    const used = await expectStatus(client.mwan3.policies.delete('balance1'), 400);
    expect(used.message).toContain('pinned');
    await client.mwan3.rules.delete('pinned');
    await client.mwan3.policies.delete('balance1');
  });

  it('mwan3 refuses what mwan3 would ignore, naming the field', async () => {
    const err = await expectStatus(client.mwan3.members.create({ name: 'bad-metric', interface: 'wan', metric: '0' }), 400);
    expect(err.message).toMatch(/metric/);
    const long = await expectStatus(client.mwan3.policies.create({ name: 'a-very-long-policy-name' }), 400);
    expect(long.message).toMatch(/15/);
  });

  it('firewall zones, rules, forwardings, redirects', async () => {
    await lifecycle(
      client.firewall.zones,
      'firewall',
      { name: 'firewallzone-sample', network: ['lan'], input: 'ACCEPT', output: 'ACCEPT' },
      { network: ['lan', 'wanb'], input: 'REJECT', output: 'ACCEPT', forward: 'DROP', masq: '1', mtu_fix: '1' },
    );

    const zone = { name: 'firewallzone-sample', network: ['lan'], input: 'ACCEPT' as const, output: 'ACCEPT' as const };
    const zone2 = { name: 'firewallzone-sample2', network: ['wanb'], input: 'REJECT' as const, forward: 'REJECT' as const };
    expect(await client.firewall.zones.create(zone)).toEqual(zone);
    expect(await client.firewall.zones.create(zone2)).toEqual(zone2);

    await lifecycle(
      client.firewall.rules,
      'firewall',
      { name: 'firewallrule-sample', src: 'firewallzone-sample', src_ip: '192.168.2.2', src_port: '80', proto: 'tcp', target: 'REJECT' },
      { src: 'firewallzone-sample', dest: 'firewallzone-sample2', proto: 'udp', dest_port: '53', target: 'ACCEPT', family: 'ipv4' },
    );
    await lifecycle(
      client.firewall.forwardings,
      'firewall',
      { name: 'firewallforwarding-sample', src: 'firewallzone-sample2', dest: 'firewallzone-sample' },
      { src: 'firewallzone-sample', dest: 'firewallzone-sample2', family: 'ipv4' },
    );
    await lifecycle(
      client.firewall.redirects,
      'firewall',
      { name: 'firewalldnat-sample', src: 'firewallzone-sample', src_dport: '8080', dest: 'firewallzone-sample2', dest_ip: '192.168.1.2', dest_port: '80', proto: 'tcp', target: 'DNAT' },
      { src: 'firewallzone-sample', src_ip: '192.168.1.2', src_dip: '1.2.3.5', dest: 'firewallzone-sample2', proto: 'icmp', target: 'SNAT' },
    );

    // A zone still named by a forwarding cannot be deleted.
    await client.firewall.forwardings.create({ name: 'keep', src: 'firewallzone-sample2', dest: 'firewallzone-sample' });
    await expectStatus(client.firewall.zones.delete('firewallzone-sample'), 400);
    await client.firewall.forwardings.delete('keep');
    await client.firewall.zones.delete('firewallzone-sample');
    await client.firewall.zones.delete('firewallzone-sample2');
  });

  it('IPsec proposals, remotes and the sites alias (the ICN samples)', async () => {
    await lifecycle(
      client.ipsec.proposals,
      'ipsec',
      { name: 'proposal-a', encryption_algorithm: 'aes128', hash_algorithm: 'sha256', dh_group: 'modp3072' },
      { encryption_algorithm: 'aes256', hash_algorithm: 'sha512', dh_group: 'modp4096' },
    );

    // A remote naming an unknown proposal: 428.
    const orphan = { name: 'orphan', type: 'VTI-based', gateway: '10.10.10.40', authentication_method: 'psk' as const, pre_shared_key: 'k', crypto_proposal: ['missing'] };
    await expectStatus(client.ipsec.remotes.create(orphan), 428);

    const proposal = { name: 'ipsecproposal', encryption_algorithm: 'aes256', hash_algorithm: 'sha1', dh_group: 'modp4096' };
    expect(await client.ipsec.proposals.create(proposal)).toEqual(proposal);
    const host: IpsecRemote = {
      name: 'hostA',
      type: 'VTI-based',
      gateway: '10.10.10.35',
      pre_shared_key: 'test_key',
      authentication_method: 'psk' as const,
      local_identifier: 'host',
      remote_identifier: 'Hub',
      crypto_proposal: ['ipsecproposal'],
      force_crypto_proposal: '0',
      connections: [
        {
          name: 'connA',
          conn_type: 'tunnel' as const,
          mode: 'start' as const,
          mark: '42',
          local_sourceip: '%config',
          remote_subnet: '192.168.1.1/24,10.10.10.35/32',
          crypto_proposal: ['ipsecproposal'],
        },
      ],
    };
    const { name: _h, ...hostUpdated } = { ...host, gateway: '10.10.10.36', connections: [{ ...host.connections![0]!, mode: 'add' as const }] };
    await lifecycle(client.ipsec.remotes, 'ipsec', host, hostUpdated);

    const site: IpsecRemote = {
      name: 'siteA',
      type: 'VTI-based',
      gateway: '%any',
      pre_shared_key: 'test_key',
      authentication_method: 'psk' as const,
      remote_identifier: 'host',
      local_identifier: 'Hub',
      crypto_proposal: ['ipsecproposal'],
      force_crypto_proposal: '0',
      connections: [
        {
          name: 'connB',
          conn_type: 'tunnel' as const,
          mode: 'start' as const,
          mark: '42',
          remote_sourceip: '192.168.1.5-192.168.1.6',
          local_subnet: '192.168.1.1/24,10.10.10.35/32',
          crypto_proposal: ['ipsecproposal'],
        },
      ],
    };
    const { name: _n, ...siteUpdated } = { ...site, remote_identifier: 'host2' };
    await lifecycle(client.ipsec.sites, 'ipsec', site, siteUpdated);

    // A proposal still listed by a remote cannot be deleted.
    await client.ipsec.sites.create(site);
    expect(await client.ipsec.remotes.get('siteA')).toEqual(site);
    await expectStatus(client.ipsec.proposals.delete('ipsecproposal'), 400);
    await client.ipsec.remotes.delete('siteA');
    await client.ipsec.proposals.delete('ipsecproposal');
  });

  it('dry runs answer the batch and change nothing', async () => {
    const before = agent.readFile('mwan3');
    const plan = await client.mwan3.members.dryRun.create({ name: 'planned', interface: 'wan', metric: '1' });
    expect(plan.dry_run).toBe(true);
    expect(plan.batch).toContain('planned');
    expect(agent.readFile('mwan3')).toBe(before);
    expect(await client.mwan3.members.find('planned')).toBeUndefined();
  });

  it('services, status and interface status', async () => {
    expect(await client.services.list()).toEqual(['mwan3', 'firewall', 'ipsec', 'network']);
    for (const service of ['mwan3', 'firewall', 'ipsec', 'network'] as const) {
      const { script } = SCRIPTS[service];
      const stops = countOf(`${script} stop`);
      await client.services.stop(service);
      expect(countOf(`${script} stop`)).toBe(stops + 1);
    }
    await expectStatus(client.services.run('mwan3', 'explode' as 'start'), 400);

    const all = await client.status.all();
    expect(all.map((m) => m.name)).toEqual(expect.arrayContaining(['wan', 'ipsec']));
    const services = await client.status.get('services');
    expect(services.firewall).toMatchObject({ action: 'stop', trigger: 'explicit', ok: true });

    const ifaces = await client.status.interfaces();
    expect(Object.keys(ifaces.interfaces)).toEqual(expect.arrayContaining(['wan', 'wanb']));
    expect(ifaces.connected).toEqual({ ipv4: expect.any(Array), ipv6: expect.any(Array) });
  });
});
