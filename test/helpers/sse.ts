// An event stream client for tests: GET .../sdewan/v1/events over a real socket, messages
// parsed with the client's parser (src/client/events.ts), waiters on what arrives.
import http from 'node:http';
import { agentEventOf, EventStreamParser, type StreamMessage } from '../../packages/client/src/events.js';
import type { AgentEvent } from '../../packages/client/src/types.js';

export const EVENTS = '/cgi-bin/luci/sdewan/v1/events';

export interface EventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every message, comments aside, in order (the agent's events and `reset`). */
  messages: StreamMessage[];
  events: AgentEvent[];
  /** The raw text received. */
  text(): string;
  /** The first event (already received or to come) that `match` accepts. */
  next(match: (e: AgentEvent) => boolean, timeoutMs?: number, what?: string): Promise<AgentEvent>;
  ended: Promise<void>;
  close(): void;
}

export function openEventStream(url: string, cookie: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${EVENTS}`, { headers: { cookie, accept: 'text/event-stream', ...headers } }, (res) => {
      const parser = new EventStreamParser();
      const messages: StreamMessage[] = [];
      const events: AgentEvent[] = [];
      let raw = '';
      const waiters = new Set<() => void>();
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        for (const m of parser.push(chunk)) {
          messages.push(m);
          const e = agentEventOf(m);
          if (e) events.push(e);
        }
        for (const w of [...waiters]) w();
      });
      const finish = () => {
        endResolve();
        for (const w of [...waiters]) w();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      let done = false;
      void ended.then(() => (done = true));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        events,
        text: () => raw,
        ended,
        close: () => req.destroy(),
        next(match, timeoutMs = 10_000, what = 'an event') {
          return new Promise((ok, fail) => {
            let seen = 0;
            const check = () => {
              let hit: AgentEvent | undefined;
              for (; seen < events.length && !hit; seen++) if (match(events[seen]!)) hit = events[seen];
              if (hit) {
                cleanup();
                ok(hit);
              } else if (done) {
                cleanup();
                fail(new Error(`the stream ended before ${what}; received:\n${raw}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`no ${what} within ${timeoutMs} ms; received:\n${raw}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
      });
    });
    req.on('error', reject);
  });
}
