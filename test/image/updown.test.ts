// The image's /etc/updown (openwrt-image/etc/updown), the script ICN's central controller names
// in `local_updown` of its route-based (VTI-based) connections: shell syntax, shellcheck, and
// what it does when run by sh as charon's updown plugin runs it (PLUTO_* environment), with
// recording stand-ins for ip and nft (the kernel here has no XFRM interfaces); and the nftables
// transaction it writes, given to the real nft in a network namespace of its own.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_DIR, run, tempDir } from './support.js';

const UPDOWN = path.join(IMAGE_DIR, 'etc/updown');

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Box {
  dir: string;
  /** Runs the script with these PLUTO_* variables (and nothing else but PATH). */
  updown(env: Record<string, string>): Promise<{ code: number; stderr: string }>;
  /** `ip ...` and `nft ...` command lines, in order; nft's standard input after `<<<`. */
  calls(): string[];
  /** Makes `ip link show dev <name>` find the interface. */
  linkExists(name: string): void;
}

/**
 * A directory with stand-ins for ip, nft and logger that append their arguments (nft also its
 * standard input) to a log; `ip link show dev X` succeeds only for the interfaces in links/.
 */
function makeBox(shell: readonly string[]): Box {
  const dir = tempDir('updown');
  temps.push(dir);
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  mkdirSync(path.join(dir, 'links'));
  const log = path.join(dir, 'calls.log');
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  writeFileSync(
    path.join(bin, 'ip'),
    script(`printf 'ip %s\\n' "$*" >> '${log}'
if [ "$1 $2 $3" = "link show dev" ]; then [ -e '${dir}/links/'"$4" ]; exit; fi
if [ "$1 $2" = "link add" ]; then : > '${dir}/links/'"$3"; fi
exit 0`),
  );
  writeFileSync(
    path.join(bin, 'nft'),
    script(`if [ "$1" = "-f" ]; then printf 'nft %s <<<\\n%s\\n' "$*" "$(cat)" >> '${log}'; else printf 'nft %s\\n' "$*" >> '${log}'; fi
exit 0`),
  );
  writeFileSync(path.join(bin, 'logger'), script(`printf 'logger %s\\n' "$*" >> '${dir}/logger.log'`));
  for (const f of ['ip', 'nft', 'logger']) chmodSync(path.join(bin, f), 0o755);
  return {
    dir,
    updown: async (env) => {
      const r = await run(shell[0]!, [...shell.slice(1), UPDOWN], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env } });
      return { code: r.code, stderr: r.stderr };
    },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n') : []),
    linkExists: (name) => writeFileSync(path.join(dir, 'links', name), ''),
  };
}

/** What charon's updown plugin sets for a CHILD_SA of a route-based connection (if_id 30). */
const HUB_TO_DEVICE = {
  PLUTO_VERSION: '1.1',
  PLUTO_VERB: 'up-client',
  PLUTO_CONNECTION: 'Conndevice1192168005',
  PLUTO_ME: '10.10.10.35',
  PLUTO_PEER: '10.10.10.40',
  PLUTO_MY_CLIENT: '0.0.0.0/0',
  PLUTO_PEER_CLIENT: '192.168.0.5/32',
  PLUTO_PEER_SOURCEIP: '192.168.0.5',
  PLUTO_IF_ID_IN: '30',
  PLUTO_IF_ID_OUT: '30',
  PLUTO_MARK_IN: '0/0x00000000',
  PLUTO_MARK_OUT: '0/0x00000000',
};
/** A device with a virtual IP, reaching the hub's subnets. */
const DEVICE = {
  ...HUB_TO_DEVICE,
  PLUTO_CONNECTION: 'Connhub1',
  PLUTO_MY_CLIENT: '192.168.0.5/32',
  PLUTO_MY_SOURCEIP: '192.168.0.5',
  PLUTO_PEER_CLIENT: '172.16.0.0/16',
  PLUTO_PEER_SOURCEIP: '',
};

const nftUp = (family: 'ip' | 'ip6', key: string, to: string) =>
  [
    `nft delete element ${family} sdewan_ipsec snat_to { "xfrm30" . ${key} }`,
    'nft -f - <<<',
    `add table ${family} sdewan_ipsec`,
    `add chain ${family} sdewan_ipsec postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add map ${family} sdewan_ipsec snat_to { type ifname . ${family === 'ip' ? 'ipv4_addr' : 'ipv6_addr'} : ${family === 'ip' ? 'ipv4_addr' : 'ipv6_addr'}; flags interval; }`,
    `flush chain ${family} sdewan_ipsec postrouting`,
    `add rule ${family} sdewan_ipsec postrouting snat ${family} to oifname . ${family} daddr map @snat_to`,
    `add element ${family} sdewan_ipsec snat_to { "xfrm30" . ${key} : ${to} }`,
  ];

describe('/etc/updown: shell syntax and shellcheck', () => {
  it('passes sh -n and shellcheck, and is executable', async () => {
    const syntax = await run('sh', ['-n', UPDOWN]);
    expect(syntax.stderr).toBe('');
    expect(syntax.code).toBe(0);
    const check = await run('shellcheck', ['--format=gcc', UPDOWN]);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(statSync(UPDOWN).mode & 0o111).toBe(0o111);
  });
});

