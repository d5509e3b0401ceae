// An agent over OpenWRT's stock firewall config, started inside a network namespace with the
// devices a test names: the setting of the HTTP tests of the kinds firewall4 applies on
// devices (NAT, network firewall rules). Needs root, as createNetns does.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Agent, startAgent } from './agent.js';
import { type Netns, type NetnsDevice, createNetns } from './netns.js';

const STOCK = readFileSync('test/reference/openwrt/firewall.default', 'utf8');

export interface FirewallAgent {
  /** The agent (set once beforeAll has run); it listens on the first device's address. */
  readonly agent: Agent;
  /** The firewall config file as it is now. */
  file(): string;
  /** How many `firewall reload` the init script was asked for. */
  reloads(): number;
  /** The request is refused with `status` and a message holding `message`, and the file stays as it was. */
  expectRefused(method: string, url: string, body: unknown, status: number, message: string): Promise<void>;
}

/** Registers the beforeAll and afterAll that start and stop the namespace and the agent. */
export function firewallAgentInNetns(tag: string, devices: NetnsDevice[], defaultVia: string): FirewallAgent {
  let ns: Netns | undefined;
  let agent: Agent | undefined;
  beforeAll(async () => {
    ns = await createNetns(tag, devices, defaultVia);
    agent = await startAgent({ config: { firewall: STOCK }, commandPrefix: ns.prefix, env: { HOST: devices[0]!.address.split('/')[0]! } });
  });
  afterAll(async () => {
    await agent?.stop();
    await ns?.remove();
  });
  const started = () => {
    if (!agent) throw new Error('the agent is not started yet');
    return agent;
  };
  const file = () => started().readFile('firewall');
  return {
    get agent() {
      return started();
    },
    file,
    reloads: () => started().callsLog().filter((l) => l === 'firewall reload').length,
    async expectRefused(method, url, body, status, message) {
      const before = file();
      const res = await started().request(method, url, body);
      expect(res.status, res.text).toBe(status);
      expect(res.json.message).toContain(message);
      expect(file()).toBe(before);
    },
  };
}
