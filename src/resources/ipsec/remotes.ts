import * as z from 'zod';
import { conflict, fieldError } from '../../errors.js';
import {
  certFileName,
  certFiles,
  certPath,
  CERT_FIELDS,
  CHAIN_OPTION,
  CHAIN_SEPARATOR,
  chainFileName,
  chainFileNames,
  pemBase64,
  pemBase64Example,
  pemChainBase64,
} from '../../ipsec/certs.js';
import type { BatchOp, UciPackage, UciSection, UciValue } from '../../uci/types.js';
import { namedSectionOps, optionList, optionString, syncOptionsOps } from '../fields.js';
import { API_NAME_OPTION, apiNameOf, claimGenerated, claimSectionName, findNamed, sectionNameFor } from '../names.js';
import { bool01, stringList, text } from '../schema.js';
import { defineResource, type Snapshot } from '../types.js';
import {
  apiCopyOption,
  apiName,
  commaList,
  CONNECTION_TYPES,
  type ConnectionType, getCommaField,
  IPSEC,
  isPeerAddress,
  POOL_TYPE,
  presharedKey,
  proposalNames,
  proposalSections,
  PROPOSAL_TYPE,
  REMOTE_TYPE,
  ROUTE_BASED,
  setCommaField,
  splitComma,
  swanctlText,
} from './common.js';
import { CONNECTION_OPTIONS, connectionOf, connectionOptions, connectionSchema, connectionTypeOf, poolAddrs, virtualIps } from './connections.js';

/**
 * An IPsec remote (the controller's IpsecSite / IpsecHost): `config remote '<name>'` in the
 * schema of OpenWRT's swanctl.init, plus one `tunnel`/`transport` section per connection
 * (src/resources/ipsec/connections.ts).
 *
 * | API field              | UCI option of the remote | meaning for swanctl.init                     |
 * |------------------------|--------------------------|----------------------------------------------|
 * | (always)               | enabled '1'              | only enabled remotes are rendered            |
 * | type                   | type                     | kept (VTI-based / policy-based); VTI-based: route-based, each connection's mark is its if_id |
 * | gateway                | list remote_addrs        | remote_addrs (`api_gateway` keeps the string when needed) |
 * | (gateway, again)       | gateway                  | remote_addrs of OpenWRT 24.10's swanctl.init (the image's) |
 * | authentication_method  | authentication_method    | local/remote auth (psk, pubkey)              |
 * | pre_shared_key         | pre_shared_key           | secrets { ike-<remote> { secret } }          |
 * | local_identifier       | local_identifier         | local id, secret id1                         |
 * | remote_identifier      | remote_identifier        | remote id, secret id2                        |
 * | crypto_proposal        | list crypto_proposal     | IKE proposals (proposal section names)       |
 * | force_crypto_proposal  | force_crypto_proposal    | kept (swanctl proposals are always strict)   |
 * | local_public_cert      | local_cert '<f>.pem'     | certs = x509/<f>.pem                         |
 * | local_private_cert     | local_key '<f>.pem'      | private/<f>.pem (strongSwan finds it)        |
 * | shared_ca              | ca_cert '<f>.pem'        | authorities { cacert = x509ca/<f>.pem }      |
 * | (shared_ca, a chain)   | list api_ca_chain        | x509ca/<f>_ca1.pem ...: trusted as every x509ca/ file |
 * | connections            | list tunnel / transport  | children                                     |
 * | (connections' local_sourceip) | list vips         | virtual IPs requested (%config -> 0.0.0.0 / ::) |
 * | (the same)             | list local_sourceip      | vips of OpenWRT 24.10's swanctl.init          |
 * | (connections' remote_sourceip) | list pools       | `config pools '<conn>_pool'` with `addrs`    |
 *
 * Connections read back in file order; a PUT that changes their names, types or order
 * rewrites them in the order sent. The GET of a remote always carries `connections` (the
 * controller always sends the list, possibly empty, and compares with deep equality).
 */
