// A small client of strongSwan's vici protocol (charon's control socket), as documented in
// strongSwan's src/libcharon/plugins/vici/README.md:
//
// - transport: segments of a 32-bit big-endian length, then that many bytes (at most 512 KiB);
// - packet: one segment, a type byte, for the named types an 8-bit length and the name, then
//   the message;
// - message: elements SECTION_START name, SECTION_END, KEY_VALUE name value, LIST_START name,
//   LIST_ITEM value, LIST_END; names have an 8-bit length, values a 16-bit big-endian one.
//
// Values are strings here (charon sends every value, numbers included, as a string).
import net from 'node:net';

export type ViciValue = string | string[] | ViciSection;
export type ViciSection = Map<string, ViciValue>;

export const PACKET = {
  CMD_REQUEST: 0,
  CMD_RESPONSE: 1,
  CMD_UNKNOWN: 2,
  EVENT_REGISTER: 3,
  EVENT_UNREGISTER: 4,
  EVENT_CONFIRM: 5,
  EVENT_UNKNOWN: 6,
  EVENT: 7,
} as const;
export type PacketType = (typeof PACKET)[keyof typeof PACKET];
const NAMED: readonly number[] = [PACKET.CMD_REQUEST, PACKET.EVENT_REGISTER, PACKET.EVENT_UNREGISTER, PACKET.EVENT];

const ELEMENT = { SECTION_START: 1, SECTION_END: 2, KEY_VALUE: 3, LIST_START: 4, LIST_ITEM: 5, LIST_END: 6 } as const;

/** The largest segment charon sends or accepts. */
export const MAX_SEGMENT = 512 * 1024;
export const DEFAULT_VICI_URI = 'unix:///var/run/charon.vici';

/** A message or packet that does not follow the format. */
export class ViciFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`vici: ${message} at offset ${offset}`);
    this.name = 'ViciFormatError';
  }
}

/** A request that failed; `unreachable` when no connection to the socket could be made. */
export class ViciError extends Error {
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'ViciError';
  }
}

// --- message encoding -----------------------------------------------------------------------

function nameBytes(name: string): Buffer {
  const b = Buffer.from(name, 'utf8');
  if (b.length > 255) throw new RangeError(`vici: name longer than 255 bytes: ${name.slice(0, 40)}...`);
  return Buffer.concat([Buffer.of(b.length), b]);
}

