import { isAead } from '../resources/ipsec/algorithms.js';
import { ifIdFromMark, ROUTE_BASED } from '../resources/ipsec/common.js';
import type { UciPackage, UciSection } from '../uci/types.js';
import { bool, fromSeconds, list, str, toSeconds, Writer } from './swanctl-writer.js';

/**
 * Renders the `ipsec` UCI package into swanctl.conf text, giving each option the meaning
 * OpenWRT's /etc/init.d/swanctl gives it (for systems without that script). Pure: the caller
 * writes the text and loads it.
 *
 * What follows swanctl.init:
 * - only `remote` sections with `enabled` true are rendered; each is one IKE connection named
 *   after its section, its `tunnel`/`transport` lists the children;
 * - proposals are `crypto_proposal` sections joined as `cipher-hash-dh` (IKE: `cipher-hash-prf-dh`),
 *   several joined with `,`; an AEAD cipher with a hash is an error;
 * - startaction add/route/start -> start_action none/trap/start (none is not written);
 *   closeaction and dpdaction are translated the same way; a child whose dpdaction is `none`
 *   (the default) turns the remote's dpd_delay into 0s, as the script's shared variable does;
 * - lists (local_subnet, remote_subnet, remote_addrs, vips, pools, ...) are joined with `,`;
 * - defaults: keyexchange ikev2 (version = 2), keyingtries 3 (%forever -> 0), dpddelay 30s,
 *   fragmentation yes, mobike yes, send_certreq yes, encap no, startaction route;
 * - psk: `secrets { ike-<remote> { secret, id1, id2 } }` (id2 only with id1); pubkey:
 *   `certs` of the local side, `authorities { <remote> { cacert } }` for ca_cert.
 * - further certificates of a shared_ca chain (`api_ca_chain`, which swanctl.init does not
 *   read: on OpenWRT swanctl loads every file of x509ca/) get authorities `<remote>_ca<i>`.
 *
 * What the agent adds:
 * - a child's `mark` becomes mark_in and mark_out (the API's mark; swanctl.init has no option),
 *   except in a route-based remote (`type` VTI-based), where it is the if_id when none is set
 *   (ICN keyed its VTI on the mark; here the XFRM interface of openwrt-image/etc/updown);
 * - a child's legacy `local_nat` replaces its local_subnet in local_ts (as swanctl.init did
 *   before it migrated local_nat into local_subnet);
 * - values are quoted when they are not plain words, and a value with a control character is
 *   an error rather than a broken file;
 * - with `swanctlDir`, certificate and key files are given as absolute paths under it (and the
 *   private key is loaded through `secrets { private-<remote> { file } }`), so the rendered file
 *   works wherever it is loaded from;
 * - a remote without proposals gets strongSwan's default proposals (no empty `proposals =`).
 *
 * Everything wrong is collected first and thrown together as a RenderError: nothing is
 * rendered from an invalid configuration.
 */
export class RenderError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid ipsec configuration: ${problems.join('; ')}`);
    this.name = 'RenderError';
  }
}

export interface RenderOptions {
  /** The swanctl tree holding x509/, x509ca/, private/; files are then named by absolute path. */
  swanctlDir?: string;
}

export interface RenderedSwanctl {
  /** The whole swanctl.conf (connections, pools, authorities, secrets). */
  text: string;
  /** The IKE connections rendered (enabled remotes), in file order. */
  connections: string[];
  /** The children rendered with start_action = start (mode start), as `swanctl --initiate` names them. */
  started: Array<{ ike: string; child: string }>;
}

// ---------------------------------------------------------------------------------------------
// UCI reading, as the shell helpers of /lib/functions.sh read

const START_ACTIONS: Record<string, string> = { add: 'none', route: 'trap', start: 'start', none: 'none', trap: 'trap' };
const CLOSE_ACTIONS: Record<string, string> = { none: 'none', clear: 'none', hold: 'trap', restart: 'start', trap: 'trap', start: 'start' };
/** '' = none: no dpd_action written, and the remote's dpd_delay becomes 0s. */
const DPD_ACTIONS: Record<string, string> = { none: '', clear: 'clear', hold: 'trap', restart: 'restart', trap: 'trap', start: 'start' };
const FRAGMENTATION: Record<string, string> = { '0': 'no', '1': 'yes', yes: 'yes', accept: 'accept', force: 'force', no: 'no' };
const VERSIONS: Record<string, string | undefined> = { ike: undefined, ikev1: '1', ikev2: '2' };
const AUTH_METHODS = ['psk', 'pubkey'];

interface Context {
  pkg: UciPackage;
  problems: string[];
  opts: RenderOptions;
  started: RenderedSwanctl['started'];
}

const named = (ctx: Context, type: string, name: string) => ctx.pkg.sections.find((s) => s.type === type && s.name === name);

/** The proposal string of the `crypto_proposal` sections a section lists. */
function proposals(ctx: Context, owner: UciSection, ike: boolean): string {
  const out: string[] = [];
  for (const name of list(owner, 'crypto_proposal')) {
    const p = named(ctx, 'crypto_proposal', name);
    if (!p) {
      ctx.problems.push(`${owner.type} ${owner.name}: crypto_proposal ${name} is not defined`);
      continue;
    }
    const cipher = str(p, 'encryption_algorithm');
    const hash = str(p, 'hash_algorithm');
    if (cipher === undefined || cipher === '') {
      ctx.problems.push(`crypto_proposal ${name}: no encryption_algorithm`);
      continue;
    }
    if (hash && isAead(cipher)) {
      ctx.problems.push(`crypto_proposal ${name}: can't have ${hash} with ${cipher}`);
      continue;
    }
    const parts = [cipher, hash, ike ? str(p, 'prf_algorithm') : undefined, str(p, 'dh_group')];
    out.push(parts.filter((x): x is string => x !== undefined && x !== '').join('-'));
  }
  return out.join(',');
}