const GATEWAY_HINT = 'peer addresses (IP, CIDR, range, host name or %any)';

/** ICN's IpsecHost and IpsecSite samples, as the controller sends them. */
const HOST_EXAMPLE = {
  name: 'hostA',
  type: 'VTI-based',
  gateway: '10.10.10.35',
  authentication_method: 'psk',
  pre_shared_key: 'test_key',
  local_identifier: 'host',
  remote_identifier: 'Hub',
  crypto_proposal: ['ipsecproposal'],
  force_crypto_proposal: '0',
  connections: [
    { name: 'connA', conn_type: 'tunnel', mode: 'start', mark: '42', local_sourceip: '%config', remote_subnet: '192.168.1.1/24,10.10.10.35/32', crypto_proposal: ['ipsecproposal'] },
  ],
};
const SITE_EXAMPLE = {
  ...HOST_EXAMPLE,
  name: 'siteA',
  gateway: '%any',
  local_identifier: 'Hub',
  remote_identifier: 'host',
  connections: [
    { name: 'connB', conn_type: 'tunnel', mode: 'start', mark: '42', remote_sourceip: '192.168.1.5-192.168.1.6', local_subnet: '192.168.1.1/24,10.10.10.35/32', crypto_proposal: ['ipsecproposal'] },
  ],
};

const schema = z
  .object({
    name: apiName().meta({ description: 'The remote name (the IKE connection of swanctl).', examples: ['hostA'] }),
    type: swanctlText('a type')
      .optional()
      .meta({ description: '`VTI-based`: route-based, each connection\'s mark is its XFRM interface id; otherwise kept as sent (`policy-based`).', examples: ['VTI-based'] }),
    gateway: z
      .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'should be a string') })
      .pipe(commaList(isPeerAddress, GATEWAY_HINT))
      .meta({ description: 'The peer: addresses, CIDRs, ranges, host names or `%any`, separated by commas.', examples: ['10.10.10.35'] }),
    authentication_method: z
      .enum(['psk', 'pubkey'], { error: (iss) => (iss.input === undefined ? 'is required' : 'should be one of psk, pubkey') })
      .meta({ description: '`psk` needs `pre_shared_key`; `pubkey` the three certificate fields.', examples: ['psk'] }),
    pre_shared_key: presharedKey().optional().meta({ description: 'The shared secret (with `psk`).', examples: ['test_key'] }),
    local_identifier: swanctlText('an identity').optional().meta({ description: "This side's IKE identity.", examples: ['host'] }),
    remote_identifier: swanctlText('an identity').optional().meta({ description: "The peer's IKE identity.", examples: ['Hub'] }),
    crypto_proposal: stringList(text()).optional().meta({ description: 'The IKE proposals, by proposal name (each must exist: 428).', examples: [['ipsecproposal']] }),
    force_crypto_proposal: bool01().optional().meta({ description: 'Kept for the controller: swanctl proposals are always strict.', examples: ['0'] }),
    local_public_cert: pemBase64('certificate').optional().meta({ description: "This side's certificate (with `pubkey`): the base64 of its PEM file, padded, on one line.", examples: [pemBase64Example('CERTIFICATE')] }),
    local_private_cert: pemBase64('private key').optional().meta({ description: "This side's private key (with `pubkey`): the base64 of its PEM file.", examples: [pemBase64Example('PRIVATE KEY')] }),
    shared_ca: pemChainBase64('CA certificate')
      .optional()
      .meta({ description: `The CA certificate (with \`pubkey\`): the base64 of its PEM file; a chain joins several with \`${CHAIN_SEPARATOR}\`.`, examples: [pemBase64Example('CERTIFICATE')] }),
    connections: z
      .array(connectionSchema, { error: 'should be a list of connections' })
      .optional()
      .meta({ description: 'The child SAs; always in a GET answer, possibly empty.', examples: [HOST_EXAMPLE.connections] }),
  })
  .superRefine((r, ctx) => {
    if (r.authentication_method === 'psk' && r.pre_shared_key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pre_shared_key'], message: 'is required when authentication_method is psk' });
    }
    if (r.authentication_method === 'pubkey') {
      for (const f of CERT_FIELDS) {
        if (r[f.api] === undefined) ctx.addIssue({ code: 'custom', path: [f.api], message: 'is required when authentication_method is pubkey' });
      }
    }
    const seen = new Map<string, number>();
    r.connections?.forEach((c, i) => {
      const key = c.name.replace(/[-.]/g, '_');
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['connections', i, 'name'], message: `maps to the same UCI section as connections.${first}.name` });
      } else seen.set(key, i);
    });
   })
  .meta({ description: "An IPsec peer, ICN's IpsecHost or IpsecSite (swanctl.init's `config remote`, one section per connection).", examples: [HOST_EXAMPLE, SITE_EXAMPLE] });
