import { afterEach, describe, expect, it } from 'vitest';
import { rules } from '../../src/resources/network/rules.js';
import { refusal } from '../firewall/helpers.js';
import { networkBox, ownedBlocks, type Box } from './helpers.js';

const def = rules;
/** config/samples/batch_v1alpha1_cnfrouterule.yaml as ICN's Go client sends it (spec.not is flag). */
const SAMPLE = { name: 'cnfrouterule-sample1', src: '192.167.24.0/24', dst: '', flag: true, prio: '888', fwmark: '0x110', table: '40' };

let box: Box | undefined;
afterEach(() => {
  // the harness removes its directory after each test
  box = undefined;
});

describe('route rules: body -> network config -> list', () => {
  it('writes the ICN sample as a netifd rule and lists it back as sent, flag a boolean', async () => {
    box = networkBox();
    await box.put(def, SAMPLE);
    expect(ownedBlocks(box.text())).toEqual([
      [
        'config rule',
        "\toption name 'cnfrouterule-sample1'",
        "\toption sdewan_kind 'rule'",
        "\toption src '192.167.24.0/24'",
        "\toption priority '888'",
        "\toption mark '0x110'",
        "\toption lookup '40'",
        "\toption invert '1'",
      ].join('\n'),
    ]);
    const { dst: _dst, ...sent } = SAMPLE;
    expect(await box.list(def)).toEqual([sent]);
    // The hand-written rule is not the API's.
    expect(box.text()).toContain("option lookup '100'");
  });

  it('gives a rule without prio and table what ICN gave it (priority 32765, lookup main) and reads both back absent; flag false reads back false', async () => {
    box = networkBox();
    await box.put(def, { name: 'to-main', dst: '10.1.0.0/16', flag: false, prio: '', fwmark: '', table: '', src: '' });
    expect(ownedBlocks(box.text())).toEqual([
      [
        'config rule',
        "\toption name 'to-main'",
        "\toption sdewan_kind 'rule'",
        "\toption dest '10.1.0.0/16'",
        "\toption priority '32765'",
        "\toption lookup 'main'",
        "\toption invert '0'",
        "\tlist sdewan_default 'prio'",
        "\tlist sdewan_default 'table'",
      ].join('\n'),
    ]);
    expect(await box.list(def)).toEqual([{ name: 'to-main', dst: '10.1.0.0/16', flag: false }]);
    // Setting them later drops the record of their absence.
    await box.put(def, { name: 'to-main', dst: '10.1.0.0/16', flag: false, prio: '100', table: 'local' });
    expect(box.text()).not.toContain('sdewan_default');
    expect(await box.list(def)).toEqual([{ name: 'to-main', dst: '10.1.0.0/16', flag: false, prio: '100', table: 'local' }]);
  });

  it('writes an IPv6 rule as rule6; the same body again changes nothing', async () => {
    box = networkBox();
    const rule = { name: 'v6', src: 'fd00:1::/64', dst: 'fd00:2::1', table: 'main', prio: '10', flag: false };
    await box.put(def, rule);
    expect(ownedBlocks(box.text())[0]!.split('\n')[0]).toBe('config rule6');
    expect((await box.put(def, rule)).changed).toBe(false);
    expect(await box.list(def)).toEqual([rule]);
    await box.remove(def, 'v6');
    expect(ownedBlocks(box.text())).toEqual([]);
  });
});

describe('route rules: refusals', () => {
  it.each([
    [{ name: 'r', table: '40' }, 'Field[src] checked failed: src or dst is required'],
    [{ name: 'r', src: '10.0.0.0/40' }, 'Field[src] checked failed: Invalid Source IP Address'],
    [{ name: 'r', dst: 'x' }, 'Field[dst] checked failed: Invalid Destination IP Address'],
    [{ name: 'r', src: '10.0.0.0/8', dst: 'fd00::/8' }, 'Field[dst] checked failed: should be an IPv4 address or CIDR, as src is'],
    [{ name: 'r', src: '10.0.0.0/8', prio: '0' }, 'Field[prio] checked failed: Invalid Priority'],
    [{ name: 'r', src: '10.0.0.0/8', prio: '4294967296' }, 'Field[prio] checked failed: Invalid Priority'],
    [{ name: 'r', src: '10.0.0.0/8', table: '0' }, 'Field[table] checked failed: Invalid Table'],
    [{ name: 'r', src: '10.0.0.0/8', table: 'cnf' }, 'Field[table] checked failed: Invalid Table'],
    [{ name: 'r', src: '10.0.0.0/8', fwmark: '0x1ffffffff' }, 'Field[fwmark] checked failed: Invalid fwmark'],
    [{ name: 'r', src: '10.0.0.0/8', fwmark: 'ff' }, 'Field[fwmark] checked failed: Invalid fwmark'],
    [{ name: 'r', src: '10.0.0.0/8', fwmark: '0x10/0xff' }, 'Field[fwmark] checked failed: Invalid fwmark'],
    [{ name: 'r', src: '10.0.0.0/8', flag: 'true' }, 'Field[flag] checked failed: should be true or false'],
  ])('refuses %j', (body, message) => {
    expect(refusal(rules.schema, body)).toContain(message);
  });

  it('accepts the numbers netifd and ip read alike', () => {
    for (const fwmark of ['0', '272', '0x110', '0XFFFFFFFF', '4294967295']) expect(refusal(rules.schema, { name: 'r', src: '10.0.0.0/8', fwmark })).toBeUndefined();
    for (const table of ['main', 'local', 'default', '1', '4294967295']) expect(refusal(rules.schema, { name: 'r', src: '10.0.0.0/8', table })).toBeUndefined();
  });
});
