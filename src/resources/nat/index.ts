import type { ResourceDef } from '../types.js';
import { nats } from './nats.js';

/** ICN's CNFNAT collection under /sdewan/nat/v1, kept in firewall4's config. */
export const natResources = [nats] as unknown as ResourceDef<{ name: string }>[];
