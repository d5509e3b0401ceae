import * as z from 'zod';
import { optionString } from '../fields.js';
import { apiNameOf } from '../names.js';
import { oneOf, stringList, text } from '../schema.js';
import type { UciPackage, UciSection, UciValue } from '../../uci/types.js';
import {
  apiCopyOption,
  apiName,
  CONNECTION_TYPES,
  type ConnectionType,
  commaList,
  getCommaField,
  ifIdFromMark,
  ifIdValue,
  isIp,
  isSourceIp,
  isTrafficSelector,
  markValue,
  proposalNames,
  PROPOSAL_TYPE,
  setCommaField,
  splitComma,
  updownScript,
} from './common.js';

/**
 * One connection of a remote: a `config tunnel` or `config transport` section (its type is
 * `conn_type`), listed from the remote's `tunnel` / `transport` list, as swanctl.init reads
 * them (each becomes a child SA of the remote's IKE connection).
 *
 * | API field        | UCI option          | meaning for swanctl.init                               |
 * |------------------|---------------------|--------------------------------------------------------|
 * | mode             | startaction         | start/add/route (swanctl.init maps add->none, route->trap) |
 * | local_subnet     | list local_subnet   | local_ts                                               |
 * | local_nat        | list local_nat      | (older swanctl.init: replaces local_subnet in local_ts) |
 * | local_sourceip   | local_sourceip      | kept; its addresses also go into the remote's `vips`   |
 * | local_updown     | updown              | updown                                                 |
 * | local_firewall   | local_firewall      | kept (no swanctl meaning)                              |
 * | remote_subnet    | list remote_subnet  | remote_ts                                              |
 * | remote_sourceip  | remote_sourceip     | kept; a single CIDR, range or address also becomes an address pool |
 * | remote_updown    | remote_updown       | kept (no swanctl meaning)                              |
 * | remote_firewall  | remote_firewall     | kept (no swanctl meaning)                              |
 * | crypto_proposal  | list crypto_proposal| esp_proposals (proposal section names)                 |
 * | conn_type / type | (the section type)  | `type` is conn_type's 2020 name; `api_type_field` says which was sent |
 * | mark             | mark                | kept (the agent's swanctl renderer: mark_in/mark_out; route-based: the if_id) |
 * | if_id            | if_id               | if_id_in / if_id_out (route-based: the mark when not sent, `api_if_id_from 'mark'`) |
 *
 * Comma-separated subnets are stored as lists; `api_<field>` keeps the string as sent when the
 * list joined with `,` would not give it back (src/resources/ipsec/common.ts).
 */
const trafficSelectors = () => commaList(isTrafficSelector, 'subnets (CIDR, address, range or dynamic, optionally [proto/port])');
const sourceIps = () => commaList(isSourceIp, 'addresses, CIDRs, ranges or %config');

const connectionType = () =>
  z.enum(CONNECTION_TYPES, { error: (iss) => (iss.input === undefined ? 'is required' : 'should be one of tunnel, transport') });

