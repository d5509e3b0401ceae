// Which runner applies the network service on each platform, and the SDEWAN_WIREGUARD setting.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config.js';
import { networkRunnerFor } from '../../src/wireguard/platform.js';
import { makeTempDir } from '../helpers/agent.js';
import { settingsError } from '../helpers/settings.js';

const tmp = makeTempDir('sdewan-wgset-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const noUci = path.join(tmp, 'empty-path');
mkdirSync(noUci);
const load = (env: Record<string, string>, openwrt = false) => loadSettings(env, { cwd: tmp, openwrt, searchPath: noUci });
const store = { read: async (name: string) => ({ name, sections: [] }) };

describe('SDEWAN_WIREGUARD', () => {
  it('is auto by default, takes kernel, userspace and off, and refuses anything else naming the setting', () => {
    expect(load({}).wireguard).toBe('auto');
    for (const v of ['kernel', 'userspace', 'off', 'auto'] as const) expect(load({ SDEWAN_WIREGUARD: v }).wireguard).toBe(v);
    const err = settingsError(() => load({ SDEWAN_WIREGUARD: 'wg-quick' }));
    expect(err.setting).toBe('SDEWAN_WIREGUARD');
    expect(err.message).toBe('invalid setting SDEWAN_WIREGUARD: expected one of auto, kernel, userspace, off (got "wg-quick")');
  });

  it('gives the network service a runner on linux only, and none when off (OpenWRT: netifd applies the tunnels)', () => {
    expect(networkRunnerFor({ platform: 'linux', wireguard: 'auto', initd: tmp }, store)).toBeTypeOf('function');
    expect(networkRunnerFor({ platform: 'linux', wireguard: 'off', initd: tmp }, store)).toBeUndefined();
    expect(networkRunnerFor({ platform: 'openwrt', wireguard: 'auto', initd: tmp }, store)).toBeUndefined();
  });

  it('on linux, a failing network script is the outcome, and nothing is applied after it', async () => {
    const run = networkRunnerFor({ platform: 'linux', wireguard: 'userspace', initd: path.join(tmp, 'no-initd') }, {
      read: async () => {
        throw new Error('the network config must not be read after a failed script');
      },
    });
    const r = await run!('reload', { timeoutMs: 5000 });
    expect(r.ok).toBe(false);
  });
});
