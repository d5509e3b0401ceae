// The typed client's events() and metrics(): the stream parser on any chunking, reconnection
// with Last-Event-ID (a stand-in `open`), and both against the agent process.
import { describe, expect, it } from 'vitest';
import { EventStreamParser, type AgentEvent } from '../../packages/client/src/index.js';
import { iterateEvents } from '../../packages/client/src/events.js';
import { agentWithClient } from '../helpers/client.js';
import { parseExposition, valueOf } from '../metrics/exposition.js';

const STREAM = 'retry: 500\n: hello\n\nid: 1\nevent: config\ndata: {"kind":"mwan3/rules","name":"a","change":"created","source":"api"}\n\n' +
  ':\n\nid: 2\r\nevent: reload\r\ndata: {"service":"mwan3"}\r\n\r\nevent: other\ndata: line one\ndata: line two\n\n';

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });

describe('EventStreamParser', () => {
  it('gives the same messages however the text is cut', () => {
    const whole = new EventStreamParser().push(STREAM);
    expect(whole).toEqual([
      { id: '1', event: 'config', data: '{"kind":"mwan3/rules","name":"a","change":"created","source":"api"}' },
      { id: '2', event: 'reload', data: '{"service":"mwan3"}' },
      { event: 'other', data: 'line one\nline two' },
    ]);
    for (const size of [1, 2, 5, 17]) {
      const p = new EventStreamParser();
      const got = [];
      for (let i = 0; i < STREAM.length; i += size) got.push(...p.push(STREAM.slice(i, i + size)));
      expect(got).toEqual(whole);
      expect(p.retryMs).toBe(500);
    }
  });
});

describe('iterateEvents', () => {
  it('reconnects after the stream ends, sending the id of the last event seen', async () => {
    const asked: Array<number | undefined> = [];
    const bodies = [
      () => streamOf('id: 4\nevent: config\ndata: {"name":"x"}\n\n', 'id: 5\nevent: con', 'fig\ndata: {"name":"y"}\n\n'),
      () => Promise.reject(new Error('connection refused')),
      () => streamOf('id: 6\nevent: reload\ndata: {"service":"ipsec"}\n\n'),
    ];
    const seen: AgentEvent[] = [];
    for await (const e of iterateEvents(async (last) => {
      asked.push(last);
      const next = bodies.shift();
      if (!next) throw new Error('no more');
      return next();
    }, { lastEventId: 3, retryMs: 1 })) {
      seen.push(e);
      if (e.id === 6) break;
    }
    expect(seen.map((e) => [e.id, e.type])).toEqual([[4, 'config'], [5, 'config'], [6, 'reload']]);
    expect(asked).toEqual([3, 5, 5]);
  });

  it('gives up after maxAttempts failed connections in a row', async () => {
    let tries = 0;
    const run = async () => {
      for await (const _ of iterateEvents(async () => {
        tries++;
        throw new Error('403 Login failed');
      }, { retryMs: 1, maxAttempts: 3 })) {
        // none
      }
    };
    await expect(run()).rejects.toThrow('403 Login failed');
    expect(tries).toBe(3);
  });
});

describe('client.events() and client.metrics() against the agent', () => {
  const started = agentWithClient();

  it('iterates the parsed events of a write, and stops on break', async () => {
    // from the start of the agent's events: the write may land before the stream is open
    const it = started.client.events({ lastEventId: 0 });
    const first = it.next();
    await started.client.mwan3.rules.create({ name: 'from-client', policy: 'balanced', proto: 'tcp' });
    const e = (await first).value as AgentEvent;
    expect(e.type).toBe('config');
    expect(e.data).toEqual({ kind: 'mwan3/rules', name: 'from-client', change: 'created', source: 'api' });
    const reload = (await it.next()).value as AgentEvent;
    expect(reload).toMatchObject({ id: e.id + 1, type: 'reload', data: { service: 'mwan3', trigger: 'auto', ok: true } });
    await it.return();

    // resuming from the first event gives the reload again
    const again = started.client.events({ lastEventId: e.id });
    expect((await again.next()).value).toEqual(reload);
    await again.return();
  });

  it('metrics(): the text, with the session cookie', async () => {
    const families = parseExposition(await started.client.metrics());
    expect(valueOf(families, 'sdewan_config_writes_total', { config: 'mwan3' })).toBeGreaterThanOrEqual(1);
  });
});
