// The agent's command line:
//   sdewan-agent [serve]        start the REST agent (src/main.ts), settings from the environment
//   sdewan-agent bootstrap ...  write the pod's attached interfaces into network and mwan3
//   sdewan-agent check          validate the settings and the UCI files the agent manages
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_VERSION } from './version.js';
import { SETTING_HELP, SETTING_OPTIONS, SettingsError, isOpenWrt, packageRoot, resolveUciBin, settingDefaults, type SettingName } from './config.js';
import type { RawRoutingValues } from './bootstrap/routing.js';

const USAGE = `Usage:
  sdewan-agent [serve]
      Start the agent, with the settings below (environment variables; on OpenWRT also the
      options of config agent 'main' in /etc/config/sdewan-agent, the environment wins).
  sdewan-agent check
      Validate the settings and parse every UCI file the agent manages; exit 1 with the
      problems listed (a file that does not parse as file:line).
  sdewan-agent bootstrap [--annotations FILE] [--confdir DIR] [--savedir DIR]
                         [--uci-bin PATH|embedded] [--strict]
                         [--provider-cidr CIDR] [--public-ip IP] [--default-cidr CIDR]
                         [--pod-ip IP] [--kube-api IP:PORT]
      Configure the network and mwan3 interfaces the CNI attached to the pod, from the
      k8s.plugin.opnfv.org/nfn-network annotation in the downward-API annotations file,
      and the CNF's routing (firewall SNAT and DNAT, policy rules) from ICN's values.
      --annotations FILE   default $SDEWAN_ANNOTATIONS or /tmp/podinfo/annotations
      --confdir DIR        UCI config directory (default $SDEWAN_CONFDIR, /etc/config on OpenWRT)
      --savedir DIR        UCI save directory (default $SDEWAN_SAVEDIR)
      --uci-bin PATH       uci program, or "embedded" (default $SDEWAN_UCI_BIN, else uci on PATH)
      --strict             exit 1 when the annotation is missing or malformed (default: log it, exit 0)
      --provider-cidr CIDR SNAT of traffic to it out of the interface in it ($SDEWAN_PROVIDER_CIDR)
      --public-ip IP       DNAT of IP:6443 to the Kubernetes API ($SDEWAN_PUBLIC_IP)
      --default-cidr CIDR  policy rules: from it lookup 40, from the pod's IP lookup main ($SDEWAN_DEFAULT_CIDR)
      --pod-ip IP          the pod's address ($SDEWAN_POD_IP, else the cni.projectcalico.org/podIP annotation)
      --kube-api IP:PORT   the API service ($SDEWAN_KUBE_API, else $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)
  sdewan-agent --help | --version
`;

/** The settings, from config.ts's list: variable, UCI option, default here, meaning. */
export function settingsHelp(openwrt = isOpenWrt(), cwd = process.cwd()): string {
  const dflt = settingDefaults(openwrt, cwd);
  const names = Object.keys(SETTING_OPTIONS) as SettingName[];
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => {
    const d = dflt[n] !== undefined ? `; default ${dflt[n]}` : '';
    return `  ${n.padEnd(width)}  ${SETTING_HELP[n]}${d}; UCI option ${SETTING_OPTIONS[n]}`;
  });
  return `Settings${openwrt ? ' (defaults of OpenWRT)' : ''}:\n${lines.join('\n')}\n`;
}

const fullUsage = () => `${USAGE}\n${settingsHelp()}`;

