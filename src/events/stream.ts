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
  /** A client whose unsent bytes exceed this at any time is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** A client with more than this unsent at two checks in a row is dropped (default 64 KiB). */
  slowBufferedBytes?: number;
  /** How often the streams' unsent bytes are checked (default 1 s). */
  checkMs?: number;
  /** At most this many streams at once (default 32); more are answered 503. */
  maxStreams?: number;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
export const DEFAULT_SLOW_BUFFERED_BYTES = 64 * 1024;
export const DEFAULT_CHECK_MS = 1000;
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
 * on), then every new event. Writes never wait for the client, and what the socket has not
 * taken yet is bounded: a client is dropped when more than `maxBufferedBytes` pile up (a burst
 * of events larger than that is more than any client is kept for), or when more than
 * `slowBufferedBytes` are still unsent at two checks in a row (a client that does not keep up:
 * a burst that a reader takes in time never sees two checks). A dropped client reconnects with
 * `Last-Event-ID` and gets what is still in the buffer.
 */
export function registerEventStream(app: FastifyInstance, opts: EventStreamOptions): void {
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const slowBuffered = opts.slowBufferedBytes ?? DEFAULT_SLOW_BUFFERED_BYTES;
  const maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
  /** Each open stream, and whether it was over the slow limit at the last check. */
  const open = new Map<ServerResponse, { behind: boolean; drop: (limit: number) => void }>();

  let checker: NodeJS.Timeout | undefined;
  const check = () => {
    for (const [res, s] of open) {
      const over = res.writableLength > slowBuffered;
      if (over && s.behind) s.drop(slowBuffered);
      else s.behind = over;
    }
    if (open.size === 0) {
      clearInterval(checker);
      checker = undefined;
    }
  };

  // On close: each stream ends, and so does its connection (it would stay open, kept alive).
  app.addHook('preClose', async () => {
    clearInterval(checker);
    for (const res of open.keys()) {
      res.once('finish', () => res.socket?.destroy());
      res.end();
    }
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
    let closed = false;
    const drop = (limit: number) => {
      opts.log.warn({ buffered: res.writableLength, limit }, 'event stream: a client reading too slowly was dropped');
      done();
      res.destroy();
    };
    open.set(res, { behind: false, drop });
    checker ??= setInterval(check, opts.checkMs ?? DEFAULT_CHECK_MS);
    const send = (text: string) => {
      if (closed) return;
      res.write(text);
      if (res.writableLength > maxBuffered) drop(maxBuffered);
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
      request.log.info({ path: EVENTS_PATH }, 'event stream closed');
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
