import { afterEach, describe, expect, it } from 'vitest';
import { addressesOf, applications } from '../../src/resources/network/applications.js';
import { refusal } from '../firewall/helpers.js';
import { networkBox, ownedBlocks, type Box } from './helpers.js';

const def = applications;
const NAME = 'sdewanapplication-sample';

let box: Box | undefined;
afterEach(() => {
  // the harness removes its directory after each test
  box = undefined;
});

const ruleBlock = (src: string, type = 'rule') =>
  [`config ${type}`, `\toption name '${NAME}'`, "\toption sdewan_kind 'application'", `\toption src '${src}'`, "\toption lookup '40'", "\toption priority '32765'"].join('\n');
const holderBlock = (iplist?: string) =>
  ['config sdewan_application', `\toption name '${NAME}'`, "\toption sdewan_kind 'application'", ...(iplist === undefined ? [] : [`\toption iplist '${iplist}'`])].join('\n');

describe('applications: body -> network config -> list', () => {
  it('writes one rule looking up table 40 per address of the iplist, owned by the application, and lists it back as sent', async () => {
    box = networkBox();
    // GetInstance joins the pod IPs of the selected pods with commas.
    await box.put(def, { name: NAME, iplist: '10.244.0.7,10.244.0.8' });
    expect(ownedBlocks(box.text())).toEqual([holderBlock('10.244.0.7,10.244.0.8'), ruleBlock('10.244.0.7'), ruleBlock('10.244.0.8')]);
    expect(await box.list(def)).toEqual([{ name: NAME, iplist: '10.244.0.7,10.244.0.8' }]);
  });

  it('keeps an application without pods (iplist "") and an iplist with an empty item as sent', async () => {
    box = networkBox();
    await box.put(def, { name: NAME, iplist: '' });
    expect(ownedBlocks(box.text())).toEqual([holderBlock()]);
    expect(await box.list(def)).toEqual([{ name: NAME }]);
    // A pod without an address yet leaves an empty item behind.
    await box.put(def, { name: NAME, iplist: '10.244.0.7,' });
    expect(ownedBlocks(box.text())).toEqual([holderBlock('10.244.0.7,'), ruleBlock('10.244.0.7')]);
    expect(await box.list(def)).toEqual([{ name: NAME, iplist: '10.244.0.7,' }]);
  });

  it('follows the pods: keeps the rules of addresses that stay, drops the others, adds new ones; IPv6 ones are rule6', async () => {
    box = networkBox();
    await box.put(def, { name: NAME, iplist: '10.244.0.7,10.244.0.8,10.244.0.9' });
    await box.put(def, { name: 'other', iplist: '10.244.1.1' });
    const { batch } = await box.put(def, { name: NAME, iplist: '10.244.0.9,fd00:244::5,10.244.0.7' });
    // Only the rule of 10.244.0.8 goes; 10.244.0.7 and .9 stay as they are.
    expect(batch.split('\n').filter((l) => l.startsWith('delete'))).toEqual(['delete network.@rule[2]']);
    expect(ownedBlocks(box.text())).toEqual([
      holderBlock('10.244.0.9,fd00:244::5,10.244.0.7'),
      ruleBlock('10.244.0.7'),
      ruleBlock('10.244.0.9'),
      ownedBlocks(box.text())[3]!, // the other application's holder
      ownedBlocks(box.text())[4]!,
      ruleBlock('fd00:244::5', 'rule6'),
    ]);
    expect(ownedBlocks(box.text())[4]).toContain("option src '10.244.1.1'");
    expect(await box.list(def)).toEqual([{ name: NAME, iplist: '10.244.0.9,fd00:244::5,10.244.0.7' }, { name: 'other', iplist: '10.244.1.1' }]);
    expect((await box.put(def, { name: NAME, iplist: '10.244.0.9,fd00:244::5,10.244.0.7' })).changed).toBe(false);
    await box.remove(def, NAME);
    expect(ownedBlocks(box.text())).toHaveLength(2);
    expect(await box.list(def)).toEqual([{ name: 'other', iplist: '10.244.1.1' }]);
  });

  it('splits as ICN did: trimmed items, empty ones skipped, each address once', () => {
    expect(addressesOf(' 10.0.0.1 , 10.0.0.2,,10.0.0.1,')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(addressesOf(undefined)).toEqual([]);
  });

  it.each([
    [{ name: NAME, iplist: '10.0.0.1,10.0.0.256' }, 'Field[iplist] checked failed: Invalid Source IP Address'],
    [{ name: NAME, iplist: '10.0.0.0/24' }, 'Field[iplist] checked failed: Invalid Source IP Address'],
    [{ name: NAME, iplist: '10.0.0.1 10.0.0.2' }, 'Field[iplist] checked failed: Invalid Source IP Address'],
    [{ iplist: '10.0.0.1' }, 'Field[name] checked failed: is required'],
  ])('refuses %j', (body, message) => {
    expect(refusal(applications.schema, body)).toContain(message);
  });
});
