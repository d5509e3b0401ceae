// The bootstrap step: annotations file -> attached interfaces -> network and mwan3 sections,
// written through the UCI layer (one committed batch per package, nothing when unchanged).
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { UciStore, UpdateResult } from '../uci/types.js';
import { BootstrapInputError, nfnInterfacesFromFile, type NfnInterface } from './annotations.js';
import { readLiveDevices } from './live.js';
import { planMwan3, planNetwork, resolveInterfaces, type DesiredInterface, type Finding, type LiveDevices } from './plan.js';

export const DEFAULT_ANNOTATIONS_FILE = '/tmp/podinfo/annotations';

export type BootstrapLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BootstrapOptions {
  annotationsFile: string;
  store: UciStore;
  log: BootstrapLog;
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
}

async function readInterfaces(file: string): Promise<NfnInterface[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BootstrapInputError(
      code === 'ENOENT' ? `annotations file ${file} does not exist` : `cannot read annotations file ${file}: ${(err as Error).message}`,
    );
  }
  return nfnInterfacesFromFile(text);
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
  try {
    entries = await readInterfaces(opts.annotationsFile);
  } catch (err) {
    if (!(err instanceof BootstrapInputError)) throw err;
    log.error({ file: opts.annotationsFile }, `bootstrap: ${err.message}; network and mwan3 left unchanged`);
    return { status: 'input-error', error: err.message, findings: [], configured: [] };
  }

  const live = await (opts.live ?? readLiveDevices)(entries.map((e) => e.interface));
  const resolution = resolveInterfaces(entries, live);
  // The plans run under the store's lock of each package (possibly more than once): keep the
  // findings of the last call.
  let configured: DesiredInterface[] = [];
  let networkFindings: Finding[] = [];
  let mwan3Findings: Finding[] = [];
  const network = await store.update('network', (pkg) => {
    configured = [];
    const plan = planNetwork(pkg, resolution, configured);
    networkFindings = plan.findings;
    return plan.ops;
  });
  const mwan3 = await store.update('mwan3', (pkg) => {
    const plan = planMwan3(pkg, configured, resolution);
    mwan3Findings = plan.findings;
    return plan.ops;
  });
  const findings = [...resolution.findings, ...networkFindings, ...mwan3Findings];

  for (const f of findings) logFinding(log, f);
  const changed = network.changed || mwan3.changed;
  log.info(
    { interfaces: configured.map((d) => `${d.device}=${d.address}/${d.prefix}`), network: network.changed, mwan3: mwan3.changed },
    changed ? 'bootstrap: network and mwan3 updated' : 'bootstrap: network and mwan3 already up to date',
  );
  return { status: changed ? 'changed' : 'unchanged', findings, configured: configured.map((d) => d.device), network, mwan3 };
}
