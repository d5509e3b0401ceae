// The CNF's routing values (ICN's chart values providerCIDR, publicIpAddress, defaultCIDR) as
// UCI sections that OpenWRT's own daemons apply and keep across restarts and reloads: where
// ICN's entrypoint ran iptables and `ip rule` once, the bootstrap writes
//  - firewall `nat 'sdewan_provider_snat'`: traffic to providerCIDR leaving through the pod's
//    interface in that network gets that interface's address as source (firewall4 SNAT);
//  - firewall `redirect 'sdewan_kube_api'`: publicIpAddress:6443 to the Kubernetes API service
//    (DNAT; firewall4 needs the zone the traffic comes from: the zone that has the interface
//    holding publicIpAddress, or an owned zone `sdewan_pub` with that interface alone);
//  - network `rule 'sdewan_pod_ip'` (from the pod's own address, lookup main) and `rule
//    'sdewan_default_cidr'` (from defaultCIDR, lookup table 40), in that order of priority.
// Pure: no I/O. Sections carry OWNER_OPTION; only those are changed or deleted, and a value
// that is not given removes what an earlier run wrote for it.
import type { BatchOp, UciPackage, UciSection, UciValue } from '../uci/types.js';
import { namedSectionOps } from '../resources/fields.js';
import { isCidr, isIpv4 } from '../resources/schema.js';
import { BootstrapInputError } from './annotations.js';
import { isOwned, OWNER_OPTION, type DesiredInterface, type Finding, type PackagePlan } from './plan.js';

/** The value of OWNER_OPTION on the routing sections. */
export const ROUTING_OWNER = 'bootstrap';
export const SNAT_SECTION = 'sdewan_provider_snat';
export const API_REDIRECT_SECTION = 'sdewan_kube_api';
export const PUBLIC_ZONE = 'sdewan_pub';
export const POD_RULE_SECTION = 'sdewan_pod_ip';
export const DEFAULT_RULE_SECTION = 'sdewan_default_cidr';
/** The routing table defaultCIDR's traffic is looked up in (ICN's `lookup 40`). */
export const DEFAULT_CIDR_TABLE = '40';
/** The port of publicIpAddress that reaches the Kubernetes API (ICN's DNAT of 6443). */
export const API_PORT = '6443';

export interface RoutingValues {
  providerCidr?: string;
  publicIp?: string;
  defaultCidr?: string;
  /** The pod's own address (the policy rule that keeps its traffic in the main table). */
  podIp?: string;
  /** The Kubernetes API service, host and port. */
  kubeApi?: { host: string; port: string };
}

export interface RawRoutingValues {
  providerCidr?: string | undefined;
  publicIp?: string | undefined;
  defaultCidr?: string | undefined;
  podIp?: string | undefined;
  kubeApi?: string | undefined;
}

/** Validates the values (names in messages are the command-line options); '' means not given. */
export function parseRoutingValues(raw: RawRoutingValues): RoutingValues {
  const out: RoutingValues = {};
  const given = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
  const cidr4 = (name: string, v: string | undefined) => {
    const s = given(v);
    if (s !== undefined && !(s.includes('/') && isCidr(s, { v4: true }))) throw new BootstrapInputError(`--${name} ${JSON.stringify(s)} should be an IPv4 network address/prefix`);
    return s;
  };
  const ip4 = (name: string, v: string | undefined) => {
    const s = given(v);
    if (s !== undefined && !isIpv4(s)) throw new BootstrapInputError(`--${name} ${JSON.stringify(s)} should be an IPv4 address`);
    return s;
  };
  const providerCidr = cidr4('provider-cidr', raw.providerCidr);
  const defaultCidr = cidr4('default-cidr', raw.defaultCidr);
  const publicIp = ip4('public-ip', raw.publicIp);
  const podIp = ip4('pod-ip', raw.podIp);
  if (providerCidr) out.providerCidr = providerCidr;
  if (defaultCidr) out.defaultCidr = defaultCidr;
  if (publicIp) out.publicIp = publicIp;
  if (podIp) out.podIp = podIp;
  const api = given(raw.kubeApi);
  if (api !== undefined) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(api);
    if (!m || !isIpv4(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new BootstrapInputError(`--kube-api ${JSON.stringify(api)} should be an IPv4 address and port (10.96.0.1:443)`);
    }
    out.kubeApi = { host: m[1]!, port: m[2]! };
  }
  return out;
}

const ipv4ToInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);

/** Whether the IPv4 address lies in the IPv4 network `cidr`. */
export function inCidr(address: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/') as [string, string];
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  return Math.floor(ipv4ToInt(address) / size) === Math.floor(ipv4ToInt(net) / size);
}

const sectionOf = (pkg: UciPackage, name: string): UciSection | undefined => pkg.sections.find((s) => s.name === name);

/**
 * Keeps the owned section `name` of `type` equal to `options`, or deletes it when `options`
 * is undefined. A section of that name that the bootstrap did not make is left as it is.
 */