export type IpsecRemote = z.infer<typeof schema>;

const SIMPLE: ReadonlyArray<keyof IpsecRemote & string> = [
  'authentication_method',
  'pre_shared_key',
  'local_identifier',
  'remote_identifier',
];

/**
 * The names OpenWRT 24.10's swanctl.init (the image's strongSwan 5.9 package) reads for what
 * later releases call remote_addrs and vips: both are written, so either script renders the
 * remote. They are derived from the API fields, and read only from a remote written by hand
 * without the newer names.
 */
const LEGACY_GATEWAY = 'gateway';
const LEGACY_VIPS = 'local_sourceip';

const REMOTE_OPTIONS: readonly string[] = [
  'enabled',
  'type',
  'remote_addrs',
  LEGACY_GATEWAY,
  apiCopyOption('gateway'),
  ...SIMPLE,
  PROPOSAL_TYPE,
  'force_crypto_proposal',
  ...CERT_FIELDS.map((f) => f.option),
  CHAIN_OPTION,
  'vips',
  LEGACY_VIPS,
  'pools',
  ...CONNECTION_TYPES,
  API_NAME_OPTION,
];
const CHILD_OPTIONS: readonly string[] = [...CONNECTION_OPTIONS, API_NAME_OPTION];

const remoteSections = (pkg: UciPackage | undefined) => (pkg?.sections ?? []).filter((s) => s.type === REMOTE_TYPE && !s.anonymous);

/** The tunnel and transport sections a remote lists, in file order. */
function childSections(remote: UciSection, pkg: UciPackage): UciSection[] {
  const listed = new Map<string, string[]>(CONNECTION_TYPES.map((t) => [t, optionList(remote, t)]));
  return pkg.sections.filter((s) => !s.anonymous && listed.get(s.type)?.includes(s.name));
}

/** The pool sections a remote lists. */
function poolSections(remote: UciSection, pkg: UciPackage): UciSection[] {
  const listed = optionList(remote, 'pools');
  return pkg.sections.filter((s) => s.type === POOL_TYPE && !s.anonymous && listed.includes(s.name));
}

function remoteOf(section: UciSection, pkg: UciPackage): IpsecRemote {
  const obj: Record<string, unknown> = { name: apiNameOf(section) };
  const type = optionString(section, 'type');
  if (type !== undefined) obj.type = type;
  // a hand-written remote in the schema of OpenWRT 24.10 has only `gateway`
  const gateway = getCommaField(section, 'remote_addrs', 'gateway') ?? optionString(section, LEGACY_GATEWAY);
  if (gateway !== undefined) obj.gateway = gateway;
  for (const f of SIMPLE) {
    const value = optionString(section, f);
    if (value !== undefined) obj[f] = value;
  }
  if (section.options.has(PROPOSAL_TYPE)) obj.crypto_proposal = proposalNames(pkg, section);
  const force = optionString(section, 'force_crypto_proposal');
  if (force !== undefined) obj.force_crypto_proposal = force;
  obj.connections = childSections(section, pkg).map((s) => connectionOf(s, pkg));
  return obj as IpsecRemote;
}

interface ChildPlan {
  section: string;
  type: ConnectionType;
  options: Map<string, UciValue>;
}

