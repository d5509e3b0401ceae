import { describe, expect, it } from 'vitest';
import type { NfnInterface } from '../../src/bootstrap/annotations.js';
import {
  OWNER_OPTION,
  planMwan3,
  planNetwork,
  prefixToNetmask,
  resolveInterfaces,
  type DesiredInterface,
  type LiveDevice,
} from '../../src/bootstrap/plan.js';
import { parseUci } from '../../src/uci/parser.js';

const live = (entries: Record<string, LiveDevice>) => new Map(Object.entries(entries));
const v4 = (address: string, prefix: number) => ({ address, prefix, family: 'ipv4' as const });
const entry = (name: string, iface: string, extra: Partial<NfnInterface> = {}): NfnInterface => ({
  name,
  interface: iface,
  defaultGateway: false,
  ...extra,
});
const pkg = (name: string, text: string) => parseUci(text, { name });

describe('prefixToNetmask', () => {
  it.each([
    [0, '0.0.0.0'],
    [8, '255.0.0.0'],
    [20, '255.255.240.0'],
    [24, '255.255.255.0'],
    [31, '255.255.255.254'],
    [32, '255.255.255.255'],
  ])('/%i is %s', (prefix, mask) => expect(prefixToNetmask(prefix)).toBe(mask));
});

describe('resolveInterfaces', () => {
  it('takes the address from the annotation and the prefix from the device', () => {
    const res = resolveInterfaces([entry('pnetwork', 'net2', { ipAddress: '10.10.10.89' })], live({ net2: { addresses: [v4('10.10.10.89', 24)] } }));
    expect(res.findings).toEqual([]);
    expect(res.desired).toEqual([{ network: 'pnetwork', device: 'net2', section: 'net2', family: 'ipv4', address: '10.10.10.89', prefix: 24 }]);
  });

  it('takes address and prefix from the device when the annotation has none, IPv4 first', () => {
    const dev = { addresses: [{ address: 'fd00::7', prefix: 64, family: 'ipv6' as const }, v4('172.16.30.5', 26)] };
    const res = resolveInterfaces([entry('ovn-net1', 'net1')], live({ net1: dev }));
    expect(res.desired[0]).toMatchObject({ address: '172.16.30.5', prefix: 26, family: 'ipv4' });
  });

  it('uses the prefix of an address given as CIDR', () => {
    const res = resolveInterfaces([entry('a', 'net0', { ipAddress: '10.1.2.3/16' })], live({ net0: { addresses: [v4('10.1.2.3', 24)] } }));
    expect(res.desired[0]).toMatchObject({ address: '10.1.2.3', prefix: 16 });
  });

  it('reports an interface that is not in the pod and does not invent it', () => {
    const res = resolveInterfaces(
      [entry('pnetwork', 'net2', { ipAddress: '10.10.10.89/24' }), entry('ovn-network', 'net0', { ipAddress: '172.16.30.89' })],
      live({ net0: { addresses: [v4('172.16.30.89', 24)] } }),
    );
    expect(res.desired.map((d) => d.device)).toEqual(['net0']);
    expect([...res.kept]).toEqual(['net2']);
    expect(res.findings).toEqual([
      { level: 'warn', device: 'net2', message: 'interface net2 (network pnetwork): named in the annotation but not present in the pod; not configured' },
    ]);
  });

  it('reports a device without any address', () => {
    const res = resolveInterfaces([entry('x', 'net3')], live({ net3: { addresses: [] } }));
    expect(res.desired).toEqual([]);
    expect(res.findings[0]?.message).toMatch(/net3 .*has no address/);
  });

  it('warns when the annotated address is not on the device and the prefix is unknown', () => {
    const res = resolveInterfaces([entry('x', 'net0', { ipAddress: '10.9.9.9' })], live({ net0: { addresses: [v4('10.0.0.2', 24)] } }));
    expect(res.desired[0]).toMatchObject({ address: '10.9.9.9', prefix: 32 });
    expect(res.findings.map((f) => f.message)).toEqual([
      'interface net0 (network x): address 10.9.9.9 from the annotation is not on the device',
      'interface net0 (network x): no prefix length for 10.9.9.9 in the annotation or on the device; using /32',
    ]);
  });

  it('writes a gateway only for defaultGateway or an explicit gateway', () => {
    const devs = live({
      net0: { addresses: [v4('10.0.0.2', 24)], gateway4: '10.0.0.1' },
      net1: { addresses: [v4('10.1.0.2', 24)], gateway4: '10.1.0.1' },
      net2: { addresses: [v4('10.2.0.2', 24)] },
      net3: { addresses: [v4('10.3.0.2', 24)] },
    });
    const res = resolveInterfaces(
      [
        entry('a', 'net0', { defaultGateway: true }),
        entry('b', 'net1'),
        entry('c', 'net2', { gateway: '10.2.0.254' }),
        entry('d', 'net3', { defaultGateway: true }),
      ],
      devs,
    );
    expect(res.desired.map((d) => d.gateway)).toEqual(['10.0.0.1', undefined, '10.2.0.254', undefined]);
    expect(res.findings.map((f) => f.message)).toEqual([
      'interface net3 (network d): defaultGateway is true but the pod has no default route through the device; no gateway written',
    ]);
  });

  it('maps device names that are not UCI names, and refuses two devices on one section', () => {
    const devs = live({ 'eth0.100': { addresses: [v4('10.0.0.2', 24)] }, eth0_100: { addresses: [v4('10.0.1.2', 24)] } });
    const res = resolveInterfaces([entry('a', 'eth0.100'), entry('b', 'eth0_100')], devs);
    expect(res.desired.map((d) => [d.device, d.section])).toEqual([['eth0.100', 'eth0_100']]);
    expect(res.findings[0]).toMatchObject({ level: 'error', device: 'eth0_100' });
  });
});

