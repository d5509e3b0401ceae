import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detailedStatusText, formatDuration, fromMwan3Config, fromUbusStatus, parseUbusStatus } from '../../src/status/mwan3.js';
import { SAMPLE_CONNECTED, SAMPLE_LEGACY_INTERFACES, unknownInterface } from './expected.js';
import { pkg } from './uci.js';

const sample = readFileSync(new URL('../reference/mwan3/ubus-mwan3-status.json', import.meta.url), 'utf8');

describe('fromUbusStatus (recorded ubus-mwan3-status.json)', () => {
  const legacy = fromUbusStatus(parseUbusStatus(sample));

  it('keeps every interface with the legacy fields only', () => {
    expect(Object.keys(legacy.interfaces)).toEqual(['wan', 'wanb', 'wan6']);
    expect(legacy.interfaces['wan']).toEqual(SAMPLE_LEGACY_INTERFACES.wan);
    expect(legacy.interfaces['wanb']).toEqual(SAMPLE_LEGACY_INTERFACES.wanb);
    expect(legacy.interfaces['wan6']).toEqual(SAMPLE_LEGACY_INTERFACES.wan6);
  });

  it('keeps the connected networks and drops policies', () => {
    expect(legacy.connected).toEqual(SAMPLE_CONNECTED);
    expect(Object.keys(legacy)).toEqual(['interfaces', 'connected']);
  });

  it('coerces loosely typed values and tolerates missing parts', () => {
    const out = fromUbusStatus({
      interfaces: { wan: { running: '1', score: '7', lost: 2.9, age: 'x', track_ip: [{ ip: '9.9.9.9', latency: '5' }, 'junk'] } },
    });
    expect(out).toEqual({
      interfaces: {
        wan: { running: true, score: 7, lost: 2, status: 'unknown', age: 0, turn: 0, track_ip: [{ status: 'unknown', latency: 5, packetloss: 0, ip: '9.9.9.9' }] },
      },
      connected: { ipv4: [], ipv6: [] },
    });
  });

  it('an interface called __proto__ stays an ordinary key', () => {
    const out = fromUbusStatus(JSON.parse('{"interfaces": {"__proto__": {"status": "online"}}}') as Record<string, unknown>);
    expect(Object.keys(out.interfaces)).toEqual(['__proto__']);
    expect(out.interfaces['__proto__']!.status).toBe('online');
  });
});

describe('parseUbusStatus', () => {
  it('refuses what is not a JSON object', () => {
    expect(() => parseUbusStatus('[]')).toThrow(/not a JSON object/);
    expect(() => parseUbusStatus('Command failed: Not found')).toThrow();
  });
});

describe('fromMwan3Config', () => {
  it('lists the interfaces of the config with status unknown and their track_ip', () => {
    const mwan3 = pkg('mwan3', [
      ['globals', 'globals', { mmx_mask: '0x3F00' }],
      ['interface', 'wan', { enabled: '1', track_ip: ['1.1.1.1', '8.8.8.8'], family: 'ipv4' }],
      ['interface', 'wanb', { enabled: '0' }],
      ['member', 'wan_m1_w3', { interface: 'wan', metric: '1', weight: '3' }],
    ]);
    expect(fromMwan3Config(mwan3)).toEqual({
      interfaces: { wan: unknownInterface('1.1.1.1', '8.8.8.8'), wanb: unknownInterface() },
      connected: { ipv4: [], ipv6: [] },
    });
  });

  it('an empty package gives no interfaces', () => {
    expect(fromMwan3Config(pkg('mwan3', []))).toEqual({ interfaces: {}, connected: { ipv4: [], ipv6: [] } });
  });
});

describe('detailedStatusText', () => {
  it('formats durations as mwan3 does', () => {
    expect(formatDuration(0)).toBe('00h:00m:00s');
    expect(formatDuration(5412)).toBe('01h:30m:12s');
    expect(formatDuration(360_000)).toBe('100h:00m:00s');
  });

  it('renders the recorded ubus status in the layout of `mwan3 status`', () => {
    expect(detailedStatusText(parseUbusStatus(sample))).toBe(
      [
        'Interface status:',
        ' interface wan is online 01h:30m:12s, uptime 01h:30m:20s and tracking is active',
        ' interface wanb is offline and tracking is active',
        ' interface wan6 is unknown and tracking is disabled',
        '',
        'Current ipv4 policies:',
        'balanced:',
        ' wan (60%)',
        ' wanb (40%)',
        'wan_only:',
        ' wan (100%)',
        '',
        'Current ipv6 policies:',
        '',
        'Directly connected ipv4 networks:',
        ' 10.0.3.0/24',
        ' 192.168.56.0/24',
        ' 127.0.0.0/8',
        ' 224.0.0.0/3',
        '',
        'Directly connected ipv6 networks:',
        ' fe80::/64',
      ].join('\n'),
    );
  });

  it('renders the config fallback with unknown states', () => {
    const text = detailedStatusText(fromMwan3Config(pkg('mwan3', [['interface', 'wan', {}]])));
    expect(text.split('\n').slice(0, 2)).toEqual(['Interface status:', ' interface wan is unknown and tracking is unknown']);
  });
});