interface RemotePlan {
  section: string;
  current: UciSection | undefined;
  options: Map<string, UciValue>;
  children: ChildPlan[];
  pools: Array<{ section: string; addrs: string }>;
  ownedChildren: UciSection[];
  ownedPools: UciSection[];
}

/**
 * The sections that will hold `obj`. Every check that needs the package happens here:
 * 409 when a name maps onto a section another object holds, 428 for a missing proposal.
 */
function planRemote(obj: IpsecRemote, pkg: UciPackage): RemotePlan {
  const section = claimSectionName(pkg, REMOTE_TYPE, obj.name);
  const current = pkg.sections.find((s) => s.name === section && s.type === REMOTE_TYPE);
  const ownedChildren = current ? childSections(current, pkg) : [];
  const ownedPools = current ? poolSections(current, pkg) : [];
  const owned = new Set([...ownedChildren, ...ownedPools].map((s) => s.name));
  const taken = new Map<string, string>([[section, 'name']]);
  const claim = (name: string, field: string) => {
    const other = taken.get(name);
    if (other !== undefined) throw fieldError(field, `maps to UCI section '${name}', which ${other} needs`);
    claimGenerated(pkg, name, owned, field);
    taken.set(name, field);
  };

  const children: ChildPlan[] = [];
  const pools: RemotePlan['pools'] = [];
  (obj.connections ?? []).forEach((c, i) => {
    const field = `connections.${i}`;
    const child = sectionNameFor(c.name, `${field}.name`);
    claim(child, `${field}.name`);
    const proposals = c.crypto_proposal && proposalSections(pkg, c.crypto_proposal, `${field}.crypto_proposal`);
    const options = connectionOptions(c, proposals, obj.type === ROUTE_BASED);
    if (child !== c.name) options.set(API_NAME_OPTION, c.name);
    children.push({ section: child, type: connectionTypeOf(c), options });
    const addrs = poolAddrs(c);
    if (addrs !== undefined) {
      const pool = `${child}_pool`;
      claim(pool, `${field}.remote_sourceip`);
      pools.push({ section: pool, addrs });
    }
  });

  const options = new Map<string, UciValue>([['enabled', '1']]);
  if (obj.type !== undefined) options.set('type', obj.type);
  setCommaField(options, 'remote_addrs', 'gateway', obj.gateway);
  options.set(LEGACY_GATEWAY, splitComma(obj.gateway).join(','));
  for (const f of SIMPLE) {
    const value = obj[f];
    if (typeof value === 'string') options.set(f, value);
  }
  if (obj.crypto_proposal !== undefined) options.set(PROPOSAL_TYPE, proposalSections(pkg, obj.crypto_proposal, 'crypto_proposal'));
  if (obj.force_crypto_proposal !== undefined) options.set('force_crypto_proposal', obj.force_crypto_proposal);
  for (const f of CERT_FIELDS) if (obj[f.api] !== undefined) options.set(f.option, certFileName(section));
  const chain = chainFileNames(section, obj.shared_ca);
  if (chain.length > 0) options.set(CHAIN_OPTION, chain);
  const vips = virtualIps(obj.connections ?? []);
  if (vips.length > 0) options.set('vips', vips).set(LEGACY_VIPS, vips);
  if (pools.length > 0) options.set('pools', pools.map((p) => p.section));
  for (const type of CONNECTION_TYPES) {
    const names = children.filter((c) => c.type === type).map((c) => c.section);
    if (names.length > 0) options.set(type, names);
  }
  if (section !== obj.name) options.set(API_NAME_OPTION, obj.name);
  return { section, current, options, children, pools, ownedChildren, ownedPools };
}

