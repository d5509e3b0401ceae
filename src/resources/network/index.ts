import type { ResourceDef } from '../types.js';
import { applications } from './applications.js';
import { routes } from './routes.js';
import { rules } from './rules.js';

/** ICN's routing collections, kept in the network config for netifd (CNFRoute, CNFRouteRule, SdewanApplication). */
export const networkResources = [routes, rules, applications] as unknown as ResourceDef<{ name: string }>[];
