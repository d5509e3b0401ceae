import type { ResourceDef } from '../types.js';
import { interfaces } from './interfaces.js';
import { members } from './members.js';
import { policies } from './policies.js';
import { rules } from './rules.js';

export const mwan3Resources = [policies, rules, interfaces, members] as unknown as ResourceDef<{ name: string }>[];
