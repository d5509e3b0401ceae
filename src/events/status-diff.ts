import type { ViciSection } from '../ipsec/vici.js';
import { apiNameOf } from '../resources/names.js';
import type { IkeSa } from '../status/ike-sas.js';
import { remoteStateOf } from '../status/ipsec.js';
import type { LegacyMwan3Status } from '../status/mwan3.js';
import type { UciPackage } from '../uci/types.js';
import type { IpsecEventData, WanEventData } from './hub.js';

/** Pure comparisons of two readings of the box's live state, for the event stream. */

/** The status of each mwan3 interface (`online`, `offline`, ...). */
export const wanStates = (status: LegacyMwan3Status): Map<string, string> =>
  new Map(Object.entries(status.interfaces).map(([name, i]) => [name, i.status]));

/** Interfaces whose status changed; an interface seen for the first time is not a change. */
export function wanChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): WanEventData[] {
  const out: WanEventData[] = [];
  for (const [name, status] of after) {
    const previous = before.get(name);
    if (previous !== undefined && previous !== status) out.push({ interface: name, status, previous });
  }
  return out;
}

/** The API names of the remotes and connections of an ipsec config, by UCI section name (charon's names). */
export interface IpsecNames {
  remote(connection: string): string;
  child(child: string): string;
}

export function ipsecNames(ipsec: UciPackage): IpsecNames {
  const byName = new Map(ipsec.sections.map((s) => [s.name, s]));
  const nameOf = (types: string[]) => (name: string) => {
    const s = byName.get(name);
    return s && types.includes(s.type) ? apiNameOf(s) : name;
  };
  return { remote: nameOf(['remote']), child: nameOf(['tunnel', 'transport']) };
}

/** Child SA states that carry traffic. */
const CHILD_UP = new Set(['INSTALLED', 'REKEYING', 'REKEYED', 'UPDATING']);

/** The IKE SAs (by remote) and child SAs (remote and child) that are up, keyed `remote` / `remote\0child`. */
export function upSas(sas: readonly IkeSa[], names: IpsecNames): Map<string, Omit<IpsecEventData, 'state'>> {
  const up = new Map<string, Omit<IpsecEventData, 'state'>>();
  for (const sa of sas) {
    if (remoteStateOf(sa.state) !== 'up') continue;
    const remote = names.remote(sa.name);
    up.set(remote, { remote });
    for (const c of sa.childSas) {
      if (!CHILD_UP.has(c.state)) continue;
      const child = names.child(c.name);
      up.set(`${remote}\0${child}`, { remote, child });
    }
  }
  return up;
}

/** What went up and what went down, the IKE SAs before their children. */
export function ipsecChanges(
  before: ReadonlyMap<string, Omit<IpsecEventData, 'state'>>,
  after: ReadonlyMap<string, Omit<IpsecEventData, 'state'>>,
): IpsecEventData[] {
  const out: IpsecEventData[] = [];
  for (const [key, sa] of after) if (!before.has(key)) out.push({ ...sa, state: 'up' });
  for (const [key, sa] of before) if (!after.has(key)) out.push({ ...sa, state: 'down' });
  return out;
}

/**
 * The events of a vici `ike-updown` or `child-updown` event: `up = yes` when going up (absent
 * going down), then the IKE SA's section named by its connection, holding `child-sas` for a
 * child event (each child section with its `name`).
 */
export function ipsecEventsOf(event: string, message: ViciSection, names: IpsecNames): IpsecEventData[] {
  const state = message.get('up') === 'yes' ? 'up' : 'down';
  const out: IpsecEventData[] = [];
  for (const [ike, sa] of message) {
    if (!(sa instanceof Map)) continue;
    const remote = names.remote(ike);
    if (event === 'ike-updown') {
      out.push({ remote, state });
      continue;
    }
    const children = sa.get('child-sas');
    if (!(children instanceof Map)) continue;
    for (const [key, c] of children) {
      if (!(c instanceof Map)) continue;
      const name = c.get('name');
      out.push({ remote, child: names.child(typeof name === 'string' ? name : key), state });
    }
  }
  return out;
}
