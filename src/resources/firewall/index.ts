import type { ResourceDef } from '../types.js';
import { forwardings } from './forwardings.js';
import { redirects } from './redirects.js';
import { rules } from './rules.js';
import { zones } from './zones.js';

/** The four firewall collections under /sdewan/firewall/v1 (contract §4). */
export const firewallResources = [zones, rules, forwardings, redirects] as unknown as ResourceDef<{ name: string }>[];
