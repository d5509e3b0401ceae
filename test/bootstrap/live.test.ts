// Reading the pod's devices. The /proc/net texts in fixtures/proc-net were taken from a network
// namespace with a default route via 10.231.43.1 and fd00:43::1 (the kernel's own format,
// device names renamed); the namespace test reads the real files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGateways4, defaultGateways6, readLiveDevices } from '../../src/bootstrap/live.js';

const procNet = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'proc-net');

describe('default gateways from /proc/net', () => {
  it('finds the IPv4 default route of net1 only', () => {
    expect([...defaultGateways4(readFileSync(path.join(procNet, 'route'), 'utf8'))]).toEqual([['net1', '10.231.43.1']]);
  });

  it('finds the IPv6 default route, not the unreachable one on lo', () => {
    expect([...defaultGateways6(readFileSync(path.join(procNet, 'ipv6_route'), 'utf8'))]).toEqual([['net1', 'fd00:43::1']]);
  });

  it('reads nothing from empty text', () => {
    expect(defaultGateways4('').size).toBe(0);
    expect(defaultGateways6('').size).toBe(0);
  });
});

describe('readLiveDevices', () => {
  let sys: string;
  beforeAll(() => {
    sys = mkdtempSync(path.join(os.tmpdir(), 'sdewan-sys-class-net-'));
    // net2 exists without an address (only /sys knows it); net9 does not exist.
    for (const dev of ['net0', 'net1', 'net2']) mkdirSync(path.join(sys, dev));
  });
  afterAll(() => rmSync(sys, { recursive: true, force: true }));

  const info = (address: string, cidr: string, family: 'IPv4' | 'IPv6'): os.NetworkInterfaceInfo =>
    ({ address, cidr, family, netmask: '', mac: '02:00:00:00:00:01', internal: false, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as os.NetworkInterfaceInfo;

  it('gives addresses without link-local ones, gateways, and leaves out absent devices', () => {
    const devices = readLiveDevices(['net0', 'net1', 'net2', 'net9'], {
      sysClassNet: sys,
      procNet,
      interfaces: () => ({
        net0: [info('10.231.42.2', '10.231.42.2/24', 'IPv4')],
        net1: [info('fe80::1', 'fe80::1/64', 'IPv6'), info('fd00:43::2', 'fd00:43::2/64', 'IPv6'), info('10.231.43.2', '10.231.43.2/24', 'IPv4')],
      }),
    });
    expect([...devices.keys()]).toEqual(['net0', 'net1', 'net2']);
    expect(devices.get('net0')).toEqual({ addresses: [{ address: '10.231.42.2', prefix: 24, family: 'ipv4' }] });
    expect(devices.get('net1')).toEqual({
      addresses: [
        { address: 'fd00:43::2', prefix: 64, family: 'ipv6' },
        { address: '10.231.43.2', prefix: 24, family: 'ipv4' },
      ],
      gateway4: '10.231.43.1',
      gateway6: 'fd00:43::1',
    });
    expect(devices.get('net2')).toEqual({ addresses: [] });
  });
});
