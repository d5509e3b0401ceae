import * as z from 'zod';
import type { NetworkInterfaceView } from '../status/networks.js';

/** The answers of the read-only network view (src/http/network-routes.ts, src/status/networks.ts). */

const USES_EXAMPLE = { mwan3_interface: true, mwan3_policies: ['balanced', 'wan_wanb'], firewall_zones: ['wan'], wireguard_tunnels: [], ipsec: false };
const INTERFACE_EXAMPLE = {
  name: 'net0',
  proto: 'static',
  device: 'net0',
  network: 'ovn-network1',
  state: 'up' as const,
  addresses: ['10.10.1.5/24', 'fe80::858:aff:fe0a:105/64'],
  default_route: ['ipv4' as const],
  used_by: { ...USES_EXAMPLE, mwan3_policies: ['balance1'], firewall_zones: ['pods'] },
};

const usesSchema = z
  .object({
    mwan3_interface: z.boolean().meta({ description: 'An mwan3 interface of the same name balances over it.', examples: [true] }),
    mwan3_policies: z.array(z.string()).meta({ description: 'The mwan3 policies with a member on that mwan3 interface.', examples: [['balanced', 'wan_wanb']] }),
    firewall_zones: z.array(z.string()).meta({ description: 'The firewall zones that list it in `network`.', examples: [['wan']] }),
    wireguard_tunnels: z
      .array(z.string())
      .meta({ description: 'The WireGuard interfaces that reach their peers through it (their `tunlink`).', examples: [['wg0']] }),
    ipsec: z.boolean().meta({ description: "Listed in the ipsec globals' `interface`: charon runs IKE over its device (`interfaces_use`).", examples: [false] }),
  })
  .meta({ description: 'What refers to the interface.', examples: [USES_EXAMPLE] });

export const networkInterfaceSchema = z
  .object({
    name: z.string().meta({ description: 'The interface (its API name, else the section name netifd, mwan3 and firewall4 use).', examples: ['wan'] }),
    proto: z.string().optional().meta({ description: "netifd's protocol of the interface.", examples: ['dhcp', 'static', 'wireguard'] }),
    device: z
      .string()
      .optional()
      .meta({ description: 'The Linux device: `device` (or the older `ifname`); the interface name for a WireGuard tunnel; `br-<name>` for an older bridge.', examples: ['eth1'] }),
    network: z.string().optional().meta({ description: 'The OVN network the interface was attached for (the bootstrap\'s `sdewan_network`).', examples: ['ovn-network1'] }),
    state: z.enum(['up', 'down', 'absent']).meta({ description: 'The device in the kernel; `absent`: the pod has no such device.', examples: ['up'] }),
    addresses: z.array(z.string()).meta({ description: "The device's addresses with their prefix, as the kernel has them.", examples: [['10.10.1.5/24', 'fe80::858:aff:fe0a:105/64']] }),
    default_route: z
      .array(z.enum(['ipv4', 'ipv6']))
      .meta({ description: 'The families whose default route (main table) leaves through the device.', examples: [['ipv4']] }),
    used_by: usesSchema,
  })
  .meta({ description: 'A logical interface of /etc/config/network, as the kernel has its device, and what uses it.', examples: [INTERFACE_EXAMPLE] });

export const networkInterfaceListSchema = z
  .object({
    interfaces: z.array(networkInterfaceSchema).meta({ description: 'Every `config interface` section, in file order.', examples: [[INTERFACE_EXAMPLE]] }),
  })
  .meta({ description: 'The logical interfaces of the network config.' });

// the schema describes the view exactly (a change to one without the other fails to compile)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameView: Same<z.infer<typeof networkInterfaceSchema>, NetworkInterfaceView> = true;
void sameView;
