// The vici codec (src/ipsec/vici.ts) on bytes, and its client against a vici server written
// here from the protocol description (a unix socket in a temp dir). The client against a real
// charon: test/ipsec/vici-charon.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PACKET,
  SegmentReader,
  ViciError,
  ViciFormatError,
  connectOptionsOf,
  decodeMessage,
  decodePacket,
  encodeMessage,
  encodePacket,
  streamedRequest,
  viciListSas,
  type ViciPacket,
  type ViciSection,
} from '../../src/ipsec/vici.js';
import { ikeSasFromEvents } from '../../src/status/ike-sas.js';

const bytes = (...parts: (number | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.of(p) : Buffer.from(p, 'latin1'))));

/** The encoding example of strongSwan's vici README, element by element. */
const EXAMPLE_BYTES = bytes(
  3, 4, 'key1', 0, 6, 'value1',
  1, 8, 'section1',
  1, 11, 'sub-section',
  3, 4, 'key2', 0, 6, 'value2',
  2,
  4, 5, 'list1',
  5, 0, 5, 'item1',
  5, 0, 5, 'item2',
  6,
  2,
);
const EXAMPLE: ViciSection = new Map<string, any>([
  ['key1', 'value1'],
  ['section1', new Map<string, any>([['sub-section', new Map([['key2', 'value2']])], ['list1', ['item1', 'item2']]])],
]);

describe('vici messages', () => {
  it('encodes the README example to its bytes, and decodes them back', () => {
    expect(encodeMessage(EXAMPLE)).toEqual(EXAMPLE_BYTES);
    expect(decodeMessage(EXAMPLE_BYTES)).toEqual(EXAMPLE);
  });

  it('keeps empty values, empty lists, empty sections and UTF-8', () => {
    const m: ViciSection = new Map<string, any>([
      ['e', ''],
      ['l', []],
      ['s', new Map()],
      ['id', 'CN=Zürich, O=x'],
    ]);
    const b = encodeMessage(m);
    expect(b.subarray(0, 5)).toEqual(bytes(3, 1, 'e', 0, 0));
    expect(decodeMessage(b)).toEqual(m);
    expect(decodeMessage(new Uint8Array())).toEqual(new Map());
  });

  it('a 16-bit value length: a value of 300 bytes', () => {
    const b = encodeMessage(new Map([['k', 'x'.repeat(300)]]));
    expect([...b.subarray(0, 5)]).toEqual([3, 1, 'k'.charCodeAt(0), 1, 44]);
    expect((decodeMessage(b).get('k') as string).length).toBe(300);
  });

  it.each([
    ['a value cut short', bytes(3, 4, 'key1', 0, 6, 'val'), 'value cut short at offset 6'],
    ['a name cut short', bytes(1, 8, 'sec'), 'name cut short at offset 1'],
    ['a section not closed', bytes(1, 1, 's', 3, 1, 'k', 0, 1, 'v'), 'unterminated section'],
    ['a section end too many', bytes(2), 'section end without a section at offset 0'],
    ['a list not closed', bytes(4, 1, 'l', 5, 0, 1, 'a'), 'unterminated list'],
    ['a key inside a list', bytes(4, 1, 'l', 3, 1, 'k', 0, 1, 'v', 6), 'element 3 inside a list at offset 3'],
    ['a list item outside a list', bytes(5, 0, 1, 'a'), 'list item outside a list at offset 0'],
    ['a duplicate key', bytes(3, 1, 'k', 0, 1, 'a', 3, 1, 'k', 0, 1, 'b'), 'duplicate key "k" at offset 6'],
    ['an unknown element', bytes(9), 'unknown element type 9 at offset 0'],
  ])('refuses %s', (_what, input, message) => {
    expect(() => decodeMessage(input)).toThrow(ViciFormatError);
    expect(() => decodeMessage(input)).toThrow(message);
  });
});