function usageError(message: string): never {
  process.stderr.write(`sdewan-agent: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const nonEmpty = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);

interface BootstrapSettings {
  annotations: string;
  routing: RawRoutingValues;
  confdir: string;
  savedir: string;
  uciBin: string | undefined;
  logLevel: string;
}

function bootstrapSettings(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): BootstrapSettings {
  const cwd = process.cwd();
  const dflt = settingDefaults(isOpenWrt(), cwd);
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const confdir = path.resolve(str('confdir') ?? nonEmpty(env.SDEWAN_CONFDIR) ?? dflt.SDEWAN_CONFDIR!);
  const savedir = path.resolve(str('savedir') ?? nonEmpty(env.SDEWAN_SAVEDIR) ?? dflt.SDEWAN_SAVEDIR!);
  let uciBin: string | undefined;
  try {
    uciBin = resolveUciBin(str('uci-bin') ?? nonEmpty(env.SDEWAN_UCI_BIN), env.PATH, cwd);
  } catch (err) {
    if (err instanceof SettingsError) usageError(err.message);
    throw err;
  }
  // kubelet's variables of the `kubernetes` service in every container (IPv4 only here: an
  // IPv6 API address is left out rather than refused).
  const apiHost = nonEmpty(env.KUBERNETES_SERVICE_HOST);
  const apiPort = nonEmpty(env.KUBERNETES_SERVICE_PORT);
  const k8sApi = apiHost && apiPort && /^\d+\.\d+\.\d+\.\d+$/.test(apiHost) ? `${apiHost}:${apiPort}` : undefined;
  return {
    annotations: path.resolve(str('annotations') ?? nonEmpty(env.SDEWAN_ANNOTATIONS) ?? '/tmp/podinfo/annotations'),
    routing: {
      providerCidr: str('provider-cidr') ?? env.SDEWAN_PROVIDER_CIDR,
      publicIp: str('public-ip') ?? env.SDEWAN_PUBLIC_IP,
      defaultCidr: str('default-cidr') ?? env.SDEWAN_DEFAULT_CIDR,
      podIp: str('pod-ip') ?? env.SDEWAN_POD_IP,
      kubeApi: str('kube-api') ?? nonEmpty(env.SDEWAN_KUBE_API) ?? k8sApi,
    },
    confdir,
    savedir,
    uciBin,
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
  };
}

async function bootstrap(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        annotations: { type: 'string' },
        confdir: { type: 'string' },
        savedir: { type: 'string' },
        'uci-bin': { type: 'string' },
        strict: { type: 'boolean' },
        'provider-cidr': { type: 'string' },
        'public-ip': { type: 'string' },
        'default-cidr': { type: 'string' },
        'pod-ip': { type: 'string' },
        'kube-api': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    usageError((err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const s = bootstrapSettings(parsed.values, process.env);
  const { createLogger } = await import('./logger.js');
  const log = await createLogger({ level: s.logLevel });
  const uci = await import('./uci/index.js');
  const store = uci.createUciStore({ confdir: s.confdir, savedir: s.savedir, runner: uci.createRunner(s.uciBin ?? 'embedded') });
  const { runBootstrap } = await import('./bootstrap/run.js');
  try {
    const result = await runBootstrap({ annotationsFile: s.annotations, store, log, routing: s.routing });
    if (result.status === 'input-error' && parsed.values.strict) return 1;
    return 0;
  } catch (err) {
    log.error({ err: (err as Error).message, confdir: s.confdir }, 'bootstrap: writing the network, mwan3 and firewall configs failed');
    return 1;
  }
}

async function check(): Promise<number> {
  const { runCheck } = await import('./check.js');
  const report = runCheck(process.env);
  for (const line of report.ok) process.stdout.write(`ok: ${line}\n`);
  for (const line of report.problems) process.stderr.write(`problem: ${line}\n`);
  if (report.problems.length === 0) return 0;
  process.stderr.write(`sdewan-agent check: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}\n`);
  return 1;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'serve':
      if (rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
        process.stdout.write(fullUsage());
        return;
      }
      if (rest.length > 0) usageError(`serve takes no arguments (settings come from the environment)`);
      // src/main.ts starts the agent when it is loaded.
      await import('./main.js');
      return;
    case 'bootstrap':
      process.exitCode = await bootstrap(rest);
      return;
    case 'check':
      if (rest.length > 0) usageError('check takes no arguments (settings come from the environment)');
      process.exitCode = await check();
      return;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(fullUsage());
      return;
    case '--version':
    case '-v':
      process.stdout.write(`${AGENT_VERSION}\n`);
      return;
    default:
      usageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`sdewan-agent: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
