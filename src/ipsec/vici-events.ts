// A long-lived vici connection that registers for events (`ike-updown`, `child-updown`) and
// hands each one on, as strongSwan's vici README describes: EVENT_REGISTER per event name,
// each answered EVENT_CONFIRM (or EVENT_UNKNOWN), then EVENT packets as charon raises them.
import net from 'node:net';
import { PACKET, SegmentReader, ViciError, connectOptionsOf, decodePacket, encodePacket, type ViciSection } from './vici.js';

export interface ViciSubscription {
  close(): void;
}

export interface ViciSubscribeOptions {
  uri: string;
  events: readonly string[];
  /** Registration confirmed for every event: from now on, events come. */
  onReady(): void;
  onEvent(name: string, message: ViciSection): void;
  /** The connection ended: `err` says why (`unreachable` when it was never made); not called after close(). */
  onEnd(err: ViciError): void;
  /** How long connecting and registering may take (default 5 s). */
  timeoutMs?: number;
}

export function subscribeVici(opts: ViciSubscribeOptions): ViciSubscription {
  const socket = net.connect(connectOptionsOf(opts.uri));
  const reader = new SegmentReader();
  const pending = [...opts.events];
  let connected = false;
  let ready = false;
  let ended = false;
  const end = (err: ViciError) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    socket.destroy();
    opts.onEnd(err);
  };
  const timer = setTimeout(() => end(new ViciError(`vici at ${opts.uri}: no confirmation of ${pending.join(', ')} in time`)), opts.timeoutMs ?? 5000);
  const registerNext = () => socket.write(encodePacket({ type: PACKET.EVENT_REGISTER, name: pending[0]! }));

  socket.on('connect', () => {
    connected = true;
    registerNext();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    const why = err.code ?? err.message;
    end(new ViciError(connected ? `vici at ${opts.uri}: ${why}` : `vici socket ${opts.uri} not reachable: ${why}`, !connected));
  });
  socket.on('close', () => end(new ViciError(`vici at ${opts.uri}: connection closed`)));
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const segment of reader.push(chunk)) {
        const p = decodePacket(segment);
        // an event of a name already confirmed may come before the last confirmation
        if (p.type === PACKET.EVENT && p.name !== undefined && p.message !== undefined) {
          opts.onEvent(p.name, p.message);
        } else if (!ready) {
          if (p.type === PACKET.EVENT_UNKNOWN) throw new ViciError(`vici at ${opts.uri}: no event ${pending[0]}`);
          if (p.type !== PACKET.EVENT_CONFIRM) continue;
          pending.shift();
          if (pending.length > 0) registerNext();
          else {
            ready = true;
            clearTimeout(timer);
            opts.onReady();
          }
        }
      }
    } catch (err) {
      end(err instanceof ViciError ? err : new ViciError(`vici at ${opts.uri}: ${(err as Error).message}`));
    }
  });
  return {
    close() {
      ended = true;
      clearTimeout(timer);
      socket.destroy();
    },
  };
}