const desired = (over: Partial<DesiredInterface> = {}): DesiredInterface => ({
  network: 'pnetwork',
  device: 'net2',
  section: 'net2',
  family: 'ipv4',
  address: '10.10.10.89',
  prefix: 24,
  ...over,
});
const resolution = (ds: DesiredInterface[], kept: string[] = []) => ({ desired: ds, kept: new Set(kept), findings: [] });

describe('planNetwork', () => {
  it('creates an owned static interface', () => {
    const configured: DesiredInterface[] = [];
    const plan = planNetwork(pkg('network', ''), resolution([desired({ gateway: '10.10.10.1' })]), configured);
    expect(plan.ops).toEqual([
      { op: 'section', section: 'net2', type: 'interface' },
      { op: 'set', section: 'net2', option: 'device', value: 'net2' },
      { op: 'set', section: 'net2', option: 'proto', value: 'static' },
      { op: 'set', section: 'net2', option: 'ipaddr', value: '10.10.10.89' },
      { op: 'set', section: 'net2', option: 'netmask', value: '255.255.255.0' },
      { op: 'set', section: 'net2', option: 'gateway', value: '10.10.10.1' },
      { op: 'set', section: 'net2', option: OWNER_OPTION, value: 'pnetwork' },
    ]);
    expect(configured.map((d) => d.device)).toEqual(['net2']);
  });

  it('writes IPv6 as ip6addr with the prefix', () => {
    const plan = planNetwork(pkg('network', ''), resolution([desired({ family: 'ipv6', address: 'fd00::5', prefix: 64, gateway: 'fd00::1' })]));
    expect(plan.ops.filter((o) => o.op === 'set').map((o) => (o.op === 'set' ? [o.option, o.value] : []))).toEqual([
      ['device', 'net2'],
      ['proto', 'static'],
      ['ip6addr', 'fd00::5/64'],
      ['ip6gw', 'fd00::1'],
      [OWNER_OPTION, 'pnetwork'],
    ]);
  });

  it('changes only what differs in an owned section, and nothing when all matches', () => {
    const current = pkg(
      'network',
      `config interface 'net2'
	option device 'net2'
	option proto 'static'
	option ipaddr '10.10.10.7'
	option netmask '255.255.255.0'
	option mtu '1400'
	option ${OWNER_OPTION} 'pnetwork'
`,
    );
    expect(planNetwork(current, resolution([desired()])).ops).toEqual([{ op: 'set', section: 'net2', option: 'ipaddr', value: '10.10.10.89' }]);
    expect(planNetwork(current, resolution([desired({ address: '10.10.10.7' })])).ops).toEqual([]);
  });

  it('leaves a section it does not own, and says so', () => {
    const current = pkg('network', `config interface 'net2'\n\toption device 'eth9'\n\toption proto 'dhcp'\n`);
    const configured: DesiredInterface[] = [];
    const plan = planNetwork(current, resolution([desired()]), configured);
    expect(plan.ops).toEqual([]);
    expect(configured).toEqual([]);
    expect(plan.findings[0]?.message).toBe("network section 'net2' exists and was not made by the bootstrap for net2: left as is");
  });

  it('deletes owned sections no longer attached, but keeps those of absent devices and all others', () => {
    const current = pkg(
      'network',
      `config interface 'lan'
	option device 'br-lan'
config interface 'old'
	option device 'old'
	option ${OWNER_OPTION} 'gone'
config interface 'net5'
	option device 'net5'
	option ${OWNER_OPTION} 'absent-now'
`,
    );
    const plan = planNetwork(current, resolution([], ['net5']));
    expect(plan.ops).toEqual([{ op: 'delete', section: 'old' }]);
  });
});

