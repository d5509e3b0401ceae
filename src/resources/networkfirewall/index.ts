import type { ResourceDef } from '../types.js';
import { networkFirewallRules } from './rules.js';

/** ICN's NetworkFirewallRule collection under /sdewan/networkfirewall/v1, kept in firewall4's config. */
export const networkFirewallResources = [networkFirewallRules] as unknown as ResourceDef<{ name: string }>[];
