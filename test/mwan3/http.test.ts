import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, makeTempDir, startAgent, waitFor } from '../helpers/agent.js';
import { SAMPLE_RULE } from '../helpers/samples.js';

const MWAN3 = '/cgi-bin/luci/sdewan/mwan3/v1';

/** The network config of a CNF whose two OVN networks carry Kubernetes-style names. */
const NETWORK = `
config interface 'loopback'
\toption device 'lo'
\toption proto 'static'
\toption ipaddr '127.0.0.1'
\toption netmask '255.0.0.0'

config interface 'ovn_net1'
\toption device 'net0'
\toption proto 'static'
\toption ipaddr '10.10.1.2'
\toption netmask '255.255.255.0'

config interface 'ovn_net2'
\toption device 'net1'
\toption proto 'static'
\toption ipaddr '10.10.2.2'
\toption netmask '255.255.255.0'
`;

/** `uci show mwan3` lines of the given sections, through the project's uci command line. */
function show(agent: Agent, ...sections: string[]): string[] {
  const out = execFileSync('bin/sdewan-uci', ['-c', agent.confdir, 'show', 'mwan3'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => sections.some((s) => line.startsWith(`mwan3.${s}=`) || line.startsWith(`mwan3.${s}.`)));
}

const sampleRule = SAMPLE_RULE;

describe('mwan3 over HTTP', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent({ config: { network: NETWORK }, env: { SDEWAN_RELOAD_DELAY_MS: '300' } });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('keeps the sample rule file of the repository in step with the ICN sample', () => {
    const yaml = readFileSync('test/reference/icn-samples/mwan3rule.yaml', 'utf8');
    for (const [k, v] of Object.entries(sampleRule)) if (k !== 'name') expect(yaml).toMatch(new RegExp(`\\n  ${k}: "?${v.replace(/\./g, '\\.')}"?\\n`));
  });

  it('creates interfaces with Kubernetes names, stored under mapped section names', async () => {
    for (const name of ['ovn-net1', 'ovn-net2']) {
      const res = await agent.request('POST', `${MWAN3}/interfaces`, { name, enabled: '1', track_ip: ['8.8.8.8', '1.1.1.1'], reliability: '1', family: '' });
      expect(res.status).toBe(201);
      expect(res.json).toEqual({ name, enabled: '1', track_ip: ['8.8.8.8', '1.1.1.1'], reliability: '1' });
    }
    expect(show(agent, 'ovn_net1')).toEqual([
      'mwan3.ovn_net1=interface',
      "mwan3.ovn_net1.enabled='1'",
      "mwan3.ovn_net1.track_ip='8.8.8.8' '1.1.1.1'",
      "mwan3.ovn_net1.reliability='1'",
      "mwan3.ovn_net1.api_name='ovn-net1'",
    ]);
    // a name that maps onto the same section is a conflict, not an overwrite
    const clash = await agent.request('POST', `${MWAN3}/interfaces`, { name: 'ovn.net1' });
    expect(clash.status).toBe(409);
    expect((await agent.request('GET', `${MWAN3}/interfaces/ovn-net1`)).json.name).toBe('ovn-net1');
  });

  it('runs the controller flow for a policy: create, read back, 409, PUT replaces members', async () => {
    const policy = {
      name: 'balance1',
      members: [
        { interface: 'ovn-net1', metric: '2', weight: '2' },
        { interface: 'ovn-net2', metric: '3', weight: '3' },
      ],
    };
    const created = await agent.request('POST', `${MWAN3}/policies`, policy);
    expect(created.status).toBe(201);
    expect(created.json).toEqual(policy);
    expect((await agent.request('GET', `${MWAN3}/policies/balance1`)).json).toEqual(policy);
    expect((await agent.request('GET', `${MWAN3}/policies`)).json.policies).toContainEqual(policy);
    expect(show(agent, 'balance1', 'balance1_ovn_net1', 'balance1_ovn_net2')).toEqual([
      'mwan3.balance1_ovn_net1=member',
      "mwan3.balance1_ovn_net1.interface='ovn_net1'",
      "mwan3.balance1_ovn_net1.metric='2'",
      "mwan3.balance1_ovn_net1.weight='2'",
      'mwan3.balance1_ovn_net2=member',
      "mwan3.balance1_ovn_net2.interface='ovn_net2'",
      "mwan3.balance1_ovn_net2.metric='3'",
      "mwan3.balance1_ovn_net2.weight='3'",
      'mwan3.balance1=policy',
      "mwan3.balance1.use_member='balance1_ovn_net1' 'balance1_ovn_net2'",
    ]);

    const again = await agent.request('POST', `${MWAN3}/policies`, policy);
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ message: 'Conflict' });

    const replaced = { name: 'balance1', members: [{ interface: 'ovn-net2', metric: '1', weight: '5' }] };
    const renamed = await agent.request('PUT', `${MWAN3}/policies/balance1`, { ...replaced, name: 'other-than-the-url' });
    expect(renamed.status).toBe(400);
    expect(renamed.json.message).toMatch(/^Field\[name\] checked failed: /);
    const put = await agent.request('PUT', `${MWAN3}/policies/balance1`, replaced);
    expect(put.status).toBe(200);
    expect(put.json).toEqual(replaced);
    expect(show(agent, 'balance1', 'balance1_ovn_net1', 'balance1_ovn_net2')).toEqual([
      'mwan3.balance1_ovn_net2=member',
      "mwan3.balance1_ovn_net2.interface='ovn_net2'",
      "mwan3.balance1_ovn_net2.metric='1'",
      "mwan3.balance1_ovn_net2.weight='5'",
      'mwan3.balance1=policy',
      "mwan3.balance1.use_member='balance1_ovn_net2'",
    ]);
    const restored = await agent.request('PUT', `${MWAN3}/policies/balance1`, policy);
    expect(restored.json).toEqual(policy);
  });

  it('creates the ICN sample rule with every other field "" and reads it back deep-equal', async () => {
    const body = { ...sampleRule, ipset: '', logging: '' };
    const res = await agent.request('POST', `${MWAN3}/rules`, body);
    expect(res.status).toBe(201);
    expect(res.json).toEqual(sampleRule);
    expect((await agent.request('GET', `${MWAN3}/rules/sample`)).json).toEqual(sampleRule);
    expect(show(agent, 'sample')).toEqual([
      'mwan3.sample=rule',
      "mwan3.sample.use_policy='balance1'",
      "mwan3.sample.src_ip='10.10.10.10'",
      "mwan3.sample.src_port='22'",
      "mwan3.sample.dest_ip='10.10.10.1'",
      "mwan3.sample.dest_port='1000'",
      "mwan3.sample.proto='udp'",
      "mwan3.sample.family='ipv4'",
      "mwan3.sample.sticky='1'",
      "mwan3.sample.timeout='200'",
    ]);
  });

  it('refuses to delete a policy while a rule uses it, then allows it', async () => {
    const refused = await agent.request('DELETE', `${MWAN3}/policies/balance1`);
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/sample/);
    expect((await agent.request('DELETE', `${MWAN3}/rules/sample`)).json).toEqual({ message: 'success' });
    const deleted = await agent.request('DELETE', `${MWAN3}/policies/balance1`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ message: 'success' });
    expect(show(agent, 'balance1', 'balance1_ovn_net1', 'balance1_ovn_net2', 'sample')).toEqual([]);
    expect((await agent.request('GET', `${MWAN3}/policies/balance1`)).status).toBe(404);
    expect((await agent.request('DELETE', `${MWAN3}/policies/balance1`)).status).toBe(404);
  });

  it('answers a dry run with the batch and changes nothing', async () => {
    const before = agent.readFile('mwan3');
    const res = await agent.request('POST', `${MWAN3}/rules?dry_run=1`, { name: 'dry', dest_port: '443', proto: 'tcp' });
    expect(res.status).toBe(200);
    expect(res.json.batch).toBe("set mwan3.dry=rule\nset mwan3.dry.dest_port='443'\nset mwan3.dry.proto='tcp'\n");
    expect(agent.readFile('mwan3')).toBe(before);
  });

  it("lists a rule's policy by the policy's API name, in the list and read back", async () => {
    const policy = { name: 'bal-2', members: [{ interface: 'ovn-net1', metric: '1', weight: '1' }] };
    expect((await agent.request('POST', `${MWAN3}/policies`, policy)).status).toBe(201);
    const res = await agent.request('POST', `${MWAN3}/rules`, { name: 'via_bal2', policy: 'bal-2', proto: 'tcp' });
    expect(res.json).toEqual({ name: 'via_bal2', policy: 'bal-2', proto: 'tcp' });
    expect(show(agent, 'via_bal2')).toContain("mwan3.via_bal2.use_policy='bal_2'");
    const listed = (await agent.request('GET', `${MWAN3}/rules`)).json.rules.find((r: { name: string }) => r.name === 'via_bal2');
    expect(listed).toEqual({ name: 'via_bal2', policy: 'bal-2', proto: 'tcp' });
    expect((await agent.request('DELETE', `${MWAN3}/rules/via_bal2`)).status).toBe(200);
    expect((await agent.request('DELETE', `${MWAN3}/policies/bal-2`)).status).toBe(200);
  });

  it('answers the contract status codes for paths and methods', async () => {
    expect((await agent.request('PATCH', `${MWAN3}/policies`)).status).toBe(405);
    expect((await agent.request('OPTIONS', `${MWAN3}/policies/x`)).status).toBe(405);
    // an object takes PATCH, as a merge patch only
    expect((await agent.request('PATCH', `${MWAN3}/policies/x`)).status).toBe(415);
    const deep = await agent.request('GET', `${MWAN3}/policies/a/b`);
    expect(deep.status).toBe(400);
    expect(deep.json).toEqual({ message: 'Bad request URI' });
    expect((await agent.request('GET', MWAN3)).json).toEqual({ message: 'Bad request URI' });
    expect((await agent.request('PUT', `${MWAN3}/policies`, { name: 'x' })).status).toBe(400);
    expect((await agent.request('POST', `${MWAN3}/policies/`, { name: 'trail', members: [{ interface: 'ovn-net1', metric: '1', weight: '1' }] })).status).toBe(201);
    expect((await agent.request('DELETE', `${MWAN3}/policies/trail`)).status).toBe(200);
  });

  describe('validation: a 4xx naming the field, the mwan3 file byte-identical', () => {
    const goodMember = { interface: 'ovn-net1', metric: '1', weight: '1' };
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['policy metric 0', 'policies', { name: 'p', members: [{ ...goodMember, metric: '0' }] }, /members\.0\.metric/],
      ['policy metric not a number', 'policies', { name: 'p', members: [{ ...goodMember, metric: 'x' }] }, /metric/],
      ['policy weight negative', 'policies', { name: 'p', members: [{ ...goodMember, weight: '-1' }] }, /members\.0\.weight/],
      ['policy unknown interface', 'policies', { name: 'p', members: [{ ...goodMember, interface: 'nope' }] }, /members\.0\.interface/],
      ['policy interface twice', 'policies', { name: 'p', members: [goodMember, goodMember] }, /members/],
      ['policy name too long for mwan3', 'policies', { name: 'a-very-long-policy', members: [goodMember] }, /name.*15/],
      ['policy name with a quote', 'policies', { name: "p'x", members: [goodMember] }, /name/],
      ['policy members not a list', 'policies', { name: 'p', members: 'ovn-net1' }, /members/],
      ['policy without a name', 'policies', { members: [goodMember] }, /name/],
      ['rule unknown policy', 'rules', { name: 'r', policy: 'nope' }, /policy/],
      ['rule proto', 'rules', { name: 'r', proto: 'gre' }, /proto/],
      ['rule family', 'rules', { name: 'r', family: 'ipv5' }, /family/],
      ['rule sticky', 'rules', { name: 'r', sticky: '2' }, /sticky/],
      ['rule timeout', 'rules', { name: 'r', timeout: '0' }, /timeout/],
      ['rule src_port', 'rules', { name: 'r', proto: 'tcp', src_port: '70000' }, /src_port/],
      ['rule dest_port', 'rules', { name: 'r', proto: 'tcp', dest_port: 'http' }, /dest_port/],
      ['rule src_ip', 'rules', { name: 'r', src_ip: '10.0.0.300' }, /src_ip/],
      ['rule dest_ip', 'rules', { name: 'r', dest_ip: '10.0.0.0/33' }, /dest_ip/],
      ['rule IPv6 with family ipv4', 'rules', { name: 'r', family: 'ipv4', dest_ip: '2001:db8::/32' }, /dest_ip/],
      ['rule name too long', 'rules', { name: 'rule-name-too-long', proto: 'tcp' }, /name.*15/],
      ['rule injection in a name', 'rules', { name: "r\nset mwan3.x=rule" }, /name/],
      ['rule control character in a value', 'rules', { name: 'r', ipset: 'a\u0001b' }, /Field\[ipset\].*control characters/],
      ['policy control character in a member', 'policies', { name: 'p', members: [{ ...goodMember, weight: '1\u0000' }] }, /Field\[members\.0\.weight\]/],
      ['interface without network', 'interfaces', { name: 'ghost' }, /name/],
      ['interface enabled', 'interfaces', { name: 'ovn-net1', enabled: 'yes' }, /enabled/],
      ['interface track_ip not a list', 'interfaces', { name: 'ovn-net1', track_ip: '8.8.8.8' }, /track_ip/],
      ['member metric', 'members', { name: 'm1', interface: 'ovn-net1', metric: '0' }, /metric/],
      ['member interface', 'members', { name: 'm1', interface: 'nope' }, /interface/],
    ];
    it.each(cases)('%s', async (_title, collection, body, field) => {
      const before = agent.readFile('mwan3');
      const res = await agent.request('POST', `${MWAN3}/${collection}`, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.json.message).toMatch(field);
      expect(agent.readFile('mwan3')).toBe(before);
    });
  });

  it('keeps values that would be UCI syntax as plain data', async () => {
    const res = await agent.request('POST', `${MWAN3}/rules`, { name: 'inj', ipset: "x'\ncommit" });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/ipset/);
  });

  it('shows a hand edit at the next GET', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${agent.confdir}/mwan3`, `${agent.readFile('mwan3')}\nconfig rule 'by_hand'\n\toption proto 'icmp'\n`);
    expect((await agent.request('GET', `${MWAN3}/rules/by_hand`)).json).toEqual({ name: 'by_hand', proto: 'icmp' });
  });

  it('names the file and line of a config file broken by hand, and serves the other packages', async () => {
    const { writeFileSync } = await import('node:fs');
    const firewall = agent.readFile('firewall');
    writeFileSync(`${agent.confdir}/firewall`, `${firewall}\nconfig zone\n\toption name 'unterminated\n`);
    try {
      const broken = await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/zones');
      expect(broken.status).toBe(500);
      expect(broken.json.message).toMatch(/firewall:\d+/);
      expect((await agent.request('GET', `${MWAN3}/rules`)).status).toBe(200);
    } finally {
      writeFileSync(`${agent.confdir}/firewall`, firewall);
    }
    expect((await agent.request('GET', '/cgi-bin/luci/sdewan/firewall/v1/zones')).status).toBe(200);
  });

  it('coalesces reloads: 20 concurrent creates during a reload, all present, one more reload', async () => {
    // Its own agent, whose mwan3 script holds each reload until a gate opens: the creates are
    // sent while a reload runs, whatever the machine's speed, and all join the one queued next.
    const initd = makeTempDir('sdewan-coalesce-initd-');
    const calls = path.join(initd, 'calls.log');
    const gate = path.join(initd, 'gate');
    for (const name of ['mwan3', 'firewall', 'swanctl', 'network']) {
      writeFileSync(path.join(initd, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\nexit 0\n`, { mode: 0o755 });
    }
    const mwan3Calls = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter((l) => l.startsWith('mwan3')).length : 0);
    const own = await startAgent({ config: { network: NETWORK }, initd, env: { SDEWAN_RELOAD_DELAY_MS: '0' } });
    try {
      expect((await own.request('POST', `${MWAN3}/rules`, { name: 'first', proto: 'tcp', dest_port: '999' })).status).toBe(201);
      await waitFor(() => mwan3Calls() === 1, { what: 'the first reload to run' });
      const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
      const results = await Promise.all(names.map((name) => own.request('POST', `${MWAN3}/rules`, { name, proto: 'tcp', dest_port: String(1000 + Number(name.slice(1))) })));
      expect(results.map((r) => r.status)).toEqual(names.map(() => 201));
      const rules = (await own.request('GET', `${MWAN3}/rules`)).json.rules.map((r: { name: string }) => r.name);
      for (const name of names) expect(rules).toContain(name);
      expect(mwan3Calls()).toBe(1);
      writeFileSync(gate, '');
      // a reload waits for the end of the minimum interval after the previous one (5 s)
      await waitFor(() => mwan3Calls() === 2, { timeoutMs: 15_000, what: 'the coalesced reload' });
    } finally {
      writeFileSync(gate, '');
      // stopping runs whatever reload is still pending: none may be
      await own.stop();
    }
    expect(mwan3Calls()).toBe(2);
    rmSync(initd, { recursive: true, force: true });
  });
});
