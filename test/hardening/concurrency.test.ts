// Many writers at once: nothing lost, nothing mixed.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../helpers/agent.js';
import { FIREWALL, IPSEC, MWAN3, firewallRule, firewallZone, ipsecProposal, mwan3Rule, parseConfigDir } from './lib.js';

interface Write {
  collection: string;
  key: string;
  body: { name: string } & Record<string, unknown>;
}

/** 200 distinct objects over four collections of three packages. */
function distinctObjects(): Write[] {
  const out: Write[] = [];
  for (let i = 0; i < 200; i++) {
    switch (i % 4) {
      case 0:
        out.push({ collection: `${MWAN3}/rules`, key: 'rules', body: mwan3Rule(`mr${i}`, i) });
        break;
      case 1:
        out.push({ collection: `${FIREWALL}/rules`, key: 'rules', body: firewallRule(`fr-${i}`, i) });
        break;
      case 2:
        out.push({ collection: `${FIREWALL}/zones`, key: 'zones', body: firewallZone(`zone-${i}`) });
        break;
      default:
        out.push({ collection: `${IPSEC}/proposals`, key: 'proposals', body: ipsecProposal(`prop-${i}`) });
    }
  }
  return out;
}

describe('concurrent writes', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent();
    await agent.login();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('200 concurrent creates across mwan3, firewall and IPsec are all present afterwards', async () => {
    const writes = distinctObjects();
    const answers = await Promise.all(writes.map((w) => agent.request('POST', w.collection, w.body)));
    for (const [i, res] of answers.entries()) {
      expect(res.status, `${writes[i]!.body.name}: ${res.text}`).toBe(201);
      expect(res.json).toEqual(writes[i]!.body);
    }
    for (const collection of new Set(writes.map((w) => w.collection))) {
      const key = writes.find((w) => w.collection === collection)!.key;
      const listed = (await agent.request('GET', collection)).json[key] as { name: string }[];
      const expected = writes.filter((w) => w.collection === collection).map((w) => w.body);
      for (const obj of expected) expect(listed.filter((o) => o.name === obj.name)).toEqual([obj]);
    }
    // every file parses, and each anonymous firewall object exists once
    const pkgs = parseConfigDir(agent.confdir);
    const names = pkgs.get('firewall')!.sections.map((s) => s.options.get('name')).filter((n) => typeof n === 'string');
    expect(names.length).toBe(new Set(names).size);
  });

  it('100 concurrent PUTs of one named object leave exactly one of the sent versions', async () => {
    const versions = Array.from({ length: 100 }, (_, i) => ({
      name: 'contested',
      policy: i % 2 ? 'balanced' : 'wan_wanb',
      proto: i % 3 ? 'tcp' : 'udp',
      src_port: String(1000 + i),
      dest_port: String(2000 + i),
      timeout: String(1 + i),
      ...(i % 5 === 0 ? { sticky: '1' } : {}),
    }));
    const answers = await Promise.all(versions.map((v) => agent.request('PUT', `${MWAN3}/rules/contested`, v)));
    for (const res of answers) expect(res.status, res.text).toBe(200);
    const final = (await agent.request('GET', `${MWAN3}/rules/contested`)).json;
    expect(versions).toContainEqual(final);
    const section = parseConfigDir(agent.confdir).get('mwan3')!.sections.filter((s) => s.name === 'contested');
    expect(section).toHaveLength(1);
    const version = versions.find((v) => v.src_port === final.src_port)!;
    const { name: _name, policy, ...rest } = version;
    expect(Object.fromEntries(section[0]!.options)).toEqual({ use_policy: policy, ...rest });
  });

  it('serves a hand edit of a config file in the next GET of a list, between cached reads', async () => {
    const before = (await agent.request('GET', `${MWAN3}/rules`)).json.rules as { name: string }[];
    expect((await agent.request('GET', `${MWAN3}/rules`)).json.rules).toEqual(before);
    appendFileSync(path.join(agent.confdir, 'mwan3'), "\nconfig rule 'by_hand'\n\toption proto 'udp'\n");
    const after = (await agent.request('GET', `${MWAN3}/rules`)).json.rules as { name: string }[];
    expect(after).toEqual([...before, { name: 'by_hand', proto: 'udp' }]);
  });

  it('100 concurrent PUTs of one anonymous firewall zone leave one zone, one of the sent versions', async () => {
    const policies = ['ACCEPT', 'REJECT', 'DROP'];
    const versions = Array.from({ length: 100 }, (_, i) => ({
      name: 'contested-zone',
      network: i % 2 ? ['lan', 'wan'] : ['wanb'],
      input: policies[i % 3]!,
      output: policies[(i + 1) % 3]!,
      masq_src: [`10.${i}.0.0/16`, `172.16.${i}.0/24`],
      ...(i % 4 === 0 ? { mtu_fix: '1' } : {}),
    }));
    const answers = await Promise.all(versions.map((v) => agent.request('PUT', `${FIREWALL}/zones/contested-zone`, v)));
    for (const res of answers) expect(res.status, res.text).toBe(200);
    const final = (await agent.request('GET', `${FIREWALL}/zones/contested-zone`)).json;
    expect(versions).toContainEqual(final);
    const zones = parseConfigDir(agent.confdir)
      .get('firewall')!
      .sections.filter((s) => s.type === 'zone' && s.options.get('name') === 'contested-zone');
    expect(zones).toHaveLength(1);
  });
});