export const connectionSchema = z
  .object({
    name: apiName().meta({ description: 'The connection name (a child SA of the remote).', examples: ['connA'] }),
    conn_type: connectionType().optional().meta({ description: 'Tunnel or transport mode; `conn_type` or `type` is required.', examples: ['tunnel'] }),
    /** The 2020 name of conn_type (ICN's e2e script sends it); read back under the name sent. */
    type: connectionType().optional().meta({ description: 'The older name of `conn_type` (read back under the name sent).', examples: ['tunnel'] }),
    mode: z
      .enum(['start', 'add', 'route'], { error: (iss) => (iss.input === undefined ? 'is required' : 'should be one of start, add, route') })
      .meta({ description: '`start`: bring it up at once; `add`: wait for the peer; `route`: bring it up on the first matching packet.', examples: ['start'] }),
    local_subnet: trafficSelectors().optional().meta({ description: 'Local traffic selectors.', examples: ['192.168.1.1/24,10.10.10.35/32'] }),
    local_nat: trafficSelectors().optional().meta({ description: 'Local traffic selectors after NAT (older swanctl.init: in place of `local_subnet`).', examples: ['10.10.10.0/24'] }),
    local_sourceip: sourceIps().optional().meta({ description: 'Virtual IPs this side asks for (`%config`: any the peer gives).', examples: ['%config'] }),
    local_updown: updownScript().optional().meta({ description: 'The updown script run when the connection goes up or down.', examples: ['/etc/updown'] }),
    local_firewall: oneOf(['yes', 'no']).optional().meta({ description: 'Kept for the controller; no swanctl meaning.', examples: ['no'] }),
    remote_subnet: trafficSelectors().optional().meta({ description: 'Remote traffic selectors.', examples: ['192.168.1.1/24,10.10.10.35/32'] }),
    remote_sourceip: sourceIps()
      .optional()
      .meta({ description: 'Virtual IPs handed to the peer; a single CIDR, range or address becomes an address pool.', examples: ['192.168.1.5-192.168.1.6'] }),
    remote_updown: updownScript().optional().meta({ description: 'Kept for the controller; no swanctl meaning.', examples: ['/etc/updown'] }),
    remote_firewall: oneOf(['yes', 'no']).optional().meta({ description: 'Kept for the controller; no swanctl meaning.', examples: ['no'] }),
    crypto_proposal: stringList(text()).optional().meta({ description: 'The ESP proposals, by proposal name (each must exist: 428).', examples: [['ipsecproposal']] }),
    mark: markValue()
      .optional()
      .meta({ description: 'The mark of the SA traffic (`value[/mask]`, decimal or 0x hex, or `%unique`, `%unique-dir`, `%same`); of a VTI-based remote: also its if_id.', examples: ['42'] }),
    if_id: ifIdValue().optional().meta({ description: 'The XFRM interface id (decimal or 0x hex, `%unique`, `%unique-dir`); VTI-based: the mark when not sent.', examples: ['42'] }),
  })
  .superRefine((c, ctx) => {
    if (c.conn_type === undefined && c.type === undefined) {
      ctx.addIssue({ code: 'custom', path: ['conn_type'], message: 'is required (or type, its older name)' });
    } else if (c.conn_type !== undefined && c.type !== undefined && c.conn_type !== c.type) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'should be the same as conn_type' });
    }
  })
  .meta({ description: 'A connection of a remote (`config tunnel` or `config transport`).' });
export type IpsecConnection = z.infer<typeof connectionSchema>;

const PLAIN: ReadonlyArray<[keyof IpsecConnection, string]> = [
  ['local_sourceip', 'local_sourceip'],
  ['local_updown', 'updown'],
  ['local_firewall', 'local_firewall'],
  ['remote_sourceip', 'remote_sourceip'],
  ['remote_updown', 'remote_updown'],
  ['remote_firewall', 'remote_firewall'],
];
const COMMA: readonly string[] = ['local_subnet', 'local_nat', 'remote_subnet'];

/** Which of conn_type / type the connection was sent with, when it was not conn_type alone. */
const TYPE_FIELD_OPTION = 'api_type_field';
/** Set when `if_id` was derived from the mark (a route-based remote), not sent. */
const IF_ID_FROM_OPTION = 'api_if_id_from';

/** Every option a connection section holds for the API (api_name is the caller's). */
export const CONNECTION_OPTIONS: readonly string[] = [
  'startaction',
  ...COMMA.flatMap((f) => [f, apiCopyOption(f)]),
  ...PLAIN.map(([, o]) => o),
  PROPOSAL_TYPE,
  'mark',
  'if_id',
  TYPE_FIELD_OPTION,
  IF_ID_FROM_OPTION,
];

/** tunnel or transport, whichever of its two names the connection was sent with. */
export const connectionTypeOf = (c: IpsecConnection): ConnectionType => (c.conn_type ?? c.type)!;

