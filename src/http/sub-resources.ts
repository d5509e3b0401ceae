import type { AgentContext } from '../context.js';
import type { Mwan3SlaPolicy } from '../resources/mwan3/slapolicies.js';
import type { Resource } from '../resources/types.js';
import type { Mwan3Source } from '../status/mwan3-source.js';
import { slaPolicyStatus } from '../status/sla.js';
import type { SubResourceHandlers } from './resource-routes.js';

/**
 * The answers of the sub-resources the kinds declare (`subResources` in their definitions),
 * by kind: the I/O behind them. A declared sub-resource missing here fails at start.
 */
export function subResourceHandlers(ctx: AgentContext, mwan3: Mwan3Source): (kind: Resource) => SubResourceHandlers {
  const byKind: Record<string, SubResourceHandlers> = {
    '/sdewan/mwan3/v1/slapolicies': new Map([
      [
        'status',
        async (obj) => {
          const [config, live] = await Promise.all([ctx.store.read('mwan3'), mwan3.read()]);
          return slaPolicyStatus(obj as Mwan3SlaPolicy, config, live, mwan3.history);
        },
      ],
    ]),
  };
  return (kind) => byKind[`${kind.prefix}/${kind.collection}`] ?? new Map();
}
