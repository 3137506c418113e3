import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChangeThrottle } from '../../server/hub/createChangeThrottle.ts';
import { createHub } from '../../server/hub/createHub.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import type { Session } from '../../shared/session.ts';

const session = (id: string, lastSeq: number) => ({ id, lastSeq }) as Session;

afterEach(() => {
  vi.useRealTimers();
});

describe('createChangeThrottle', () => {
  it('passes the first change at once and the newest of the rest once per window', () => {
    vi.useFakeTimers();
    const sent: [string, number][] = [];
    const throttle = createChangeThrottle(250, (s) => sent.push([s.id, s.lastSeq]));
    throttle.change(session('a', 1));
    expect(sent).toEqual([['a', 1]]);
    throttle.change(session('a', 2));
    throttle.change(session('a', 3));
    throttle.change(session('b', 1));
    expect(sent).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    vi.advanceTimersByTime(249);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 3],
    ]);
    // A new window opened with that send: the next change waits for it to end.
    throttle.change(session('a', 4));
    vi.advanceTimersByTime(249);
    expect(sent).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual(['a', 4]);
    // A quiet window closes: the next change goes out at once.
    vi.advanceTimersByTime(250);
    throttle.change(session('a', 5));
    expect(sent.at(-1)).toEqual(['a', 5]);
    throttle.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes every change with a window of 0', () => {
    const sent: number[] = [];
    const throttle = createChangeThrottle(0, (s) => sent.push(s.lastSeq));
    for (let i = 1; i <= 3; i++) throttle.change(session('a', i));
    expect(sent).toEqual([1, 2, 3]);
  });
});

describe('createHub', () => {
  it('coalesces a busy session for list listeners and always ends with its newest state', async () => {
    const store = createMemoryStore();
    const hub = createHub(store, { changeWindowMs: 50 });
    const { id } = await store.createSession({ title: 't', agent: 'a' });
    const seen: number[] = [];
    hub.onSessionChange((s) => seen.push(s.lastSeq));
    for (let i = 0; i < 20; i++) await store.append(id, [{ type: 'thought', text: `${i}` }]);
    expect(seen).toEqual([1]);
    await vi.waitFor(() => expect(seen).toEqual([1, 20]));
    hub.close();
  });

  it('delivers each batch to the listeners of its session only', async () => {
    const store = createMemoryStore();
    const hub = createHub(store);
    const a = await store.createSession({ title: 'a', agent: 'a' });
    const b = await store.createSession({ title: 'b', agent: 'a' });
    const got: string[] = [];
    const stop = hub.onSessionEvents(a.id, (events) =>
      got.push(...events.map((e) => `${e.sessionId}:${e.seq}`)),
    );
    await store.append(a.id, [{ type: 'thought', text: '1' }]);
    await store.append(b.id, [{ type: 'thought', text: '1' }]);
    expect(got).toEqual([`${a.id}:1`]);
    stop();
    expect(hub.listenerCount()).toBe(0);
    hub.close();
  });
});
