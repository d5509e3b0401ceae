// GET /cgi-bin/luci/sdewan/v1/events: the event hub as a text/event-stream (behind the login).
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { ApiError, fieldError } from '../errors.js';
import { methodNotAllowed } from '../http/methods.js';
import { EVENTS_PATH } from '../paths.js';
import type { AgentEvent, EventHub } from './hub.js';

export interface EventStreamOptions {
  hub: EventHub;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Comment lines sent this often keep proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** A client whose unsent bytes exceed this is dropped (default 256 KiB). */
  maxBufferedBytes?: number;
  /** At most this many streams at once (default 32); more are answered 503. */
  maxStreams?: number;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024;
export const DEFAULT_MAX_STREAMS = 32;
/** What the client's EventSource waits before it reconnects. */
const RETRY_MS = 2000;

/** One event in the stream's format: `id`, `event`, one `data` line of JSON. */
export function formatEvent(e: Pick<AgentEvent, 'id' | 'type' | 'data'>): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** The id of a `Last-Event-ID` header, undefined when absent; a 400 when it is not an id. */
export function lastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) throw fieldError('Last-Event-ID', 'should be the id of an event (a non-negative integer)');
  return Number(value.trim());
}

/**
 * A new stream starts with the events after `Last-Event-ID` when the header is sent (all of
 * them still in the buffer; a `reset` event when some are gone: re-read the lists, then follow
 * on), then every new event. Writes never wait for the client: what the socket has not taken
 * yet is counted, and a client that lets more than `maxBufferedBytes` pile up is dropped.
 */
export function registerEventStream(app: FastifyInstance, opts: EventStreamOptions): void {
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
  const open = new Set<ServerResponse>();

  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.all(EVENTS_PATH, async (request, reply) => {
    if (request.method !== 'GET') return methodNotAllowed(reply, ['GET']);
    const from = lastEventId(request.headers['last-event-id']);
    if (open.size >= maxStreams) throw new ApiError(503, `Too many event streams (at most ${maxStreams})`);

    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    open.add(res);

    let closed = false;
    const send = (text: string) => {
      if (closed) return;
      res.write(text);
      if (res.writableLength > maxBuffered) {
        opts.log.warn({ buffered: res.writableLength, limit: maxBuffered }, 'event stream: a client reading too slowly was dropped');
        done();
        res.destroy();
      }
    };
    const heartbeat = setInterval(() => send(':\n\n'), heartbeatMs);
    // backlog and subscription in one synchronous step: no event falls between them
    const backlog = from === undefined ? [] : opts.hub.since(from);
    const unsubscribe = opts.hub.subscribe((e) => send(formatEvent(e)));
    const done = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    };
    res.on('close', done);

    send(`retry: ${RETRY_MS}\n: sdewan-agent events\n\n`);
    if (backlog === 'reset') {
      const last = opts.hub.lastId();
      send(formatEvent({ id: last, type: 'reset', data: { oldest: opts.hub.oldestId(), last } }));
    } else for (const e of backlog) send(formatEvent(e));
    request.log.info({ path: EVENTS_PATH, ...(from !== undefined ? { last_event_id: from } : {}) }, 'event stream opened');
  });
}
