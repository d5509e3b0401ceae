import { ApiError } from '../../errors.js';
import { addressOf } from '../fields.js';
import { OWNER, findOwned, sectionsOf } from '../firewall/common.js';
import type { BatchOp, UciPackage, UciSection } from '../../uci/types.js';

/**
 * firewall4 matches a device in a rule's or redirect's `src`/`dest` only through a zone (a
 * rule's `device` option matches one device, in one direction). Where an ICN object needs a
 * device as a zone (a DNAT's incoming device, a forward rule's outgoing device, the device a
 * MARK or NOTRACK rule reads), the agent keeps a zone of its own holding just that device:
 *
 *   config zone
 *       option name 'sdewan_dev_eth0'
 *       list device 'eth0'
 *       option sdewan_kind 'device'
 *
 * It sets no policy, so it takes the `defaults` ones, as traffic of a device in no zone does;
 * it is appended after the other zones, so a device another zone already covers keeps that
 * zone's filtering. It is added with its first user and deleted with its last. The firewall
 * collections do not list it, and their objects cannot name it.
 */
export const DEVICE_ZONE_OWNER = 'device';

/** The zone of a device: firewall4's zone-name alphabet, other characters as `_`. */
export const deviceZoneName = (device: string) => `sdewan_dev_${device.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** The device zone names `section` uses in firewall4's `src`/`dest`. */
function zonesUsedBy(section: UciSection): string[] {
  const owner = section.options.get(OWNER);
  if (owner === undefined || owner === DEVICE_ZONE_OWNER) return [];
  return (['src', 'dest'] as const).map((o) => section.options.get(o)).filter((v): v is string => typeof v === 'string');
}

/**
 * The operations that keep the device zones in step with a write: the zones of `wanted` are
 * added when missing, and zones no section uses any more (once `removed` sections are gone or
 * replaced) are deleted. Zone operations address `@zone[...]` only, so they may follow the
 * operations of the object itself in the same batch.
 */
export function deviceZoneOps(pkg: UciPackage, removed: readonly UciSection[], wanted: readonly string[]): BatchOp[] {
  const zones = sectionsOf(pkg, 'zone', DEVICE_ZONE_OWNER);
  const used = new Set(wanted.map(deviceZoneName));
  for (const section of pkg.sections) if (!removed.includes(section)) for (const zone of zonesUsedBy(section)) used.add(zone);

  const ops: BatchOp[] = zones
    .filter((z) => !used.has(String(z.options.get('name'))))
    .map((z) => addressOf(pkg, z))
    .reverse()
    .map((section): BatchOp => ({ op: 'delete', section }));

  for (const device of new Set(wanted)) {
    const name = deviceZoneName(device);
    if (zones.some((z) => z.options.get('name') === name)) continue;
    if (findOwned(pkg, 'zone', name)) throw new ApiError(409, `The firewall zone ${JSON.stringify(name)} takes the name of the zone the agent keeps for device ${JSON.stringify(device)}`);
    ops.push(
      { op: 'add', type: 'zone' },
      { op: 'set', section: '@zone[-1]', option: 'name', value: name },
      { op: 'add_list', section: '@zone[-1]', option: 'device', value: device },
      { op: 'set', section: '@zone[-1]', option: OWNER, value: DEVICE_ZONE_OWNER },
    );
  }
  return ops;
}
