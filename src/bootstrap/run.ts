// The bootstrap step: annotations file -> attached interfaces -> network and mwan3 sections,
// written through the UCI layer (one committed batch per package, nothing when unchanged).
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { commit } from '../changes/index.js';
import type { UciStore, UpdateResult } from '../uci/types.js';
import { BootstrapInputError, nfnInterfacesFromFile, parseAnnotationsFile, type NfnInterface } from './annotations.js';
import { readLiveDevices } from './live.js';
import { planMwan3, planNetwork, resolveInterfaces, type DesiredInterface, type Finding, type LiveDevices } from './plan.js';
import { parseRoutingValues, planFirewallRouting, planRoutingRules, type RawRoutingValues, type RoutingValues } from './routing.js';

export const DEFAULT_ANNOTATIONS_FILE = '/tmp/podinfo/annotations';
/** Calico's annotation of the pod's own address (`10.233.84.5/32`), where ICN's entrypoint found it. */
export const POD_IP_ANNOTATION = 'cni.projectcalico.org/podIP';

export type BootstrapLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BootstrapOptions {
  annotationsFile: string;
  store: UciStore;
  log: BootstrapLog;
  /**
   * The routing values (ICN's providerCIDR, publicIpAddress, defaultCIDR, and the pod's address
   * and the API service); validated here. Without them, no routing section is written or kept.
   */
  routing?: RawRoutingValues;
  /** The pod's devices (default: readLiveDevices, the current network namespace). */
  live?: (devices: string[]) => LiveDevices | Promise<LiveDevices>;
}

export interface BootstrapResult {
  /** 'input-error': the annotations file or annotation is missing or malformed; nothing written. */
  status: 'changed' | 'unchanged' | 'input-error';
  /** The input problem, for 'input-error'. */
  error?: string;
  findings: Finding[];
  /** Devices whose network section the bootstrap owns after the run. */
  configured: string[];
  network?: UpdateResult;
  mwan3?: UpdateResult;
  firewall?: UpdateResult;
}

async function readAnnotations(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BootstrapInputError(
      code === 'ENOENT' ? `annotations file ${file} does not exist` : `cannot read annotations file ${file}: ${(err as Error).message}`,
    );
  }
  return text;
}

function logFinding(log: BootstrapLog, f: Finding): void {
  const fields = f.device !== undefined ? { device: f.device } : {};
  log[f.level](fields, `bootstrap: ${f.message}`);
}

/**
 * Runs the bootstrap. Bad input is logged and reported in the result (nothing is written);
 * a failed write throws (UciBatchError and the like).
 */
export async function runBootstrap(opts: BootstrapOptions): Promise<BootstrapResult> {
  const { log, store } = opts;
  let entries: NfnInterface[];
  let routing: RoutingValues;
  try {
    const text = await readAnnotations(opts.annotationsFile);
    entries = nfnInterfacesFromFile(text);
    const raw = { ...opts.routing };
    if (raw.podIp === undefined || raw.podIp === '') raw.podIp = parseAnnotationsFile(text).get(POD_IP_ANNOTATION)?.split('/')[0];
    routing = parseRoutingValues(raw);
  } catch (err) {
    if (!(err instanceof BootstrapInputError)) throw err;
    log.error({ file: opts.annotationsFile }, `bootstrap: ${err.message}; network, mwan3 and firewall left unchanged`);
    return { status: 'input-error', error: err.message, findings: [], configured: [] };
  }

  const live = await (opts.live ?? readLiveDevices)(entries.map((e) => e.interface));
  const resolution = resolveInterfaces(entries, live);
  // The plans run under the store's lock of each package (possibly more than once): keep the
  // findings of the last call.
  let configured: DesiredInterface[] = [];
  let networkFindings: Finding[] = [];
  let mwan3Findings: Finding[] = [];
  let firewallFindings: Finding[] = [];
  // Through the write path's door (src/changes/), with no service to reload: the bootstrap
  // runs before netifd, mwan3 and the firewall start.
  const deps = { store, log };
  const network = await commit(deps, { config: 'network' }, (pkg) => {
    configured = [];
    const plan = planNetwork(pkg, resolution, configured);
    const rules = planRoutingRules(pkg, routing);
    networkFindings = [...plan.findings, ...rules.findings];
    return { ops: [...plan.ops, ...rules.ops] };
  });
  const mwan3 = await commit(deps, { config: 'mwan3' }, (pkg) => {
    const plan = planMwan3(pkg, configured, resolution);
    mwan3Findings = plan.findings;
    return { ops: plan.ops };
  });
  const firewall = await commit(deps, { config: 'firewall' }, (pkg) => {
    const plan = planFirewallRouting(pkg, routing, configured);
    firewallFindings = plan.findings;
    return { ops: plan.ops };
  });
  const findings = [...resolution.findings, ...networkFindings, ...mwan3Findings, ...firewallFindings];

  for (const f of findings) logFinding(log, f);
  const changed = network.changed || mwan3.changed || firewall.changed;
  log.info(
    {
      interfaces: configured.map((d) => `${d.device}=${d.address}/${d.prefix}`),
      network: network.changed,
      mwan3: mwan3.changed,
      firewall: firewall.changed,
    },
    changed ? 'bootstrap: network, mwan3 and firewall updated' : 'bootstrap: network, mwan3 and firewall already up to date',
  );
  return { status: changed ? 'changed' : 'unchanged', findings, configured: configured.map((d) => d.device), network, mwan3, firewall };
}