/**
 * The options of a connection section; `proposals` are the section names of its proposals.
 * In a route-based remote (`type` VTI-based), a connection with a mark and no if_id gets the
 * mark as its if_id: swanctl.init renders if_id_in/if_id_out from it, the XFRM interface of
 * the updown script (openwrt-image/etc/updown) is keyed on it.
 */
export function connectionOptions(c: IpsecConnection, proposals: string[] | undefined, routeBased = false): Map<string, UciValue> {
  const options = new Map<string, UciValue>();
  options.set('startaction', c.mode);
  setCommaField(options, 'local_subnet', 'local_subnet', c.local_subnet);
  setCommaField(options, 'local_nat', 'local_nat', c.local_nat);
  setCommaField(options, 'remote_subnet', 'remote_subnet', c.remote_subnet);
  for (const [field, option] of PLAIN) {
    const value = c[field];
    if (typeof value === 'string') options.set(option, value);
  }
  if (proposals !== undefined) options.set(PROPOSAL_TYPE, proposals);
  if (c.mark !== undefined) options.set('mark', c.mark);
  if (c.if_id !== undefined) options.set('if_id', c.if_id);
  else if (routeBased && c.mark !== undefined) {
    const ifId = ifIdFromMark(c.mark);
    if (ifId !== undefined) options.set('if_id', ifId).set(IF_ID_FROM_OPTION, 'mark');
  }
  if (c.type !== undefined) options.set(TYPE_FIELD_OPTION, c.conn_type !== undefined ? 'both' : 'type');
  return options;
}

/** swanctl's own start actions, read back as the ipsec.conf words the API uses. */
const MODE_OF: Record<string, IpsecConnection['mode']> = { start: 'start', add: 'add', route: 'route', trap: 'route', none: 'add' };

/** The API object of a tunnel or transport section. */
export function connectionOf(section: UciSection, pkg: UciPackage | undefined): IpsecConnection {
  const obj: Record<string, unknown> = { name: apiNameOf(section) };
  const sentAs = optionString(section, TYPE_FIELD_OPTION);
  if (sentAs !== 'type') obj.conn_type = section.type;
  if (sentAs === 'type' || sentAs === 'both') obj.type = section.type;
  const mode = MODE_OF[optionString(section, 'startaction') ?? ''];
  if (mode) obj.mode = mode;
  for (const f of COMMA) {
    const value = getCommaField(section, f, f);
    if (value !== undefined) obj[f] = value;
  }
  for (const [field, option] of PLAIN) {
    const value = optionString(section, option);
    if (value !== undefined) obj[field] = value;
  }
  if (section.options.has(PROPOSAL_TYPE)) obj.crypto_proposal = proposalNames(pkg, section);
  const mark = optionString(section, 'mark');
  if (mark !== undefined) obj.mark = mark;
  const ifId = optionString(section, 'if_id');
  if (ifId !== undefined && optionString(section, IF_ID_FROM_OPTION) === undefined) obj.if_id = ifId;
  return obj as IpsecConnection;
}

/** The virtual IPs a remote asks for: its connections' local_sourceip, `%config` as swanctl spells it. */
export function virtualIps(connections: readonly IpsecConnection[]): string[] {
  const vips: string[] = [];
  for (const c of connections) {
    for (const entry of c.local_sourceip === undefined ? [] : splitComma(c.local_sourceip)) {
      const vip = entry === '%config6' ? '::' : entry.startsWith('%config') ? '0.0.0.0' : entry;
      if (!vips.includes(vip)) vips.push(vip);
    }
  }
  return vips;
}

/**
 * The address pool a connection's remote_sourceip defines (the addresses handed to the peer,
 * ipsec.conf's rightsourceip): swanctl takes one CIDR or one range per pool. A single address
 * (what ICN's central controller hands each device) is the range of that one address.
 */
export function poolAddrs(c: IpsecConnection): string | undefined {
  const value = c.remote_sourceip;
  if (value === undefined || value.includes(',') || value.startsWith('%')) return undefined;
  if (isIp(value)) return `${value}-${value}`;
  return value.includes('/') || value.includes('-') ? value : undefined;
}