describe('planMwan3', () => {
  it('creates an owned interface with enabled and family, once', () => {
    const plan = planMwan3(pkg('mwan3', ''), [desired()], resolution([desired()]));
    expect(plan.ops).toEqual([
      { op: 'section', section: 'net2', type: 'interface' },
      { op: 'set', section: 'net2', option: 'enabled', value: '1' },
      { op: 'set', section: 'net2', option: 'family', value: 'ipv4' },
      { op: 'set', section: 'net2', option: OWNER_OPTION, value: 'pnetwork' },
    ]);
  });

  it('leaves an owned interface changed through the API as it is', () => {
    const current = pkg('mwan3', `config interface 'net2'\n\toption enabled '0'\n\tlist track_ip '8.8.8.8'\n\toption ${OWNER_OPTION} 'pnetwork'\n`);
    expect(planMwan3(current, [desired()], resolution([desired()])).ops).toEqual([]);
  });

  it('records api_name for a device whose name is not a UCI name', () => {
    const d = desired({ device: 'eth0.100', section: 'eth0_100' });
    const plan = planMwan3(pkg('mwan3', ''), [d], resolution([d]));
    expect(plan.ops).toContainEqual({ op: 'set', section: 'eth0_100', option: 'api_name', value: 'eth0.100' });
  });

  it('deletes an owned interface no longer attached unless a member uses it', () => {
    const current = pkg(
      'mwan3',
      `config interface 'old1'
	option ${OWNER_OPTION} 'a'
config interface 'old2'
	option ${OWNER_OPTION} 'b'
config interface 'wan'
	option enabled '1'
config member 'p_old2'
	option interface 'old2'
`,
    );
    const plan = planMwan3(current, [], resolution([]));
    expect(plan.ops).toEqual([{ op: 'delete', section: 'old1' }]);
    expect(plan.findings.map((f) => f.message)).toContain("mwan3 interface 'old2' is no longer attached but member 'p_old2' uses it: kept");
  });

  it('does not touch a section of that name made by someone else', () => {
    const current = pkg('mwan3', `config member 'net2'\n\toption interface 'wan'\n`);
    const plan = planMwan3(current, [desired()], resolution([desired()]));
    expect(plan.ops).toEqual([]);
    expect(plan.findings[0]).toMatchObject({ level: 'warn' });
  });
});
