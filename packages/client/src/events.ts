// The client's side of the event stream (GET /cgi-bin/luci/sdewan/v1/events): a parser of the
// text/event-stream format and an async iterator that reconnects with Last-Event-ID.
import type { AgentEvent, EventType } from './types.js';

/** One message of a text/event-stream: `id`, `event` and the `data` lines joined. */
export interface StreamMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Cuts a text/event-stream into messages, whatever the chunking (the format of the HTML
 * standard's server-sent events: `field: value` lines, a blank line ends a message, lines
 * starting with `:` are comments). `retry` is kept in `retryMs`.
 */
export class EventStreamParser {
  private pending = '';
  private id: string | undefined;
  private event = '';
  private data: string[] = [];
  retryMs: number | undefined;

  push(chunk: string): StreamMessage[] {
    this.pending += chunk;
    const out: StreamMessage[] = [];
    for (;;) {
      const nl = this.pending.search(/\r\n|\r|\n/);
      // a CR at the end may be the first half of a CRLF: wait for what follows
      if (nl === -1 || (nl === this.pending.length - 1 && this.pending[nl] === '\r')) break;
      const eol = this.pending.startsWith('\r\n', nl) ? 2 : 1;
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + eol);
      if (line === '') {
        if (this.data.length > 0 || this.event !== '') {
          out.push({ ...(this.id !== undefined ? { id: this.id } : {}), event: this.event || 'message', data: this.data.join('\n') });
        }
        this.id = undefined;
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') this.id = value;
      else if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    return out;
  }
}

/** The agent's events from stream messages (messages of other shapes are skipped). */
export function agentEventOf(m: StreamMessage): AgentEvent | undefined {
  if (m.id === undefined || !/^\d+$/.test(m.id)) return undefined;
  try {
    return { id: Number(m.id), type: m.event as EventType, data: JSON.parse(m.data) } as AgentEvent;
  } catch {
    return undefined;
  }
}

/** An open stream: its body, or a status other than 200 (thrown as the caller sees fit). */
export type OpenStream = (lastEventId: number | undefined, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;

export interface EventsOptions {
  /** Resume after this event (sent as Last-Event-ID on the first connection). */
  lastEventId?: number;
  /** Stops the iteration. */
  signal?: AbortSignal;
  /** Wait before reconnecting after the stream ended or failed (default: the stream's `retry`, else 2 s). */
  retryMs?: number;
  /** Connections tried one after the other without an event before the iteration fails (default 5). */
  maxAttempts?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/**
 * The events, one by one, for as long as the caller iterates: when the stream ends or breaks,
 * it reconnects with the id of the last event seen, so nothing still in the agent's buffer is
 * missed (a `reset` event says when some were: re-read what matters). An error from `open`
 * on several attempts in a row (a 403 that a login does not cure, say) ends the iteration.
 */
export async function* iterateEvents(open: OpenStream, opts: EventsOptions = {}): AsyncGenerator<AgentEvent, void, undefined> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  opts.signal?.addEventListener('abort', abort, { once: true });
  let last = opts.lastEventId;
  let failures = 0;
  const maxAttempts = opts.maxAttempts ?? 5;
  try {
    while (!controller.signal.aborted) {
      const parser = new EventStreamParser();
      // one controller per connection: aborting it lets go of the socket, not just of the body
      const connection = new AbortController();
      const stop = () => connection.abort();
      controller.signal.addEventListener('abort', stop, { once: true });
      try {
        const body = await open(last, connection.signal);
        const reader = body.pipeThrough(new TextDecoderStream()).getReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const m of parser.push(value)) {
              const e = agentEventOf(m);
              if (!e) continue;
              failures = 0;
              last = e.id;
              yield e;
            }
          }
        } finally {
          connection.abort();
          await reader.cancel().catch(() => undefined);
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        if (++failures >= maxAttempts) throw err;
      } finally {
        controller.signal.removeEventListener('abort', stop);
      }
      if (controller.signal.aborted) return;
      await sleep(opts.retryMs ?? parser.retryMs ?? 2000, controller.signal);
    }
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    controller.abort();
  }
}