const certPath = (ctx: Context, dir: string, file: string) => (ctx.opts.swanctlDir ? `${ctx.opts.swanctlDir.replace(/\/+$/, '')}/${dir}/${file}` : file);

function checkFileName(ctx: Context, remote: UciSection, option: string): string | undefined {
  const file = str(remote, option);
  if (file === undefined || file === '') return undefined;
  if (file.includes('/')) {
    ctx.problems.push(`remote ${remote.name}: ${option} ${file} can't be pathname`);
    return undefined;
  }
  return file;
}

interface ChildResult {
  /** The child's dpdaction was none: swanctl.init then writes dpd_delay = 0s for the remote. */
  dpdNone: boolean;
}

function renderChild(ctx: Context, w: Writer, child: UciSection, remote: UciSection): ChildResult {
  const where = `${child.type} ${child.name}`;
  const startaction = str(child, 'startaction', 'route')!;
  const start = START_ACTIONS[startaction];
  if (start === undefined) ctx.problems.push(`${where}: startaction ${startaction} unknown`);
  const closeaction = str(child, 'closeaction', 'none')!;
  const close = CLOSE_ACTIONS[closeaction];
  if (close === undefined) ctx.problems.push(`${where}: closeaction ${closeaction} unknown`);
  const dpdaction = str(child, 'dpdaction', 'none')!;
  const dpd = DPD_ACTIONS[dpdaction];
  if (dpd === undefined) ctx.problems.push(`${where}: dpdaction ${dpdaction} unknown`);
  const hwOffload = str(child, 'hw_offload');
  if (hwOffload !== undefined && !['yes', 'no', 'auto', ''].includes(hwOffload)) ctx.problems.push(`${where}: hw_offload value ${hwOffload} invalid`);

  const localTs = child.options.has('local_nat') ? list(child, 'local_nat') : list(child, 'local_subnet');
  const remoteTs = list(child, 'remote_subnet');
  const esp = proposals(ctx, child, false);

  w.open(child.name, 3);
  if (localTs.length) w.kv(4, 'local_ts', localTs.join(','));
  if (remoteTs.length) w.kv(4, 'remote_ts', remoteTs.join(','));
  if (hwOffload) w.kv(4, 'hw_offload', hwOffload);
  if (bool(child, 'ipcomp', false)) w.kv(4, 'ipcomp', 'yes');
  const simple = (option: string, key = option) => {
    const v = str(child, option);
    if (v !== undefined && v !== '') w.kv(4, key, v);
  };
  simple('interface');
  simple('priority');
  // route-based (VTI-based): the mark is the XFRM interface id, not a mark of the SAs
  const routeBased = str(remote, 'type') === ROUTE_BASED;
  const mark = str(child, 'mark');
  const ifId = str(child, 'if_id') || (routeBased && mark ? ifIdFromMark(mark) : undefined);
  if (ifId) {
    w.kv(4, 'if_id_in', ifId);
    w.kv(4, 'if_id_out', ifId);
  }
  if (mark && !routeBased) {
    w.kv(4, 'mark_in', mark);
    w.kv(4, 'mark_out', mark);
  }
  if (start && start !== 'none') w.kv(4, 'start_action', start);
  if (start === 'start') ctx.started.push({ ike: remote.name, child: child.name });
  if (close && close !== 'none') w.kv(4, 'close_action', close);
  if (esp) w.kv(4, 'esp_proposals', esp);
  w.kv(4, 'mode', child.type);

  const rekeytime = str(child, 'rekeytime');
  const lifetime = str(child, 'lifetime');
  if (lifetime) w.kv(4, 'life_time', lifetime);
  else if (rekeytime) {
    const s = toSeconds(rekeytime);
    if (s === undefined) ctx.problems.push(`${where}: rekeytime ${rekeytime} is not a time`);
    else w.kv(4, 'life_time', fromSeconds(Math.floor((110 * s) / 100)));
  }
  if (rekeytime) w.kv(4, 'rekey_time', rekeytime);
  for (const [life, rekey, lifeKey, rekeyKey] of [
    ['lifebytes', 'rekeybytes', 'life_bytes', 'rekey_bytes'],
    ['lifepackets', 'rekeypackets', 'life_packets', 'rekey_packets'],
  ] as const) {
    const l = str(child, life);
    const r = str(child, rekey);
    if (l) w.kv(4, lifeKey, l);
    else if (r) {
      if (!/^[0-9]+$/.test(r)) ctx.problems.push(`${where}: ${rekey} ${r} is not a number`);
      else w.kv(4, lifeKey, String(Math.floor((110 * Number(r)) / 100)));
    }
    if (r) w.kv(4, rekeyKey, r);
  }
  const inactivity = str(remote, 'inactivity');
  if (inactivity) w.kv(4, 'inactivity', inactivity);
  simple('updown');
  if (dpd) w.kv(4, 'dpd_action', dpd);
  simple('replay_window');
  w.close(3);
  return { dpdNone: dpd === '' };
}

