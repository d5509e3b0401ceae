import * as z from 'zod';

/**
 * The answer of `GET .../mwan3/v1/slapolicies/{name}/status` (computed by src/status/sla.ts):
 * per member, what mwan3 measured against the SLA and whether mwan3 uses it now. A zod schema
 * so that the OpenAPI document and the typed client take it from here.
 */
const measure = (what: string) => z.number().nullable().meta({ description: `${what}; null when nothing is measured yet.` });

const trackIpSchema = z.object({
  ip: z.string(),
  status: z.string().meta({ description: "mwan3's verdict of the last round for this host: up, down, skipped, unknown." }),
  latency_ms: measure("The last round's average round trip (ms, integer, as mwan3 reports it); null also when every ping was lost"),
  jitter_ms: measure('The mean absolute difference of successive latencies in the window (ms)'),
  loss_percent: measure("The last round's loss (%)"),
  samples: z.number().meta({ description: "The tracking rounds in the agent's window (at most 16)." }),
});

export const slaMemberStatusSchema = z.object({
  interface: z.string(),
  metric: z.string().optional(),
  weight: z.string().optional(),
  mwan3_status: z.string().meta({ description: "mwan3's interface status: online, offline, connecting, disconnecting, disabled, unknown." }),
  online: z.boolean(),
  in_use: z.boolean().meta({ description: "Online and among the interfaces mwan3 sends this policy's traffic to now." }),
  latency_ms: measure('The worst of its track_ips'),
  jitter_ms: measure('The worst of its track_ips'),
  loss_percent: measure('The worst of its track_ips'),
  meets_sla: z.boolean().nullable().meta({ description: 'No breach; null when nothing is measured.' }),
  breaches: z.array(z.enum(['latency_ms', 'jitter_ms', 'loss_percent'])).meta({ description: 'The SLA bounds it exceeds now.' }),
  track_ip: z.array(trackIpSchema),
});

export const slaPolicyStatusSchema = z
  .object({
    name: z.string(),
    sla: z.object({ latency_ms: z.string(), jitter_ms: z.string().optional(), loss_percent: z.string() }),
    source: z.enum(['ubus', 'none']).meta({ description: '`ubus` when mwan3 answered `ubus call mwan3 status`; `none` otherwise (nothing measured).' }),
    members: z.array(slaMemberStatusSchema),
  })
  .meta({ description: 'An SLA policy measured: latency and loss from mwan3, jitter computed by the agent from successive latencies.' });

export type SlaMemberStatus = z.infer<typeof slaMemberStatusSchema>;
export type SlaPolicyStatus = z.infer<typeof slaPolicyStatusSchema>;
export type SlaField = SlaMemberStatus['breaches'][number];
export type TrackIpMeasure = z.infer<typeof trackIpSchema>;