describe('vici packets and segments', () => {
  it('a named request: length header, type, name, message', () => {
    const p = encodePacket({ type: PACKET.CMD_REQUEST, name: 'list-sas', message: new Map([['noblock', 'yes']]) });
    const body = bytes(0, 8, 'list-sas', 3, 7, 'noblock', 0, 3, 'yes');
    expect(p).toEqual(Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]));
    expect(decodePacket(p.subarray(4))).toEqual({ type: PACKET.CMD_REQUEST, name: 'list-sas', message: new Map([['noblock', 'yes']]) });
  });

  it('event registration is a name alone; its confirmation is a type alone', () => {
    expect(encodePacket({ type: PACKET.EVENT_REGISTER, name: 'list-sa' })).toEqual(bytes(0, 0, 0, 9, 3, 7, 'list-sa'));
    expect(decodePacket(bytes(5))).toEqual({ type: PACKET.EVENT_CONFIRM });
    expect(decodePacket(bytes(1))).toEqual({ type: PACKET.CMD_RESPONSE, message: new Map() });
    expect(() => decodePacket(bytes(5, 1))).toThrow('unexpected bytes after packet type 5');
    expect(() => decodePacket(bytes(8))).toThrow('unknown packet type 8');
    expect(() => decodePacket(bytes(7, 9, 'lis'))).toThrow('packet name cut short');
    expect(() => encodePacket({ type: PACKET.EVENT_CONFIRM, name: 'x' })).toThrow('takes no name');
  });

  it('segments come out whole however the stream is cut', () => {
    const stream = Buffer.concat([
      encodePacket({ type: PACKET.EVENT, name: 'list-sa', message: EXAMPLE }),
      encodePacket({ type: PACKET.CMD_RESPONSE, message: new Map() }),
    ]);
    for (const size of [1, 3, 7, stream.length]) {
      const reader = new SegmentReader();
      const got: ViciPacket[] = [];
      for (let i = 0; i < stream.length; i += size) got.push(...reader.push(stream.subarray(i, i + size)).map(decodePacket));
      expect(got).toEqual([
        { type: PACKET.EVENT, name: 'list-sa', message: EXAMPLE },
        { type: PACKET.CMD_RESPONSE, message: new Map() },
      ]);
      expect(reader.buffered).toBe(0);
    }
  });

  it('refuses a segment over 512 KiB', () => {
    expect(() => new SegmentReader().push(Buffer.from([0, 8, 0, 1]))).toThrow('over 512 KiB');
  });

  it('URIs: unix paths and tcp host:port', () => {
    expect(connectOptionsOf('unix:///var/run/charon.vici')).toEqual({ path: '/var/run/charon.vici' });
    expect(connectOptionsOf('tcp://127.0.0.1:4502')).toEqual({ host: '127.0.0.1', port: 4502 });
    expect(connectOptionsOf('tcp://[::1]:4502')).toEqual({ host: '::1', port: 4502 });
    expect(() => connectOptionsOf('http://x')).toThrow(ViciError);
  });
});

/** A vici server that answers list-sas with the given events, as charon does. */
function fakeCharon(socketPath: string, behaviour: { events?: ViciSection[]; noEvent?: boolean; unknownCommand?: boolean; silent?: boolean }) {
  const seen: ViciPacket[] = [];
  const server = net.createServer((conn) => {
    const reader = new SegmentReader();
    conn.on('data', (chunk) => {
      for (const segment of reader.push(chunk)) {
        const p = decodePacket(segment);
        seen.push(p);
        if (behaviour.silent) continue;
        if (p.type === PACKET.EVENT_REGISTER) conn.write(encodePacket({ type: behaviour.noEvent ? PACKET.EVENT_UNKNOWN : PACKET.EVENT_CONFIRM }));
        if (p.type === PACKET.CMD_REQUEST) {
          if (behaviour.unknownCommand) {
            conn.write(encodePacket({ type: PACKET.CMD_UNKNOWN }));
            continue;
          }
          // all in one write: the client must split the segments itself
          conn.write(
            Buffer.concat([
              ...(behaviour.events ?? []).map((message) => encodePacket({ type: PACKET.EVENT, name: 'list-sa', message })),
              encodePacket({ type: PACKET.EVENT, name: 'ike-updown', message: new Map() }),
              encodePacket({ type: PACKET.CMD_RESPONSE, message: new Map() }),
            ]),
          );
        }
      }
    });
  });
  return {
    seen,
    listen: () => new Promise<void>((resolve) => server.listen(socketPath, resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('vici client', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sdewan-vici-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sa = (name: string, state: string): ViciSection =>
    new Map<string, any>([
      [name, new Map<string, any>([['uniqueid', '7'], ['state', state], ['local-host', '10.0.0.1'], ['child-sas', new Map()]])],
    ]);

  it('list-sas: registers for list-sa, sends the request, returns the streamed events', async () => {
    const sock = path.join(dir, 'ok.vici');
    const server = fakeCharon(sock, { events: [sa('siteB', 'ESTABLISHED'), sa('siteC', 'CONNECTING')] });
    await server.listen();
    try {
      const events = await viciListSas(`unix://${sock}`, 10_000);
      expect(ikeSasFromEvents(events).map((s) => [s.name, s.state, s.uniqueid, s.localHost])).toEqual([
        ['siteB', 'ESTABLISHED', '7', '10.0.0.1'],
        ['siteC', 'CONNECTING', '7', '10.0.0.1'],
      ]);
      expect(server.seen).toEqual([
        { type: PACKET.EVENT_REGISTER, name: 'list-sa' },
        { type: PACKET.CMD_REQUEST, name: 'list-sas', message: new Map() },
      ]);
    } finally {
      await server.close();
    }
  });

  it('a missing socket is unreachable; an unknown event or command, or silence, is an error of a reachable charon', async () => {
    const missing = await viciListSas(`unix://${path.join(dir, 'absent.vici')}`, 10_000).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ViciError);
    expect(missing).toMatchObject({ unreachable: true, message: `vici socket unix://${path.join(dir, 'absent.vici')} not reachable: ENOENT` });

    for (const [name, behaviour, message] of [
      ['noevent', { noEvent: true }, 'no event list-sa'],
      ['nocmd', { unknownCommand: true }, 'unknown command list-sas'],
      ['silent', { silent: true }, 'no answer within 300 ms'],
    ] as const) {
      const sock = path.join(dir, `${name}.vici`);
      const server = fakeCharon(sock, behaviour);
      await server.listen();
      try {
        const err = await streamedRequest({ uri: `unix://${sock}`, command: 'list-sas', event: 'list-sa', timeoutMs: 300 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ViciError);
        expect((err as ViciError).unreachable).toBe(false);
        expect((err as Error).message).toContain(message);
      } finally {
        await server.close();
      }
    }
  });
});