interface RemoteExtras {
  authorities: Array<{ name: string; cacert: string }>;
  secret?: { name: string; lines: Array<[string, string, boolean]> };
}

function renderRemote(ctx: Context, w: Writer, remote: UciSection): RemoteExtras {
  const where = `remote ${remote.name}`;
  const auth = str(remote, 'authentication_method') ?? '';
  if (!AUTH_METHODS.includes(auth)) ctx.problems.push(`${where}: authentication_method ${auth === '' ? '(none)' : auth} not supported`);
  const psk = str(remote, 'pre_shared_key');
  if (auth === 'psk' && !psk) ctx.problems.push(`${where}: psk authentication without pre_shared_key`);
  const localId = str(remote, 'local_identifier');
  const remoteId = str(remote, 'remote_identifier');
  const fragmentationValue = str(remote, 'fragmentation', 'yes')!;
  const fragmentation = FRAGMENTATION[fragmentationValue];
  if (fragmentation === undefined) ctx.problems.push(`${where}: fragmentation ${fragmentationValue} not supported`);
  const keyexchange = str(remote, 'keyexchange', 'ikev2')!;
  if (!(keyexchange in VERSIONS)) ctx.problems.push(`${where}: keyexchange ${keyexchange} not supported`);
  const localCert = checkFileName(ctx, remote, 'local_cert');
  const localKey = checkFileName(ctx, remote, 'local_key');
  const caCert = checkFileName(ctx, remote, 'ca_cert');
  const ike = proposals(ctx, remote, true);

  w.open(remote.name, 1);
  for (const option of ['local_addrs', 'remote_addrs', 'vips']) {
    const v = list(remote, option);
    if (v.length) w.kv(2, option, v.join(','));
  }
  if (fragmentation) w.kv(2, 'fragmentation', fragmentation);
  const pools = list(remote, 'pools');
  if (pools.length) w.kv(2, 'pools', pools.join(','));

  w.open('local', 2);
  w.kv(3, 'auth', auth);
  if (localId) w.kv(3, 'id', localId, true);
  if (auth === 'pubkey' && localCert) w.kv(3, 'certs', certPath(ctx, 'x509', localCert));
  w.close(2);
  w.open('remote', 2);
  w.kv(3, 'auth', auth);
  if (remoteId) w.kv(3, 'id', remoteId, true);
  const cacerts = list(remote, 'remote_ca_certs');
  if (cacerts.length) w.kv(3, 'cacerts', cacerts.join(','), true);
  w.close(2);

  let dpdNone = false;
  w.open('children', 2);
  for (const type of ['tunnel', 'transport']) {
    for (const name of list(remote, type)) {
      const child = named(ctx, type, name);
      if (!child) {
        ctx.problems.push(`${where}: ${type} ${name} is not defined`);
        continue;
      }
      dpdNone = renderChild(ctx, w, child, remote).dpdNone || dpdNone;
    }
  }
  w.close(2);

  const version = VERSIONS[keyexchange];
  if (version) w.kv(2, 'version', version);
  const sendCert = str(remote, 'send_cert');
  if (sendCert) w.kv(2, 'send_cert', sendCert);
  w.kv(2, 'send_certreq', bool(remote, 'send_certreq', true) ? 'yes' : 'no');
  w.kv(2, 'mobike', bool(remote, 'mobike', true) ? 'yes' : 'no');
  const rekeytime = str(remote, 'rekeytime');
  let overtime = str(remote, 'overtime');
  if (rekeytime) {
    w.kv(2, 'rekey_time', rekeytime);
    if (!overtime) {
      const s = toSeconds(rekeytime);
      if (s === undefined) ctx.problems.push(`${where}: rekeytime ${rekeytime} is not a time`);
      else overtime = fromSeconds(Math.floor(s / 10));
    }
  }
  if (overtime) w.kv(2, 'over_time', overtime);
  if (ike) w.kv(2, 'proposals', ike);
  const dpddelay = dpdNone ? '0s' : str(remote, 'dpddelay', '30s');
  if (dpddelay) w.kv(2, 'dpd_delay', dpddelay);
  w.kv(2, 'encap', bool(remote, 'encap', false) ? 'yes' : 'no');
  const keyingtries = str(remote, 'keyingtries', '3')!;
  w.kv(2, 'keyingtries', keyingtries === '%forever' ? '0' : keyingtries);
  w.close(1);

  const extras: RemoteExtras = { authorities: [] };
  if (auth === 'pubkey' && caCert) {
    extras.authorities.push({ name: remote.name, cacert: certPath(ctx, 'x509ca', caCert) });
    // the rest of a shared_ca chain: OpenWRT's swanctl loads every x509ca/ file; here each is named
    list(remote, 'api_ca_chain').forEach((file, i) => {
      if (file.includes('/')) ctx.problems.push(`${where}: api_ca_chain ${file} can't be pathname`);
      else extras.authorities.push({ name: `${remote.name}_ca${i + 1}`, cacert: certPath(ctx, 'x509ca', file) });
    });
  }
  const secretLines: Array<[string, string, boolean]> = [];
  if (auth === 'psk' && psk) {
    secretLines.push(['secret', psk, true]);
    if (localId) {
      secretLines.push(['id1', localId, true]);
      if (remoteId) secretLines.push(['id2', remoteId, true]);
    }
    extras.secret = { name: `ike-${remote.name}`, lines: secretLines };
  }
  if (auth === 'pubkey' && localKey && ctx.opts.swanctlDir) {
    extras.secret = { name: `private-${remote.name}`, lines: [['file', certPath(ctx, 'private', localKey), false]] };
  }
  return extras;
}

