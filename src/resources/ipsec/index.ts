import type { ResourceDef } from '../types.js';
import { proposals } from './proposals.js';
import { remotes } from './remotes.js';

/** The IPsec collections under /sdewan/ipsec/v1: proposals, and remotes (alias `sites`). */
export const ipsecResources = [proposals, remotes] as unknown as ResourceDef<{ name: string }>[];