// dash here, and busybox's ash: the shell of OpenWRT, which runs the script there
describe.each([
  ['sh', ['sh']],
  ['busybox ash', ['busybox', 'sh']],
] as const)('/etc/updown under %s, with recording ip and nft', (_shell, shell) => {
  const box = (): Box => makeBox(shell);
  it('hub side, up: the XFRM interface of if_id 30, a route to the peer\'s virtual IP, no SNAT of a subnet', async () => {
    const b = box();
    expect((await b.updown(HUB_TO_DEVICE)).code).toBe(0);
    expect(b.calls()).toEqual([
      'ip link show dev xfrm30',
      'ip link add xfrm30 type xfrm if_id 30',
      'ip link set dev xfrm30 up',
      'ip -4 route replace 192.168.0.5/32 dev xfrm30',
    ]);
    expect(readFileSync(path.join(b.dir, 'logger.log'), 'utf8')).toContain('Conndevice1192168005: 192.168.0.5/32 through xfrm30');
  });

  it('a second connection of the same id reuses the interface', async () => {
    const b = box();
    b.linkExists('xfrm30');
    expect((await b.updown({ ...HUB_TO_DEVICE, PLUTO_PEER_CLIENT: '192.168.0.6/32', PLUTO_PEER_SOURCEIP: '192.168.0.6' })).code).toBe(0);
    expect(b.calls()).toEqual(['ip link show dev xfrm30', 'ip link set dev xfrm30 up', 'ip -4 route replace 192.168.0.6/32 dev xfrm30']);
  });

  it('device side, up: routes the peer subnet and source-NATs what leaves the interface to the virtual IP', async () => {
    const b = box();
    expect((await b.updown(DEVICE)).code).toBe(0);
    expect(b.calls()).toEqual([
      'ip link show dev xfrm30',
      'ip link add xfrm30 type xfrm if_id 30',
      'ip link set dev xfrm30 up',
      'ip -4 route replace 172.16.0.0/16 dev xfrm30',
      ...nftUp('ip', '172.16.0.0/16', '192.168.0.5'),
    ]);
  });

  it('a host-to-host selector source-NATs to this host; a default selector gets no route', async () => {
    const b = box();
    const env = { ...DEVICE, PLUTO_VERB: 'up-host', PLUTO_MY_CLIENT: '10.10.10.35/32', PLUTO_MY_SOURCEIP: '', PLUTO_PEER_CLIENT: '0.0.0.0/0' };
    expect((await b.updown(env)).code).toBe(0);
    expect(b.calls()).toEqual([
      'ip link show dev xfrm30',
      'ip link add xfrm30 type xfrm if_id 30',
      'ip link set dev xfrm30 up',
      ...nftUp('ip', '0.0.0.0/0', '10.10.10.35'),
    ]);
  });

  it('down: removes the routes and the SNAT element of that selector pair, keeps the interface', async () => {
    const b = box();
    b.linkExists('xfrm30');
    expect((await b.updown({ ...DEVICE, PLUTO_VERB: 'down-client' })).code).toBe(0);
    expect(b.calls()).toEqual(['ip -4 route del 172.16.0.0/16 dev xfrm30', 'nft delete element ip sdewan_ipsec snat_to { "xfrm30" . 172.16.0.0/16 }']);
    const hub = box();
    expect((await hub.updown({ ...HUB_TO_DEVICE, PLUTO_VERB: 'down-client' })).code).toBe(0);
    expect(hub.calls()).toEqual(['ip -4 route del 192.168.0.5/32 dev xfrm30']);
  });

  it('IPv6: ip -6 and an ip6 table', async () => {
    const b = box();
    const env = { ...DEVICE, PLUTO_VERB: 'up-client-v6', PLUTO_MY_CLIENT: 'fd00::5/128', PLUTO_MY_SOURCEIP: 'fd00::5', PLUTO_PEER_CLIENT: 'fd01::/64' };
    expect((await b.updown(env)).code).toBe(0);
    expect(b.calls()).toEqual([
      'ip link show dev xfrm30',
      'ip link add xfrm30 type xfrm if_id 30',
      'ip link set dev xfrm30 up',
      'ip -6 route replace fd01::/64 dev xfrm30',
      ...nftUp('ip6', 'fd01::/64', 'fd00::5'),
    ]);
  });

  it.each([
    ['a mark alone (ICN\'s VTI key)', { PLUTO_IF_ID_OUT: '', PLUTO_MARK_OUT: '30/0xffffffff' }, 'xfrm30'],
    ['a hex if_id', { PLUTO_IF_ID_OUT: '0x1e' }, 'xfrm30'],
    ['leading zeros (not octal)', { PLUTO_IF_ID_OUT: '030' }, 'xfrm30'],
    ['the largest id', { PLUTO_IF_ID_OUT: '4294967295' }, 'xfrm4294967295'],
  ])('the interface id from %s', async (_what, ids, ifname) => {
    const b = box();
    expect((await b.updown({ ...HUB_TO_DEVICE, ...ids })).code).toBe(0);
    expect(b.calls()[1]).toBe(`ip link add ${ifname} type xfrm if_id ${ifname.slice(4)}`);
  });

  it('a policy-based connection (no if_id, no mark) is left to the kernel policies: nothing runs', async () => {
    const b = box();
    for (const ids of [
      { PLUTO_IF_ID_OUT: '', PLUTO_MARK_OUT: '' },
      { PLUTO_IF_ID_OUT: '0', PLUTO_MARK_OUT: '0/0x00000000' },
    ]) {
      expect((await b.updown({ ...HUB_TO_DEVICE, ...ids })).code).toBe(0);
    }
    expect(b.calls()).toEqual([]);
  });

  it.each([
    ['an id that is not a number', { PLUTO_IF_ID_OUT: '30;reboot' }],
    ['an id out of range', { PLUTO_IF_ID_OUT: '4294967296' }],
    ['a hex id out of range', { PLUTO_IF_ID_OUT: '0x100000000' }],
    ['a selector that is not an address', { PLUTO_PEER_CLIENT: '10.0.0.0/8 dev lo' }],
    ['a local selector that is not an address', { PLUTO_MY_CLIENT: '$(reboot)/32' }],
  ])('refuses %s and runs nothing', async (_what, env) => {
    const b = box();
    const r = await b.updown({ ...DEVICE, ...env });
    expect(r.code).toBe(1);
    expect(b.calls()).toEqual([]);
    expect(readFileSync(path.join(b.dir, 'logger.log'), 'utf8')).toMatch(/Connhub1: (interface id|peer selector|local selector)/);
  });
});