function ownedSectionOps(pkg: UciPackage, type: string, name: string, options: Map<string, UciValue> | undefined, findings: Finding[]): BatchOp[] {
  const current = sectionOf(pkg, name);
  if (current && (!isOwned(current) || current.type !== type)) {
    findings.push({ level: 'warn', message: `${pkg.name} section '${name}' exists and was not made by the bootstrap: left as is` });
    return [];
  }
  if (options === undefined) return current ? [{ op: 'delete', section: name }] : [];
  const desired = new Map(options).set(OWNER_OPTION, ROUTING_OWNER);
  const managed = [...new Set([...desired.keys(), ...(current ? [...current.options.keys()] : [])])];
  return namedSectionOps(pkg, name, type, desired, managed);
}

const listOf = (v: UciValue | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean));

/** firewall: the provider SNAT, the Kubernetes API DNAT and, when needed, the zone it comes from. */
export function planFirewallRouting(pkg: UciPackage, values: RoutingValues, configured: readonly DesiredInterface[]): PackagePlan {
  const ops: BatchOp[] = [];
  const findings: Finding[] = [];
  const v4 = configured.filter((d) => d.family === 'ipv4');

  let snat: Map<string, UciValue> | undefined;
  if (values.providerCidr !== undefined) {
    const provider = v4.find((d) => inCidr(d.address, values.providerCidr!));
    if (provider) {
      snat = new Map<string, UciValue>([
        ['name', 'sdewan-provider-snat'],
        ['family', 'ipv4'],
        ['proto', 'all'],
        ['device', provider.device],
        ['dest_ip', values.providerCidr],
        ['target', 'SNAT'],
        ['snat_ip', provider.address],
      ]);
    } else {
      findings.push({ level: 'warn', message: `no attached interface is in the provider network ${values.providerCidr}: no SNAT written` });
    }
  }
  ops.push(...ownedSectionOps(pkg, 'nat', SNAT_SECTION, snat, findings));

  let redirect: Map<string, UciValue> | undefined;
  let zone: Map<string, UciValue> | undefined;
  if (values.publicIp !== undefined) {
    const holder = v4.find((d) => d.address === values.publicIp);
    if (!values.kubeApi) {
      findings.push({ level: 'warn', message: 'the Kubernetes API service is unknown (--kube-api, or KUBERNETES_SERVICE_HOST and _PORT): no DNAT written' });
    } else if (!holder) {
      findings.push({ level: 'warn', message: `no attached interface has the public address ${values.publicIp}: no DNAT written` });
    } else {
      // The zone the traffic arrives in: one that already has the interface, else our own.
      const theirs = pkg.sections.find(
        (s) => s.type === 'zone' && s.name !== PUBLIC_ZONE && listOf(s.options.get('network')).includes(holder.section) && typeof s.options.get('name') === 'string',
      );
      const src = theirs ? (theirs.options.get('name') as string) : PUBLIC_ZONE;
      if (!theirs) {
        zone = new Map<string, UciValue>([
          ['name', PUBLIC_ZONE],
          ['network', [holder.section]],
          ['input', 'ACCEPT'],
          ['output', 'ACCEPT'],
          ['forward', 'ACCEPT'],
        ]);
      }
      redirect = new Map<string, UciValue>([
        ['name', 'sdewan-kube-api'],
        ['target', 'DNAT'],
        ['src', src],
        ['proto', 'tcp'],
        ['src_dip', values.publicIp],
        ['src_dport', API_PORT],
        ['dest_ip', values.kubeApi.host],
        ['dest_port', values.kubeApi.port],
      ]);
    }
  }
  ops.push(...ownedSectionOps(pkg, 'zone', PUBLIC_ZONE, zone, findings));
  ops.push(...ownedSectionOps(pkg, 'redirect', API_REDIRECT_SECTION, redirect, findings));
  return { ops, findings };
}

/** network: the two policy rules (the pod's own address first, then defaultCIDR to table 40). */
export function planRoutingRules(pkg: UciPackage, values: RoutingValues): PackagePlan {
  const findings: Finding[] = [];
  let pod: Map<string, UciValue> | undefined;
  let dflt: Map<string, UciValue> | undefined;
  if (values.defaultCidr !== undefined) {
    dflt = new Map<string, UciValue>([
      ['src', values.defaultCidr],
      ['lookup', DEFAULT_CIDR_TABLE],
      ['priority', '30002'],
    ]);
    if (values.podIp !== undefined) {
      pod = new Map<string, UciValue>([
        ['src', `${values.podIp}/32`],
        ['lookup', 'main'],
        ['priority', '30001'],
      ]);
    } else {
      findings.push({ level: 'warn', message: "the pod's address is unknown (--pod-ip, or the podIP annotation): no rule for it written" });
    }
  }
  const ops = [...ownedSectionOps(pkg, 'rule', POD_RULE_SECTION, pod, findings), ...ownedSectionOps(pkg, 'rule', DEFAULT_RULE_SECTION, dflt, findings)];
  return { ops, findings };
}
