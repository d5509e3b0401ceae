// Dockerfile.openwrt: passes a maintained Dockerfile linter (dockerfile-utils, the validator
// behind the Dockerfile language server), pins its base image, and copies only paths that
// exist once `npm run bundle` has run. No Docker engine is needed.
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { ValidationSeverity, validate, type ValidatorSettings } from 'dockerfile-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CONFIG, INIT_SCRIPT, ROOT, parseUciOptions, run } from './support.js';

const DOCKERFILE = path.join(ROOT, 'Dockerfile.openwrt');
const IGNORE_FILE = path.join(ROOT, 'Dockerfile.openwrt.dockerignore');
const text = readFileSync(DOCKERFILE, 'utf8');

/** Every check of the validator, as an error. */
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

interface Instruction {
  keyword: string;
  args: string[];
}

/** Instructions with their whitespace-separated arguments (continuations joined, comments dropped). */
function instructions(dockerfile: string): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of dockerfile.split('\n')) {
    if (/^\s*#/.test(raw)) continue; // comments, also those inside a continued instruction
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = pending + line;
    pending = '';
    if (full.trim() !== '') logical.push(full.trim());
  }
  return logical.map((l) => {
    const [keyword, ...args] = l.split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args };
  });
}

const parsed = instructions(text);
const copies = parsed
  .filter((i) => i.keyword === 'COPY')
  .map((i) => {
    const plain = i.args.filter((a) => !a.startsWith('--'));
    return { sources: plain.slice(0, -1), dest: plain[plain.length - 1]! };
  });

describe('Dockerfile.openwrt lint', () => {
  it('has no finding from the dockerfile-utils validator, every check an error', () => {
    const findings = validate(text, STRICT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
    expect(findings).toEqual([]);
  });

  it('the validator does find mistakes (the check is live)', () => {
    const broken = text.replace('COPY dist/bundle/', 'COPY --chmodd=0644 dist/bundle/').replace('CMD ["/sbin/init"]', "cmd ['/sbin/init']");
    expect(broken).not.toBe(text);
    expect(validate(broken, STRICT).length).toBeGreaterThanOrEqual(2);
  });

  it('starts from the official OpenWRT x86-64 rootfs at a pinned release', () => {
    const froms = parsed.filter((i) => i.keyword === 'FROM');
    expect(froms).toHaveLength(1);
    expect(froms[0]!.args[0]).toMatch(/^openwrt\/rootfs:x86-64-\d+\.\d+\.\d+$/);
  });

  it('installs its packages with opkg, the package manager of that release line', () => {
    const runs = parsed.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
    const install = runs.find((r) => r.includes('opkg install'));
    expect(install).toBeDefined();
    for (const pkg of ['node', 'mwan3', 'firewall4', 'strongswan-swanctl', 'strongswan-charon', 'px5g-mbedtls']) {
      expect(install!.split(' ')).toContain(pkg);
    }
    expect(install).toMatch(/mkdir -p \/var\/lock .*opkg update .*opkg install/);
  });

  it("installs every program and service the entrypoint of ICN's chart runs (fixtures/icn/entrypoint.sh)", () => {
    const install = parsed.filter((i) => i.keyword === 'RUN').map((i) => i.args).find((a) => a.includes('install'))!;
    // The OpenWRT package of each program the entrypoint calls (busybox: in the base image).
    const providers: Record<string, string> = {
      sudo: 'sudo', // the container's command: /usr/bin/sudo /bin/sh /tmp/sdewan/entrypoint.sh
      bash: 'bash', // the script's #! line
      jq: 'jq',
      chpasswd: 'shadow-chpasswd', // busybox on OpenWRT is built without chpasswd
      iptables: 'iptables-nft', // iptables rules as nftables, beside firewall4's
      ip: 'ip-full', // busybox's ip has no `ip rule`
      sysctl: 'busybox',
      ifconfig: 'busybox',
    };
    const services: Record<string, string> = {
      rpcd: 'rpcd',
      dnsmasq: 'dnsmasq',
      odhcpd: 'odhcpd-ipv6only',
      log: 'logd',
      dropbear: 'dropbear',
      mwan3: 'mwan3',
      firewall: 'firewall4',
    };
    const standIns = readdirSync(path.join(ROOT, 'test/image/fixtures/icn/bin')).filter((f) => f !== 'record');
    expect(standIns.sort()).toEqual(Object.keys(providers).filter((p) => !['sudo', 'bash', 'jq'].includes(p)).sort());
    for (const pkg of [...Object.values(providers), ...Object.values(services)].filter((p) => p !== 'busybox')) {
      expect(install, pkg).toContain(pkg);
    }
    const script = readFileSync(path.join(ROOT, 'test/image/fixtures/icn/entrypoint.sh'), 'utf8');
    for (const svc of Object.keys(services)) expect(script).toMatch(new RegExp(`\\b${svc}\\b`));
    expect(script).toMatch(/\bjq\b/);
  });

  it('installs every program the agent runs by default on OpenWRT', () => {
    const install = parsed.filter((i) => i.keyword === 'RUN').map((i) => i.args).find((a) => a.includes('install'))!;
    // The OpenWRT package of each program the agent's sources name as a default (`...Bin ?? 'name'`).
    const providers: Record<string, string | null> = {
      ip: 'ip-full', // `ip -j`: busybox's ip has no JSON
      wg: 'wireguard-tools', // also netifd's wireguard protocol handler
      conntrack: 'conntrack',
      swanctl: 'strongswan-swanctl',
      ubus: null, // in the base image
      'wireguard-go': null, // the Linux platform's userspace WireGuard (src/wireguard/linux.ts), not OpenWRT's
      embedded: null, // the uci engine inside the agent, not a program
    };
    const named = new Set<string>();
    const sources = readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const f of sources) for (const m of readFileSync(path.join(ROOT, 'src', f), 'utf8').matchAll(/Bin \?\? '([^']+)'/g)) named.add(m[1]!);
    expect([...named].sort()).toEqual(Object.keys(providers).sort());
    for (const pkg of Object.values(providers)) if (pkg) expect(install, pkg).toContain(pkg);
  });

  it('puts the agent in uhttpd\'s place: /etc/init.d/uhttpd links to its init script, uhttpd\'s boot links go', () => {
    expect(readlinkSync(path.join(ROOT, 'openwrt-image/etc/init.d/uhttpd'))).toBe('sdewan-agent');
    const runs = parsed.filter((i) => i.keyword === 'RUN').map((i) => i.args.join(' '));
    const enable = runs.find((r) => r.includes('/etc/init.d/sdewan-agent enable'))!;
    expect(enable).toContain('rm -f /etc/rc.d/S*uhttpd /etc/rc.d/K*uhttpd');
    // Never `uhttpd disable`: through the link it would disable the agent.
    expect(text).not.toMatch(/uhttpd disable/);
  });

  it('boots procd and enables the agent', () => {
    const cmds = parsed.filter((i) => i.keyword === 'CMD');
    expect(cmds).toHaveLength(1);
    expect(JSON.parse(cmds[0]!.args.join(' '))).toEqual(['/sbin/init']);
    expect(text).toContain('/etc/init.d/sdewan-agent enable');
  });

  it("exposes the agent's configured ports", () => {
    const exposed = parsed.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args);
    const options = parseUciOptions(readFileSync(AGENT_CONFIG, 'utf8'));
    for (const option of ['port', 'http_port']) {
      expect(exposed).toContain(`${options.get(option)}/tcp`);
    }
  });
});