describe('/etc/updown with the real nft, in a network namespace of its own', () => {
  const ns = `sdewan-updown-${process.pid}`;
  let usable = false;
  beforeAll(async () => {
    const nft = await run('sh', ['-c', 'command -v nft']);
    if (process.getuid?.() !== 0 || nft.code !== 0) return;
    usable = (await run('ip', ['netns', 'add', ns])).code === 0;
  });
  afterAll(async () => {
    if (usable) await run('ip', ['netns', 'del', ns]);
  });

  it('the SNAT map holds the element after up, twice, and loses it after down', async (ctx) => {
    if (!usable) ctx.skip();
    const b = makeBox(['sh']);
    // only ip is a stand-in here (no XFRM interfaces in this kernel); nft is the real one
    rmSync(path.join(b.dir, 'bin', 'nft'));
    const inNs = async (env: Record<string, string>) => {
      const r = await run('ip', ['netns', 'exec', ns, 'env', '-i', `PATH=${b.dir}/bin:/usr/sbin:/usr/bin:/sbin:/bin`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', UPDOWN]);
      return r.code;
    };
    const map = async () => (await run('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'ip', 'sdewan_ipsec'])).stdout;
    expect(await inNs(DEVICE)).toBe(0);
    expect(await inNs(DEVICE)).toBe(0);
    const listed = await map();
    expect(listed).toContain('elements = { "xfrm30" . 172.16.0.0/16 : 192.168.0.5 }');
    expect(listed).toContain('snat to oifname . ip daddr map @snat_to');
    expect(listed.match(/snat to/g)).toHaveLength(1);
    expect(await inNs({ ...DEVICE, PLUTO_VERB: 'down-client' })).toBe(0);
    expect(await map()).not.toContain('elements');
  });
});

describe('/etc/strongswan.d/sdewan-route-based.conf', () => {
  const SNIPPET = path.join(IMAGE_DIR, 'etc/strongswan.d/sdewan-route-based.conf');
  const load = async (file: string) => {
    const dir = tempDir('swanconf');
    temps.push(dir);
    const conf = path.join(dir, 'strongswan.conf');
    writeFileSync(conf, `include ${file}\n`);
    // swanctl parses strongswan.conf before anything else and aborts on a syntax error
    const r = await run('swanctl', ['--version'], { env: { ...process.env, STRONGSWAN_CONF: conf } });
    return r.stdout + r.stderr;
  };

  it('keeps charon from routing the SAs of XFRM interfaces itself', () => {
    expect(readFileSync(SNIPPET, 'utf8')).toMatch(/charon \{\s+plugins \{\s+kernel-netlink \{\s+install_routes_xfrmi = no\s+\}\s+\}\s+\}/);
  });

  it('is strongswan.conf syntax that swanctl loads (and a broken copy is refused)', async () => {
    const out = await load(SNIPPET);
    expect(out).toContain('swanctl');
    expect(out).not.toMatch(/invalid config|syntax error/);
    const dir = tempDir('swanconf-broken');
    temps.push(dir);
    const broken = path.join(dir, 'broken.conf');
    writeFileSync(broken, readFileSync(SNIPPET, 'utf8').replace(/\}\s*$/, ''));
    expect(await load(broken)).toMatch(/invalid config|syntax error/);
  });
});
