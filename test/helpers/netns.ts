// A network namespace with veth devices of chosen names and addresses, for process tests that
// need the agent to see particular devices (ICN's `iface1`, a default route, `#source`).
// Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), as in CI.
import { execa } from 'execa';

export interface NetnsDevice {
  /** The device's name inside the namespace. */
  name: string;
  /** Its address with prefix inside the namespace; the host end gets `.1` of the same /24. */
  address: string;
}

export interface Netns {
  name: string;
  /** The prefix that runs a command inside the namespace (StartOptions.commandPrefix). */
  prefix: string[];
  remove(): Promise<void>;
}

/**
 * The /24 number `n` of this test process: `10.<224..255>.<n>`, the second octet from the pid,
 * so that test processes running at once on one machine seldom pick the same networks.
 */
export const subnetOf = (n: number) => `10.${224 + (process.pid % 32)}.${n}`;

const hostAddress = (address: string) => `${address.split('/')[0]!.split('.').slice(0, 3).join('.')}.1/24`;

/**
 * Creates the namespace `sdewan-<tag>-<pid>` with `devices` (veth pairs whose host ends are
 * up and addressed), the default route via the host end of `defaultVia` when given.
 */
export async function createNetns(tag: string, devices: NetnsDevice[], defaultVia?: string): Promise<Netns> {
  if (process.getuid?.() !== 0) throw new Error('this test creates a network namespace and veth devices: run it as root (CI does)');
  const name = `sdewan-${tag}-${process.pid}`;
  const hostEnds = devices.map((_, i) => `s${tag.slice(0, 3)}${process.pid % 1_000_000}h${i}`);
  const remove = async () => {
    await execa('ip', ['netns', 'del', name], { reject: false });
    for (const end of hostEnds) await execa('ip', ['link', 'del', end], { reject: false });
  };
  try {
    await execa('ip', ['netns', 'add', name]);
    await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    for (const [i, dev] of devices.entries()) {
      const end = hostEnds[i]!;
      await execa('ip', ['link', 'add', end, 'type', 'veth', 'peer', 'name', dev.name, 'netns', name]);
      await execa('ip', ['addr', 'add', hostAddress(dev.address), 'dev', end]);
      await execa('ip', ['link', 'set', end, 'up']);
      await execa('ip', ['-n', name, 'addr', 'add', dev.address, 'dev', dev.name]);
      await execa('ip', ['-n', name, 'link', 'set', dev.name, 'up']);
    }
    const via = devices.find((d) => d.name === defaultVia);
    if (via) await execa('ip', ['-n', name, 'route', 'add', 'default', 'via', hostAddress(via.address).split('/')[0]!, 'dev', via.name]);
  } catch (err) {
    await remove();
    throw err;
  }
  return { name, prefix: ['ip', 'netns', 'exec', name], remove };
}

/** The addresses of one site of the two-site tunnel tests (IPsec, WireGuard). */
export interface TunnelSiteNet {
  ns: string;
  /** The site's inner subnet address (a veth pair inside its namespace, /24). */
  inner: string;
  /** Its address on the link between the sites (`wan`, /24). */
  addr: string;
  /** Management: the host end's name and address, and the site end's address (/30). */
  mgmtHost: string;
  mgmtHostAddr: string;
  mgmtSiteAddr: string;
}

/**
 * Two sites in namespaces of their own: in each, lo, an inner subnet and a management veth to
 * this namespace (for the test to reach the agent); between them the `wan` link. What is made
 * is recorded in `created` (namespaces, host links) as it is made, for the clean-up.
 */
export async function wireTwoSites(sites: readonly [TunnelSiteNet, TunnelSiteNet], created: { ns: string[]; links: string[] }): Promise<void> {
  const ip = (...args: string[]) => execa('ip', args);
  for (const s of sites) {
    await ip('netns', 'add', s.ns);
    created.ns.push(s.ns);
    await ip('-n', s.ns, 'link', 'set', 'lo', 'up');
    await ip('-n', s.ns, 'link', 'add', 'inner', 'type', 'veth', 'peer', 'name', 'inner-peer');
    await ip('-n', s.ns, 'addr', 'add', `${s.inner}/24`, 'dev', 'inner');
    await ip('-n', s.ns, 'link', 'set', 'inner', 'up');
    await ip('-n', s.ns, 'link', 'set', 'inner-peer', 'up');
    await ip('link', 'add', s.mgmtHost, 'type', 'veth', 'peer', 'name', 'mgmt', 'netns', s.ns);
    created.links.push(s.mgmtHost);
    await ip('addr', 'add', `${s.mgmtHostAddr}/30`, 'dev', s.mgmtHost);
    await ip('link', 'set', s.mgmtHost, 'up');
    await ip('-n', s.ns, 'addr', 'add', `${s.mgmtSiteAddr}/30`, 'dev', 'mgmt');
    await ip('-n', s.ns, 'link', 'set', 'mgmt', 'up');
  }
  const [a, b] = sites;
  await ip('link', 'add', 'wan', 'netns', a.ns, 'type', 'veth', 'peer', 'name', 'wan', 'netns', b.ns);
  for (const s of sites) {
    await ip('-n', s.ns, 'addr', 'add', `${s.addr}/24`, 'dev', 'wan');
    await ip('-n', s.ns, 'link', 'set', 'wan', 'up');
  }
}
