// The event hub alone: ids, the ring buffer and Last-Event-ID answers, subscriber activity.
import { describe, expect, it } from 'vitest';
import { createEventHub } from '../../src/events/hub.js';

const reload = (service: string) => ({ service, action: 'reload', trigger: 'auto' as const, ok: true, at: '2026-01-01T00:00:00.000Z' });

describe('event hub', () => {
  it('numbers events from 1, keeps the last `capacity`, and answers since() or reset', () => {
    const hub = createEventHub({ capacity: 3 });
    expect(hub.since(0)).toEqual([]);
    expect(hub.oldestId()).toBe(1);
    for (const s of ['a', 'b', 'c', 'd', 'e']) hub.publish('reload', reload(s));
    expect(hub.lastId()).toBe(5);
    expect(hub.oldestId()).toBe(3);
    expect((hub.since(2) as { id: number }[]).map((e) => e.id)).toEqual([3, 4, 5]);
    expect((hub.since(4) as { id: number }[]).map((e) => e.id)).toEqual([5]);
    expect(hub.since(5)).toEqual([]);
    expect(hub.since(1)).toBe('reset'); // event 2 is gone
    expect(hub.since(6)).toBe('reset'); // an id from another run
    hub.publish('reload', reload('f'));
    expect((hub.since(3) as { data: { service: string } }[]).map((e) => e.data.service)).toEqual(['d', 'e', 'f']);
  });

  it('tells when the first subscriber comes and the last one leaves', () => {
    const hub = createEventHub();
    const activity: boolean[] = [];
    hub.onActivity((on) => activity.push(on));
    const got: number[] = [];
    const a = hub.subscribe((e) => got.push(e.id));
    const b = hub.subscribe(() => undefined);
    hub.publish('wan', { interface: 'wan', status: 'offline', previous: 'online' });
    a();
    a(); // twice: once
    expect(activity).toEqual([true]);
    b();
    expect(activity).toEqual([true, false]);
    hub.publish('wan', { interface: 'wan', status: 'online', previous: 'offline' });
    expect(got).toEqual([1]);
    expect(hub.subscribers()).toBe(0);
  });
});