/** swanctl.conf for the enabled remotes of the `ipsec` package; throws RenderError when invalid. */
export function renderSwanctl(pkg: UciPackage, opts: RenderOptions = {}): RenderedSwanctl {
  const ctx: Context = { pkg, problems: [], opts, started: [] };
  const w = new Writer(ctx.problems);
  const remotes = pkg.sections.filter((s) => s.type === 'remote' && bool(s, 'enabled', false));
  const extras: RemoteExtras[] = [];

  w.comment(`generated by sdewan-agent from the ${pkg.name} config`);
  w.blank();
  w.open('connections', 0);
  for (const remote of remotes) extras.push(renderRemote(ctx, w, remote));
  w.close(0);

  const pools = pkg.sections.filter((s) => s.type === 'pools');
  if (pools.length) {
    w.blank();
    w.open('pools', 0);
    for (const pool of pools) {
      w.open(pool.name, 1);
      const addrs = str(pool, 'addrs');
      if (addrs) w.kv(2, 'addrs', addrs);
      for (const option of ['dns', 'nbns', 'dhcp', 'netmask', 'server', 'subnet', 'split_include', 'split_exclude']) {
        const v = list(pool, option);
        if (v.length) w.kv(2, option, v.join(','));
      }
      w.close(1);
    }
    w.close(0);
  }

  const authorities = extras.flatMap((e) => e.authorities);
  if (authorities.length) {
    w.blank();
    w.open('authorities', 0);
    for (const a of authorities) {
      w.open(a.name, 1);
      w.kv(2, 'cacert', a.cacert);
      w.close(1);
    }
    w.close(0);
  }

  const secrets = extras.flatMap((e) => (e.secret ? [e.secret] : []));
  if (secrets.length) {
    w.blank();
    w.open('secrets', 0);
    for (const s of secrets) {
      w.open(s.name, 1);
      for (const [key, value, quote] of s.lines) w.kv(2, key, value, quote);
      w.close(1);
    }
    w.close(0);
  }

  if (ctx.problems.length) throw new RenderError(ctx.problems);
  return { text: w.text(), connections: remotes.map((r) => r.name), started: ctx.started };
}
