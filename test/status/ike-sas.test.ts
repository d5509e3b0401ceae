// Where the IPsec status comes from (src/status/ike-sas.ts): charon's vici socket (here a vici
// server of the test on a unix socket), and swanctl only when that socket cannot be reached.
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKET, SegmentReader, decodePacket, encodePacket, type ViciSection } from '../../src/ipsec/vici.js';
import { listIkeSas } from '../../src/status/ike-sas.js';
import { makeFakeBin, referenceDir, type FakeBin } from './fakebin.js';

/** Answers list-sas with one SA event, or CMD_UNKNOWN. */
function viciServer(file: string, answer: 'one-sa' | 'unknown'): Promise<net.Server> {
  const event: ViciSection = new Map([['siteB', new Map<string, any>([['uniqueid', '9'], ['state', 'ESTABLISHED'], ['child-sas', new Map()]])]]);
  const server = net.createServer((conn) => {
    const reader = new SegmentReader();
    conn.on('data', (chunk) => {
      for (const p of reader.push(chunk).map(decodePacket)) {
        if (p.type === PACKET.EVENT_REGISTER) conn.write(encodePacket({ type: PACKET.EVENT_CONFIRM }));
        if (p.type !== PACKET.CMD_REQUEST) continue;
        if (answer === 'unknown') conn.write(encodePacket({ type: PACKET.CMD_UNKNOWN }));
        else conn.write(Buffer.concat([encodePacket({ type: PACKET.EVENT, name: 'list-sa', message: event }), encodePacket({ type: PACKET.CMD_RESPONSE, message: new Map() })]));
      }
    });
  });
  return new Promise((resolve) => server.listen(file, () => resolve(server)));
}

describe('listIkeSas', () => {
  let bin: FakeBin;
  let server: net.Server | undefined;
  beforeEach(() => {
    bin = makeFakeBin();
    bin.add('swanctl', path.join(referenceDir, 'strongswan/list-sas.raw.txt'));
  });
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = undefined;
    bin.cleanup();
  });

  it('reads the SAs over the socket, and swanctl is not run', async () => {
    const socket = path.join(bin.dir, 'charon.vici');
    server = await viciServer(socket, 'one-sa');
    const out = await listIkeSas({ viciUri: `unix://${socket}`, swanctlBin: path.join(bin.dir, 'swanctl'), timeoutMs: 10_000 });
    expect(out).toMatchObject({ ok: true, source: 'vici', sas: [{ name: 'siteB', uniqueid: '9', state: 'ESTABLISHED' }] });
    expect(existsSync(bin.argsFile)).toBe(false);
  });

  it('no socket: swanctl --list-sas --raw with the same URI', async () => {
    const uri = `unix://${path.join(bin.dir, 'absent.vici')}`;
    const out = await listIkeSas({ viciUri: uri, swanctlBin: path.join(bin.dir, 'swanctl'), timeoutMs: 10_000 });
    expect(out).toMatchObject({ ok: true, source: 'swanctl', sas: [{ name: 'siteB', uniqueid: '1', state: 'ESTABLISHED' }] });
  });

  it('a charon that answers but refuses is the reason, without asking swanctl', async () => {
    const socket = path.join(bin.dir, 'refusing.vici');
    server = await viciServer(socket, 'unknown');
    const out = await listIkeSas({ viciUri: `unix://${socket}`, swanctlBin: path.join(bin.dir, 'swanctl'), timeoutMs: 10_000 });
    expect(out).toEqual({ ok: false, reason: `vici at unix://${socket}: unknown command list-sas` });
    expect(existsSync(bin.argsFile)).toBe(false);
  });

  it('no socket and no swanctl: swanctl\'s reason', async () => {
    const out = await listIkeSas({ viciUri: `unix://${path.join(bin.dir, 'absent.vici')}`, swanctlBin: path.join(bin.dir, 'none'), timeoutMs: 10_000 });
    expect(out).toEqual({ ok: false, reason: `${path.join(bin.dir, 'none')} not found`, missing: true });
  });
});
