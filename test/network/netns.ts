// A network namespace standing for a CNF pod: veth devices net0 and net1 (net1 holds the
// default route) whose host ends are made here too, a network config with an interface on
// each, and the agent started inside it, reached through net0's address.
// Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN), as in CI, and a build (`npx tsc -p .`).
import { execa } from 'execa';
import { type Agent, type StartOptions, startAgent } from '../helpers/agent.js';

export const NETNS_NETWORK = `
config interface 'loopback'
\toption device 'lo'
\toption proto 'static'

config interface 'ovn_net'
\toption device 'net0'
\toption proto 'static'

config interface 'pnetwork'
\toption device 'net1'
\toption proto 'static'
`;

export interface PodNamespace {
  agent: Agent;
  /** `10.x.y` of net<i>: the pod holds `.2`, the host end `.1`. */
  subnet(i: number): string;
  stop(): Promise<void>;
}

/** `tag` keeps the names and subnets of two test files apart (0-9). */
export async function agentInPodNamespace(tag: number, opts: StartOptions = {}): Promise<PodNamespace> {
  if (process.getuid?.() !== 0) throw new Error('this test creates a network namespace and veth devices: run it as root (CI does)');
  const ns = `sdewan-net${tag}-${process.pid}`;
  const hostSide = (i: number) => `sn${tag}${process.pid % 1_000_000}h${i}`;
  // Apart from other runs on the same host as well: the third octet follows the process.
  const subnet = (i: number) => `10.${120 + 2 * tag + i}.${process.pid % 250}`;
  const ip = (...args: string[]) => execa('ip', args);
  let agent: Agent | undefined;
  const stop = async () => {
    await agent?.stop();
    // Deleting the namespace deletes its veth ends, and with them the host ends.
    await execa('ip', ['netns', 'del', ns], { reject: false });
    for (const i of [0, 1]) await execa('ip', ['link', 'del', hostSide(i)], { reject: false });
  };
  try {
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    for (const i of [0, 1]) {
      await ip('link', 'add', hostSide(i), 'type', 'veth', 'peer', 'name', `net${i}`, 'netns', ns);
      await ip('addr', 'add', `${subnet(i)}.1/24`, 'dev', hostSide(i));
      await ip('link', 'set', hostSide(i), 'up');
      await ip('-n', ns, 'addr', 'add', `${subnet(i)}.2/24`, 'dev', `net${i}`);
      await ip('-n', ns, 'link', 'set', `net${i}`, 'up');
    }
    await ip('-n', ns, 'route', 'add', 'default', 'via', `${subnet(1)}.1`, 'dev', 'net1');
    agent = await startAgent({
      ...opts,
      config: { network: NETNS_NETWORK, ...opts.config },
      commandPrefix: ['ip', 'netns', 'exec', ns],
      env: { HOST: `${subnet(0)}.2`, ...opts.env },
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { agent, subnet, stop };
}