describe('Dockerfile.openwrt copies', () => {
  beforeAll(async () => {
    const r = await run('npm', ['run', 'bundle'], { cwd: ROOT, env: process.env });
    if (r.code !== 0) throw new Error(`npm run bundle failed:\n${r.stdout}\n${r.stderr}`);
  }, 120_000);

  it('copies only paths that exist after npm run bundle', () => {
    expect(copies.length).toBeGreaterThan(0);
    for (const { sources } of copies) {
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      }
    }
  });

  it('puts the bundle where the init script starts it', () => {
    const agentPath = /^AGENT=(\S+)$/m.exec(readFileSync(INIT_SCRIPT, 'utf8'))?.[1];
    expect(agentPath).toBeDefined();
    const bundleCopy = copies.find((c) => c.sources.includes('dist/bundle/'));
    expect(bundleCopy).toBeDefined();
    expect(path.posix.join(bundleCopy!.dest, path.posix.basename(agentPath!))).toBe(agentPath);
    const built = path.join(ROOT, 'dist/bundle', path.posix.basename(agentPath!));
    expect(statSync(built).size).toBeGreaterThan(0);
  });

  it('copies the overlay onto the same paths of the root filesystem', () => {
    for (const { sources, dest } of copies) {
      for (const source of sources.filter((s) => s.startsWith('openwrt-image/'))) {
        expect(dest).toBe(source.slice('openwrt-image'.length));
      }
    }
  });

  it('keeps every copied path in the build context of Dockerfile.openwrt.dockerignore', () => {
    const patterns = readFileSync(IGNORE_FILE, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(patterns[0]).toBe('*');
    const included = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
    for (const { sources } of copies) {
      for (const source of sources) {
        expect(included.some((inc) => source.startsWith(inc)), source).toBe(true);
      }
    }
  });
});
