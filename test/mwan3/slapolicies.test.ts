// SLA policies: body -> UCI text -> listed back, with the quality tracking written on the
// member interfaces and taken back (src/resources/mwan3/sla-tracking.ts).
import { describe, expect, it } from 'vitest';
import { interfaces } from '../../src/resources/mwan3/interfaces.js';
import { members } from '../../src/resources/mwan3/members.js';
import { policies } from '../../src/resources/mwan3/policies.js';
import { rules } from '../../src/resources/mwan3/rules.js';
import { slaPolicies } from '../../src/resources/mwan3/slapolicies.js';
import { kindHarness } from '../helpers/kind.js';

const NETWORK = ['wan', 'wanb', 'wanc'].map((n) => `config interface '${n}'\n\toption device 'eth_${n}'\n`).join('\n');
const WAN = `config interface 'wan'
\toption enabled '1'
\tlist track_ip '1.1.1.1'
\tlist track_ip '8.8.8.8'
\toption reliability '1'`;
const WANB = `config interface 'wanb'
\toption enabled '1'
\tlist track_ip '1.0.0.1'
\toption count '3'`;
const WANC = `config interface 'wanc'
\toption enabled '1'`;
const mwan3 = (...sections: string[]) => `\nconfig globals 'globals'\n\toption mmx_mask '0x3F00'\n\n${sections.join('\n\n')}\n\n`; // uci's own layout
const MWAN3 = mwan3(WAN, WANB, WANC);

const files = (text = MWAN3) => ({ mwan3: text, network: NETWORK });
const gold = {
  name: 'gold',
  members: [
    { interface: 'wan', metric: '1', weight: '3' },
    { interface: 'wanb', metric: '2', weight: '1' },
  ],
  sla: { latency_ms: '100', jitter_ms: '20', loss_percent: '5' },
};

/** The quality tracking an SLA of latency 100 ms and loss 5 % writes (mwan3track's option names). */
const tracking = (opts: { count?: boolean; policies?: string[] } = {}) =>
  [
    "\toption check_quality '1'",
    "\toption failure_latency '101'",
    "\toption recovery_latency '100'",
    "\toption failure_loss '6'",
    "\toption recovery_loss '5'",
    ...(opts.count ? ["\toption count '10'"] : []),
    ...(opts.policies ?? ['gold']).map((p) => `\tlist sdewan_sla '${p}'`),
    ...['check_quality', 'failure_latency', 'recovery_latency', 'failure_loss', 'recovery_loss', ...(opts.count ? ['count'] : [])].map((o) => `\tlist sdewan_sla_options '${o}'`),
  ].join('\n');

const GOLD_MEMBERS = `config member 'gold_wan'
\toption interface 'wan'
\toption metric '1'
\toption weight '3'

config member 'gold_wanb'
\toption interface 'wanb'
\toption metric '2'
\toption weight '1'`;
const GOLD_POLICY = `config policy 'gold'
\tlist use_member 'gold_wan'
\tlist use_member 'gold_wanb'
\toption sdewan_kind 'slapolicy'
\toption sla_latency_ms '100'
\toption sla_jitter_ms '20'
\toption sla_loss_percent '5'`;