function remoteOps(plan: RemotePlan, pkg: UciPackage): BatchOp[] {
  const ops = namedSectionOps(pkg, plan.section, REMOTE_TYPE, plan.options, REMOTE_OPTIONS);
  const shape = (xs: Array<{ type: string; name: string }>) => xs.map((x) => `${x.type} ${x.name}`).join('\n');
  if (shape(plan.ownedChildren) === shape(plan.children.map((c) => ({ type: c.type, name: c.section })))) {
    for (const c of plan.children) ops.push(...namedSectionOps(pkg, c.section, c.type, c.options, CHILD_OPTIONS));
  } else {
    // names, types or order changed: rewrite the connections in the order sent
    for (const s of plan.ownedChildren) ops.push({ op: 'delete', section: s.name });
    for (const c of plan.children) {
      ops.push({ op: 'section', section: c.section, type: c.type }, ...syncOptionsOps(c.section, undefined, c.options, CHILD_OPTIONS));
    }
  }
  const keep = new Set(plan.pools.map((p) => p.section));
  for (const s of plan.ownedPools) if (!keep.has(s.name)) ops.push({ op: 'delete', section: s.name });
  for (const p of plan.pools) ops.push(...namedSectionOps(pkg, p.section, POOL_TYPE, new Map([['addrs', p.addrs]]), ['addrs']));
  return ops;
}

/** The further shared_ca files a remote lists that carry the names the agent gives them. */
const ownChainFiles = (remote: UciSection): string[] =>
  optionList(remote, CHAIN_OPTION).filter((file, i) => file === chainFileName(remote.name, i + 1));

const ipsecOf = (snap: Snapshot): UciPackage => snap[IPSEC] ?? { name: IPSEC, sections: [] };

export const remotes = defineResource({
  domain: 'ipsec',
  collection: 'remotes',
  aliases: ['sites'],
  config: IPSEC,
  service: 'ipsec',
  schema,
  list: (snap) => {
    const pkg = ipsecOf(snap);
    return remoteSections(pkg).map((s) => remoteOf(s, pkg));
  },
  check(obj, snap) {
    planRemote(obj, ipsecOf(snap));
  },
  toBatch(obj, snap) {
    const pkg = ipsecOf(snap);
    return remoteOps(planRemote(obj, pkg), pkg);
  },
  deleteBatch(name, snap) {
    const pkg = ipsecOf(snap);
    const remote = findNamed(pkg, REMOTE_TYPE, name)!;
    const owned = [...childSections(remote, pkg), ...poolSections(remote, pkg)];
    return [...owned.map((s): BatchOp => ({ op: 'delete', section: s.name })), { op: 'delete', section: remote.name }];
  },
  preconditions: 'a proposal named in `crypto_proposal` or in a connection does not exist',
  ownedFiles: {
    root: 'swanctl',
    dirs: CERT_FIELDS.map((f) => f.dir),
    files: (obj) => certFiles(sectionNameFor(obj.name), obj),
    paths(name, snap) {
      const remote = findNamed(ipsecOf(snap), REMOTE_TYPE, name);
      if (!remote) return [];
      // only the files the agent named for this remote: a hand-made remote may point at shared ones
      const own = CERT_FIELDS.filter((f) => optionString(remote, f.option) === certFileName(remote.name)).map((f) => `${f.dir}/${certFileName(remote.name)}`);
      return [...own, ...ownChainFiles(remote).map((file) => `x509ca/${file}`)];
    },
    fill(obj, snap, read) {
      const remote = findNamed(ipsecOf(snap), REMOTE_TYPE, obj.name);
      if (!remote) return obj;
      const out: IpsecRemote = { ...obj };
      for (const f of CERT_FIELDS) {
        const path = certPath(f, optionString(remote, f.option));
        const bytes = path === undefined ? undefined : read(path);
        if (bytes !== undefined) out[f.api] = bytes.toString('base64');
      }
      // the rest of a chain, in order, up to the first file missing
      let complete = out.shared_ca !== undefined;
      for (const file of ownChainFiles(remote)) {
        const bytes = read(`x509ca/${file}`);
        complete &&= bytes !== undefined;
        if (complete) out.shared_ca += `${CHAIN_SEPARATOR}${bytes!.toString('base64')}`;
      }
      return out;
    },
  },
});
