import * as z from 'zod';

/**
 * The answer of `GET .../mwan3/v1/slapolicies/{name}/status` (computed by src/status/sla.ts):
 * per member, what mwan3 measured against the SLA and whether mwan3 uses it now. A zod schema
 * so that the OpenAPI document and the typed client take it from here.
 */
const measure = (what: string, example: number) => z.number().nullable().meta({ description: `${what}; null when nothing is measured yet.`, examples: [example] });

const trackIpSchema = z.object({
  ip: z.string().meta({ description: 'A track_ip of the interface.', examples: ['8.8.8.8'] }),
  status: z.string().meta({ description: "mwan3's verdict of the last round for this host: up, down, skipped, unknown.", examples: ['up'] }),
  latency_ms: measure("The last round's average round trip (ms, integer, as mwan3 reports it); null also when every ping was lost", 25),
  jitter_ms: measure('The mean absolute difference of successive latencies in the window (ms)', 7.5),
  loss_percent: measure("The last round's loss (%)", 0),
  samples: z.number().meta({ description: "The tracking rounds in the agent's window (at most 16).", examples: [3] }),
});

export const slaMemberStatusSchema = z.object({
  interface: z.string().meta({ description: 'The member interface (mwan3 interface name, as sent).', examples: ['ovn-net1'] }),
  metric: z.string().optional().meta({ description: "The member's metric.", examples: ['1'] }),
  weight: z.string().optional().meta({ description: "The member's weight.", examples: ['3'] }),
  mwan3_status: z.string().meta({ description: "mwan3's interface status: online, offline, connecting, disconnecting, disabled, unknown.", examples: ['online'] }),
  online: z.boolean().meta({ description: 'mwan3 counts the interface online.', examples: [true] }),
  in_use: z.boolean().meta({ description: "Online and among the interfaces mwan3 sends this policy's traffic to now.", examples: [true] }),
  latency_ms: measure('The worst latency of its track_ips (ms)', 25),
  jitter_ms: measure('The worst jitter of its track_ips (ms)', 7.5),
  loss_percent: measure('The worst loss of its track_ips (%)', 0),
  meets_sla: z.boolean().nullable().meta({ description: 'No breach; null when nothing is measured.', examples: [true] }),
  breaches: z.array(z.enum(['latency_ms', 'jitter_ms', 'loss_percent'])).meta({ description: 'The SLA bounds it exceeds now.', examples: [['jitter_ms']] }),
  track_ip: z.array(trackIpSchema).meta({
    description: 'Each tracked host of the interface.',
    examples: [[{ ip: '8.8.8.8', status: 'up', latency_ms: 25, jitter_ms: 7.5, loss_percent: 0, samples: 3 }]],
  }),
});

export const slaPolicyStatusSchema = z
  .object({
    name: z.string().meta({ description: 'The SLA policy.', examples: ['gold'] }),
    sla: z
      .object({
        latency_ms: z.string().meta({ description: 'Its latency bound (ms).', examples: ['100'] }),
        jitter_ms: z.string().optional().meta({ description: 'Its jitter bound (ms).', examples: ['20'] }),
        loss_percent: z.string().meta({ description: 'Its loss bound (%).', examples: ['5'] }),
      })
      .meta({ description: 'The SLA, as stored.', examples: [{ latency_ms: '100', jitter_ms: '20', loss_percent: '5' }] }),
    source: z.enum(['ubus', 'none']).meta({ description: '`ubus` when mwan3 answered `ubus call mwan3 status`; `none` otherwise (nothing measured).', examples: ['ubus'] }),
    members: z.array(slaMemberStatusSchema).meta({
      description: 'Each member, with what was measured and whether mwan3 uses it.',
      examples: [
        [
          {
            interface: 'ovn-net1',
            metric: '1',
            weight: '3',
            mwan3_status: 'online',
            online: true,
            in_use: true,
            latency_ms: 25,
            jitter_ms: 7.5,
            loss_percent: 0,
            meets_sla: true,
            breaches: [],
            track_ip: [{ ip: '8.8.8.8', status: 'up', latency_ms: 25, jitter_ms: 7.5, loss_percent: 0, samples: 3 }],
          },
        ],
      ],
    }),
  })
  .meta({ description: 'An SLA policy measured: latency and loss from mwan3, jitter computed by the agent from successive latencies.' });

export type SlaMemberStatus = z.infer<typeof slaMemberStatusSchema>;
export type SlaPolicyStatus = z.infer<typeof slaPolicyStatusSchema>;
export type SlaField = SlaMemberStatus['breaches'][number];
export type TrackIpMeasure = z.infer<typeof trackIpSchema>;