describe('mwan3 SLA policies', () => {
  it('writes the policy, its members, and quality tracking on each member interface; lists it back', async () => {
    const h = kindHarness(slaPolicies, files());
    expect(await h.create(gold)).toEqual(gold);
    expect(h.file('mwan3')).toBe(mwan3(`${WAN}\n${tracking({ count: true })}`, `${WANB}\n${tracking()}`, WANC, GOLD_MEMBERS, GOLD_POLICY));
    expect(await h.list()).toEqual([gold]);
    expect(h.reloads).toEqual(['mwan3']);
    // a policy to mwan3 (rules may use it), but not one of the policies collection
    expect(await h.with(policies).list()).toEqual([]);
    expect(await h.with(rules).create({ name: 'web', policy: 'gold', proto: 'tcp', dest_port: '80' })).toEqual({ name: 'web', policy: 'gold', proto: 'tcp', dest_port: '80' });
    expect(await h.refusal(() => h.remove('gold'))).toEqual({ status: 400, message: 'Policy "gold" is used by rule "web"' });
  });

  it('deleting it takes back exactly the options it set', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    await h.remove('gold');
    expect(h.file('mwan3')).toBe(MWAN3);
  });

  it('keeps the options a person set: an equal hand value is used, never taken back; another hand value is refused', async () => {
    const handSet = `${WAN}\n\toption check_quality '1'\n\toption timeout '2'`;
    const h = kindHarness(slaPolicies, files(mwan3(handSet, WANB, WANC)));
    await h.create(gold);
    const wan = h.pkg('mwan3').sections.find((s) => s.name === 'wan')!;
    expect(wan.options.get('sdewan_sla_options')).toEqual(['failure_latency', 'recovery_latency', 'failure_loss', 'recovery_loss', 'count']);
    await h.remove('gold');
    expect(h.file('mwan3')).toBe(mwan3(handSet, WANB, WANC));

    const other = mwan3(`${WAN}\n\toption failure_latency '500'`, WANB, WANC);
    const k = kindHarness(slaPolicies, files(other));
    expect(await k.refusal(() => k.create(gold))).toEqual({
      status: 409,
      message: 'Conflict: members.0.interface: mwan3 interface "wan" has failure_latency "500" set by hand; the SLA needs "101"',
    });
    expect(k.file('mwan3')).toBe(other);
  });

  it('two SLA policies on one interface: the same thresholds share it (jitter may differ), other thresholds are a 409 naming both', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    const before = h.file('mwan3');
    const strict = { name: 'platinum', members: [{ interface: 'wanb', metric: '1' }], sla: { latency_ms: '50', loss_percent: '5' } };
    expect(await h.refusal(() => h.create(strict))).toEqual({
      status: 409,
      message:
        'Conflict: members.0.interface: mwan3 interface "wanb" is held by SLA policy "gold" (latency_ms 100, loss_percent 5); ' +
        'SLA policy "platinum" demands latency_ms 50, loss_percent 5, and mwan3 keeps one set of thresholds per interface',
    });
    expect(h.file('mwan3')).toBe(before);

    const silver = { name: 'silver', members: [{ interface: 'wanb', metric: '1' }], sla: { latency_ms: '100', jitter_ms: '50', loss_percent: '5' } };
    expect(await h.create(silver)).toEqual(silver);
    const wanb = () => h.pkg('mwan3').sections.find((s) => s.name === 'wanb')!;
    expect(wanb().options.get('sdewan_sla')).toEqual(['gold', 'silver']);
    // the first one out leaves the tracking to the other
    await h.remove('gold');
    expect(wanb().options.get('sdewan_sla')).toEqual(['silver']);
    expect(wanb().options.get('failure_latency')).toBe('101');
    expect(h.pkg('mwan3').sections.find((s) => s.name === 'wan')!.options.has('check_quality')).toBe(false);
    // the last one out takes it back
    await h.remove('silver');
    expect(h.file('mwan3')).toBe(MWAN3);
  });

  it('a replace moves the thresholds and lets go of the interfaces it no longer lists', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    const changed = { members: [{ interface: 'wan', metric: '1', weight: '3' }], sla: { latency_ms: '80', loss_percent: '2' } };
    expect(await h.replace('gold', changed)).toEqual({ name: 'gold', ...changed });
    const tracked = (text: string) =>
      text
        .replace("failure_latency '101'", "failure_latency '81'")
        .replace("recovery_latency '100'", "recovery_latency '80'")
        .replace("failure_loss '6'", "failure_loss '3'")
        .replace("recovery_loss '5'", "recovery_loss '2'");
    // (a list that changes is written anew, after the options)
    const policy = `config policy 'gold'\n\toption sdewan_kind 'slapolicy'\n\toption sla_latency_ms '80'\n\toption sla_loss_percent '2'\n\tlist use_member 'gold_wan'`;
    expect(h.file('mwan3')).toBe(mwan3(tracked(`${WAN}\n${tracking({ count: true })}`), WANB, WANC, GOLD_MEMBERS.split('\n\n')[0]!, policy));
  });

  it.each([
    [{ ...gold, sla: undefined }, 'Field[sla] checked failed:'],
    [{ ...gold, sla: 'fast' }, 'Field[sla] checked failed:'],
    [{ ...gold, sla: { loss_percent: '5' } }, 'Field[sla.latency_ms] checked failed:'],
    [{ ...gold, sla: { latency_ms: '0', loss_percent: '5' } }, 'Field[sla.latency_ms] checked failed: should be an integer from 1 to 999998'],
    [{ ...gold, sla: { latency_ms: '100' } }, 'Field[sla.loss_percent] checked failed:'],
    [{ ...gold, sla: { latency_ms: '100', loss_percent: '101' } }, 'Field[sla.loss_percent] checked failed: should be an integer from 0 to 100'],
    [{ ...gold, sla: { latency_ms: '100', loss_percent: '5', jitter_ms: '1.5' } }, 'Field[sla.jitter_ms] checked failed:'],
    [{ ...gold, members: undefined }, 'Field[members] checked failed:'],
    [{ ...gold, members: [{ interface: 'wan' }, { interface: 'wan' }] }, 'Field[members] checked failed: the same interface appears twice'],
    [{ ...gold, members: [{ interface: 'wan', metric: 'x' }] }, 'Field[members.0.metric] checked failed:'],
  ])('refuses %j naming the field', async (b, message) => {
    const h = kindHarness(slaPolicies, files());
    const r = await h.refusal(() => h.create(b));
    expect(r.status).toBe(400);
    expect(r.message).toContain(message);
    expect(h.file('mwan3')).toBe(MWAN3);
  });

  it('refuses members mwan3 cannot measure, naming the member', async () => {
    const h = kindHarness(slaPolicies, files(mwan3(WAN, `${WANB}\n\toption track_method 'arping'`, WANC)));
    expect(await h.refusal(() => h.create({ ...gold, members: [{ interface: 'nowhere' }] }))).toEqual({
      status: 400,
      message: 'Field[members.0.interface] checked failed: "nowhere" is not an mwan3 interface',
    });
    expect(await h.refusal(() => h.create({ ...gold, members: [{ interface: 'wan' }, { interface: 'wanc' }] }))).toEqual({
      status: 400,
      message: 'Field[members.1.interface] checked failed: mwan3 interface "wanc" has no track_ip: mwan3 measures nothing on it (set its track_ip through mwan3/v1/interfaces)',
    });
    expect(await h.refusal(() => h.create(gold))).toEqual({
      status: 409,
      message: 'Field[members.1.interface] checked failed: mwan3 interface "wanb" tracks with arping, which measures no latency or loss (mwan3 does with ping or httping)',
    });
  });

  it('the policies collection leaves SLA policies alone, and an SLA policy cannot take a plain policy', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    const p = h.with(policies);
    expect(await p.refusal(() => p.replace('gold', { members: [] }))).toEqual({ status: 409, message: 'Conflict: policy "gold" belongs to the slapolicies collection' });
    expect(await p.refusal(() => p.create({ name: 'gold' }))).toEqual({ status: 409, message: 'Conflict: policy "gold" belongs to the slapolicies collection' });
    await p.create({ name: 'plain', members: [{ interface: 'wanc' }] });
    expect(await h.refusal(() => h.replace('plain', { members: [{ interface: 'wan' }], sla: gold.sla }))).toEqual({
      status: 409,
      message: 'Conflict: policy "plain" belongs to the policies collection',
    });
  });

  it('the interfaces collection keeps the tracking an SLA policy owns', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    const i = h.with(interfaces);
    // a PUT without the SLA's options keeps them; with another value it is refused
    expect(await i.replace('wanb', { enabled: '1', track_ip: ['1.0.0.2'], count: '3' })).toMatchObject({ track_ip: ['1.0.0.2'], failure_latency: '101', check_quality: '1' });
    expect(await i.refusal(() => i.replace('wanb', { track_ip: ['1.0.0.2'], failure_latency: '300' }))).toEqual({
      status: 409,
      message: 'Conflict: failure_latency of mwan3 interface "wanb" is set by SLA policies (mwan3/v1/slapolicies), not here',
    });
    await h.remove('gold');
    expect(await i.get('wanb')).toEqual({ name: 'wanb', enabled: '1', track_ip: ['1.0.0.2'], count: '3' });
  });

  it('the members collection may change the weight of an SLA policy member, not its interface', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    const m = h.with(members);
    expect(await m.replace('gold_wanb', { interface: 'wanb', metric: '2', weight: '4' })).toEqual({ name: 'gold_wanb', interface: 'wanb', metric: '2', weight: '4' });
    expect(await m.refusal(() => m.replace('gold_wanb', { interface: 'wanc', metric: '2' }))).toEqual({
      status: 409,
      message: 'Conflict: member "gold_wanb" of SLA policy "gold" keeps its interface (change the SLA policy)',
    });
  });
});

describe('mwan3 SLA policies, hand edits', () => {
  it('an SLA policy section removed by hand holds nothing: the last real one out takes the tracking back', async () => {
    const h = kindHarness(slaPolicies, files());
    await h.create(gold);
    await h.create({ ...gold, name: 'silver', members: [{ interface: 'wan' }] });
    await h.handEdit("delete mwan3.gold\ndelete mwan3.gold_wan\ndelete mwan3.gold_wanb\ncommit mwan3\n");
    await h.remove('silver');
    // wanb still carries gold's tracking (nothing deleted it); wan, held by silver and the removed gold, is back as it was
    expect(h.pkg('mwan3').sections.find((s) => s.name === 'wan')!.options.has('sdewan_sla')).toBe(false);
    expect(h.file('mwan3')).toBe(mwan3(WAN, `${WANB}\n${tracking()}`, WANC));
  });
});