function valueBytes(value: string): Buffer {
  const b = Buffer.from(value, 'utf8');
  if (b.length > 0xffff) throw new RangeError('vici: value longer than 65535 bytes');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** The elements of a message (a section tree). */
export function encodeMessage(section: ViciSection): Buffer {
  const parts: Buffer[] = [];
  const walk = (s: ViciSection) => {
    for (const [key, value] of s) {
      if (typeof value === 'string') {
        parts.push(Buffer.of(ELEMENT.KEY_VALUE), nameBytes(key), valueBytes(value));
      } else if (Array.isArray(value)) {
        parts.push(Buffer.of(ELEMENT.LIST_START), nameBytes(key));
        for (const item of value) parts.push(Buffer.of(ELEMENT.LIST_ITEM), valueBytes(item));
        parts.push(Buffer.of(ELEMENT.LIST_END));
      } else {
        parts.push(Buffer.of(ELEMENT.SECTION_START), nameBytes(key));
        walk(value);
        parts.push(Buffer.of(ELEMENT.SECTION_END));
      }
    }
  };
  walk(section);
  return Buffer.concat(parts);
}

/** The section tree of a message; throws ViciFormatError on anything out of order or cut short. */
export function decodeMessage(bytes: Uint8Array): ViciSection {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > buf.length) throw new ViciFormatError(`${what} cut short`, pos);
  };
  const readName = (): string => {
    need(1, 'name length');
    const len = buf[pos]!;
    need(1 + len, 'name');
    const name = buf.toString('utf8', pos + 1, pos + 1 + len);
    pos += 1 + len;
    return name;
  };
  const readValue = (): string => {
    need(2, 'value length');
    const len = buf.readUInt16BE(pos);
    need(2 + len, 'value');
    const value = buf.toString('utf8', pos + 2, pos + 2 + len);
    pos += 2 + len;
    return value;
  };

  const root: ViciSection = new Map();
  const stack: ViciSection[] = [root];
  let list: string[] | undefined;
  const put = (at: number, key: string, value: ViciValue) => {
    const current = stack[stack.length - 1]!;
    if (current.has(key)) throw new ViciFormatError(`duplicate key ${JSON.stringify(key)}`, at);
    current.set(key, value);
  };
  while (pos < buf.length) {
    const at = pos;
    const type = buf[pos++]!;
    if (list !== undefined && type !== ELEMENT.LIST_ITEM && type !== ELEMENT.LIST_END) {
      throw new ViciFormatError(`element ${type} inside a list`, at);
    }
    switch (type) {
      case ELEMENT.SECTION_START: {
        const section: ViciSection = new Map();
        put(at, readName(), section);
        stack.push(section);
        break;
      }
      case ELEMENT.SECTION_END:
        if (stack.length === 1) throw new ViciFormatError('section end without a section', at);
        stack.pop();
        break;
      case ELEMENT.KEY_VALUE: {
        const key = readName();
        put(at, key, readValue());
        break;
      }
      case ELEMENT.LIST_START:
        list = [];
        put(at, readName(), list);
        break;
      case ELEMENT.LIST_ITEM:
        if (list === undefined) throw new ViciFormatError('list item outside a list', at);
        list.push(readValue());
        break;
      case ELEMENT.LIST_END:
        if (list === undefined) throw new ViciFormatError('list end without a list', at);
        list = undefined;
        break;
      default:
        throw new ViciFormatError(`unknown element type ${type}`, at);
    }
  }
  if (list !== undefined) throw new ViciFormatError('unterminated list', pos);
  if (stack.length !== 1) throw new ViciFormatError('unterminated section', pos);
  return root;
}

// --- packets and segments -------------------------------------------------------------------

export interface ViciPacket {
  type: PacketType;
  /** The name of a named packet (CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER, EVENT). */
  name?: string;
  /** The message of CMD_REQUEST, CMD_RESPONSE and EVENT. */
  message?: ViciSection;
}

const WITH_MESSAGE: readonly number[] = [PACKET.CMD_REQUEST, PACKET.CMD_RESPONSE, PACKET.EVENT];

/** One transport segment: the length header, then the packet. */
export function encodePacket(packet: ViciPacket): Buffer {
  const named = NAMED.includes(packet.type);
  if (named !== (packet.name !== undefined)) throw new TypeError(`vici: packet type ${packet.type} ${named ? 'needs' : 'takes no'} name`);
  const body = Buffer.concat([
    Buffer.of(packet.type),
    ...(packet.name !== undefined ? [nameBytes(packet.name)] : []),
    ...(packet.message !== undefined ? [encodeMessage(packet.message)] : []),
  ]);
  if (body.length > MAX_SEGMENT) throw new RangeError('vici: packet over 512 KiB');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** A packet from the bytes of one segment (without its length header). */
export function decodePacket(segment: Uint8Array): ViciPacket {
  const buf = Buffer.from(segment.buffer, segment.byteOffset, segment.byteLength);
  if (buf.length === 0) throw new ViciFormatError('empty packet', 0);
  const type = buf[0]!;
  if (type > PACKET.EVENT) throw new ViciFormatError(`unknown packet type ${type}`, 0);
  let pos = 1;
  const packet: ViciPacket = { type: type as PacketType };
  if (NAMED.includes(type)) {
    if (buf.length < 2 || buf.length < 2 + buf[1]!) throw new ViciFormatError('packet name cut short', 1);
    packet.name = buf.toString('utf8', 2, 2 + buf[1]!);
    pos = 2 + buf[1]!;
  }
  if (WITH_MESSAGE.includes(type)) packet.message = decodeMessage(buf.subarray(pos));
  else if (pos !== buf.length) throw new ViciFormatError(`unexpected bytes after packet type ${type}`, pos);
  return packet;
}

/** Cuts a byte stream into segments (the length headers removed), whatever the chunking. */
export class SegmentReader {
  private pending = Buffer.alloc(0);

  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    while (this.pending.length >= 4) {
      const len = this.pending.readUInt32BE(0);
      if (len > MAX_SEGMENT) throw new ViciFormatError(`segment of ${len} bytes, over 512 KiB`, 0);
      if (this.pending.length < 4 + len) break;
      out.push(this.pending.subarray(4, 4 + len));
      this.pending = this.pending.subarray(4 + len);
    }
    return out;
  }

  /** Bytes received that do not yet form a whole segment. */
  get buffered(): number {
    return this.pending.length;
  }
}

