// The vici client (src/ipsec/vici.ts) against a real charon, and the agent's IPsec status read
// over vici with no swanctl at all. charon runs in a network namespace of its own (only lo: the
// peer never answers, so the IKE SA it initiates stays CONNECTING) with its own /run and its own
// vici socket in a temp dir, as test/tunnel/tunnel.test.ts starts it.
//
// Needs root and Debian's strongswan-charon and strongswan-swanctl (CI has them), and a build.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viciListSas } from '../../src/ipsec/vici.js';
import { ikeSasFromEvents, ikeSasFromListSas } from '../../src/status/ike-sas.js';
import { startAgent, waitFor } from '../helpers/agent.js';

const CHARON = '/usr/lib/ipsec/charon';
const isRoot = process.getuid?.() === 0;
const ns = `sdw-vici-${randomBytes(3).toString('hex')}`;

let dir: string;
let uri: string;
let charon: ChildProcess | undefined;
let charonExit: Promise<void> | undefined;
let nsCreated = false;

const swanctl = (...args: string[]) => execa('swanctl', [...args, '--uri', uri], { timeout: 20_000 });

describe.skipIf(!isRoot)('vici against a real charon (skipped when not root)', () => {
  beforeAll(async () => {
    if (!existsSync(CHARON)) throw new Error(`${CHARON} missing: install strongswan-charon and strongswan-swanctl`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-vici-charon-'));
    uri = `unix://${path.join(dir, 'charon.vici')}`;
    await execa('ip', ['netns', 'add', ns]);
    nsCreated = true;
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const conf = path.join(dir, 'strongswan.conf');
    writeFileSync(
      conf,
      `charon {
  load_modular = yes
  plugins {
    include /etc/strongswan.d/charon/*.conf
    bypass-lan {
      load = no
    }
    vici {
      socket = ${uri}
    }
  }
  filelog {
    charon {
      path = ${path.join(dir, 'charon.log')}
      default = 1
      flush_line = yes
    }
  }
}
`,
    );
    const child = spawn('ip', ['netns', 'exec', ns, 'unshare', '-m', 'sh', '-c', `mount -t tmpfs none /run && exec ${CHARON}`], {
      env: { ...process.env, STRONGSWAN_CONF: conf },
      stdio: 'ignore',
    });
    charon = child;
    let exited = false;
    charonExit = new Promise((resolve) => child.once('exit', () => ((exited = true), resolve())));
    await waitFor(
      async () => {
        if (exited) throw new Error('charon exited');
        return viciListSas(uri, 5000).then(
          () => true,
          () => false,
        );
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'charon' },
    );
  }, 60_000);

  afterAll(async () => {
    if (charon && charon.exitCode === null && charon.signalCode === null) {
      charon.kill('SIGTERM');
      const timer = setTimeout(() => charon?.kill('SIGKILL'), 5000);
      await charonExit;
      clearTimeout(timer);
    }
    if (nsCreated) await execa('ip', ['netns', 'del', ns], { reject: false });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('no SAs: no list-sa events, as swanctl says', async () => {
    expect(await viciListSas(uri, 10_000)).toEqual([]);
    expect(ikeSasFromListSas((await swanctl('--list-sas', '--raw')).stdout)).toEqual([]);
  });

  it('an IKE SA being initiated reads the same over vici as from swanctl --list-sas --raw', async () => {
    const swanctlConf = path.join(dir, 'swanctl.conf');
    writeFileSync(
      swanctlConf,
      `connections {
  site_b {
    remote_addrs = 10.98.0.2
    keyingtries = 0
    local {
      auth = psk
    }
    remote {
      auth = psk
    }
    children {
      net {
        local_ts = 192.168.10.0/24
        remote_ts = 192.168.20.0/24
        start_action = start
      }
    }
  }
}
secrets {
  ike-site_b {
    secret = "k3y"
  }
}
`,
      { mode: 0o600 },
    );
    await swanctl('--load-all', '--file', swanctlConf);
    const events = await waitFor(async () => {
      const e = await viciListSas(uri, 10_000);
      return e.length > 0 ? e : undefined;
    }, { timeoutMs: 20_000, what: 'the IKE SA of site_b' });
    const overVici = ikeSasFromEvents(events);
    expect(overVici).toMatchObject([{ name: 'site_b', state: 'CONNECTING', initiator: true, remoteHost: '10.98.0.2', childSas: [] }]);
    // the raw dump printed by swanctl holds the same SA, field for field
    expect(ikeSasFromListSas((await swanctl('--list-sas', '--raw')).stdout)).toEqual(overVici);
  });

  it('the agent reports it with no swanctl on the machine: its status comes over vici', async () => {
    const agent = await startAgent({
      env: { SDEWAN_VICI_URI: uri, SDEWAN_SWANCTL: path.join(dir, 'no-swanctl') },
      config: { ipsec: "config remote 'site_b'\n\toption gateway '10.98.0.2'\n\nconfig remote 'site_c'\n\toption gateway '10.98.0.3'\n" },
    });
    try {
      const r = await agent.request('GET', '/cgi-bin/luci/sdewan/v1/status/ipsec');
      expect(r.status).toBe(200);
      expect(r.json.status.details).toEqual([
        expect.objectContaining({ name: 'site_b', state: 'connecting', ike_state: 'CONNECTING', remote_addr: '10.98.0.2', configured: true }),
        { name: 'site_c', state: 'down', child_sas: [], configured: true },
      ]);
    } finally {
      await agent.stop();
    }
    expect(readFileSync(path.join(dir, 'charon.log'), 'utf8')).toContain('initiating IKE_SA site_b');
  });
});