// --- the client -------------------------------------------------------------------------------

/** Where a vici URI points: `unix://<path>` or `tcp://<host>:<port>` (`[v6]:port` too). */
export function connectOptionsOf(uri: string): net.NetConnectOpts {
  if (uri.startsWith('unix://')) return { path: uri.slice('unix://'.length) };
  const m = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]+)):(\d{1,5})$/.exec(uri);
  if (m) return { host: m[1] ?? m[2]!, port: Number(m[3]) };
  throw new ViciError(`vici URI ${JSON.stringify(uri)}: expected unix://<path> or tcp://<host>:<port>`, true);
}

export interface StreamedRequest {
  uri: string;
  /** The command, e.g. `list-sas`. */
  command: string;
  /** The event the command streams its data in, e.g. `list-sa`. */
  event: string;
  message?: ViciSection;
  timeoutMs: number;
}

export interface StreamedAnswer {
  events: ViciSection[];
  response: ViciSection;
}

/**
 * One command with a streamed answer, on a connection of its own: register for the event,
 * send the request, collect the events until the response, then close.
 */
export function streamedRequest(req: StreamedRequest): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(connectOptionsOf(req.uri));
    const reader = new SegmentReader();
    const events: ViciSection[] = [];
    let connected = false;
    let phase: 'register' | 'request' | 'done' = 'register';
    const finish = (err: Error | undefined, answer?: StreamedAnswer) => {
      if (phase === 'done') return;
      phase = 'done';
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(
      () => finish(new ViciError(`vici ${req.command} at ${req.uri}: no answer within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    socket.on('connect', () => {
      connected = true;
      socket.write(encodePacket({ type: PACKET.EVENT_REGISTER, name: req.event }));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code ?? err.message;
      finish(new ViciError(connected ? `vici ${req.command} at ${req.uri}: ${why}` : `vici socket ${req.uri} not reachable: ${why}`, !connected));
    });
    socket.on('close', () => finish(new ViciError(`vici ${req.command} at ${req.uri}: connection closed before the answer`)));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const segment of reader.push(chunk)) {
          const p = decodePacket(segment);
          if (phase === 'register') {
            if (p.type === PACKET.EVENT_UNKNOWN) throw new ViciError(`vici at ${req.uri}: no event ${req.event}`);
            if (p.type !== PACKET.EVENT_CONFIRM) throw new ViciError(`vici at ${req.uri}: packet type ${p.type} while registering for ${req.event}`);
            phase = 'request';
            socket.write(encodePacket({ type: PACKET.CMD_REQUEST, name: req.command, message: req.message ?? new Map() }));
          } else if (phase === 'request') {
            if (p.type === PACKET.EVENT && p.name === req.event) events.push(p.message!);
            else if (p.type === PACKET.CMD_RESPONSE) return finish(undefined, { events, response: p.message! });
            else if (p.type === PACKET.CMD_UNKNOWN) throw new ViciError(`vici at ${req.uri}: unknown command ${req.command}`);
            // other events (none registered) are ignored
          }
        }
      } catch (err) {
        finish(err as Error);
      }
    });
  });
}

/** The `list-sa` events of a `list-sas` request: one section per IKE SA, keyed by its connection name. */
export async function viciListSas(uri: string, timeoutMs: number): Promise<ViciSection[]> {
  const { events } = await streamedRequest({ uri, command: 'list-sas', event: 'list-sa', timeoutMs });
  return events;
}
