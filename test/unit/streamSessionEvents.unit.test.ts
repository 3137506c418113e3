import { describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../server/hub/createHub.ts';
import { parseLastEventId, streamSessionEvents } from '../../server/hub/streamSessionEvents.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { HeadMessage, SessionStreamMessage } from '../../shared/streamMessages.ts';

/** A hub driven by hand, so tests can deliver live events late, early or out of order. */
function manualHub() {
  const events = new Set<(e: StoredEvent[]) => void>();
  const resyncs = new Set<() => void>();
  const hub: Hub = {
    onSessionEvents(_id, l) {
      events.add(l);
      return () => events.delete(l);
    },
    onSessionChange: () => () => {},
    onResync(l) {
      resyncs.add(l);
      return () => resyncs.delete(l);
    },
    listenerCount: () => events.size + resyncs.size,
    close: () => {},
  };
  return {
    hub,
    deliver: (batch: StoredEvent[]) => {
      for (const l of events) l(batch);
    },
    resync: () => {
      for (const l of resyncs) l();
    },
  };
}

/** Pulls from the stream in the background and records seqs. */
function drain(stream: AsyncGenerator<SessionStreamMessage | HeadMessage>) {
  const seqs: number[] = [];
  const done = (async () => {
    for await (const m of stream) if (m.kind === 'event') seqs.push(m.event.seq);
  })();
  return { seqs, done };
}

async function setup() {
  const store = createMemoryStore();
  const s = await store.createSession({ title: 't', agent: 'a' });
  return { store, id: s.id, ...manualHub() };
}

const thoughts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought' as const, text: `${i}` }));

describe('streamSessionEvents', () => {
  it('holds back a live event that arrives ahead of a hole until the hole is filled', async () => {
    const { store, id, hub, deliver } = await setup();
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(2));
    // The store has 1..3, but the feed delivers 3 before 2 (two writers, out of order).
    const [e1, e2, e3] = await store.append(id, thoughts(3));
    deliver([e1!]);
    deliver([e3!]);
    deliver([e2!]);
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2, 3]));
    ac.abort();
    await out.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('fills a hole from the store when the missing event never comes live', async () => {
    const { store, id, hub, deliver } = await setup();
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(2));
    const events = await store.append(id, thoughts(4));
    deliver([events[3]!]);
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2, 3, 4]));
    ac.abort();
    await out.done;
  });

  it('re-reads from the store on resync, without duplicates', async () => {
    const { store, id, hub, deliver, resync } = await setup();
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(2));
    const [e1] = await store.append(id, thoughts(1));
    deliver([e1!]);
    await vi.waitFor(() => expect(out.seqs).toEqual([1]));
    // The feed lost 2..5; then it was reopened.
    await store.append(id, thoughts(4));
    resync();
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2, 3, 4, 5]));
    ac.abort();
    await out.done;
  });

  it('bounds what it holds for a reader that does not read, then catches up from the store', async () => {
    const { store, id, hub, deliver } = await setup();
    const stream = streamSessionEvents({ store, hub, sessionId: id, maxHeld: 10, pageSize: 7 });
    const first = stream.next();
    const events = await store.append(id, thoughts(1));
    deliver(events);
    expect((await first).value).toMatchObject({ kind: 'event', event: { seq: 1 } });
    // The reader stalls while 50 more arrive live: far more than it may hold.
    const reads = vi.spyOn(store, 'readEvents');
    const more = await store.append(id, thoughts(50));
    for (const e of more) deliver([e]);
    const seqs: number[] = [];
    for await (const m of stream) {
      if (m.kind === 'event') seqs.push(m.event.seq);
      if (seqs.length === 50) break;
    }
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    // It dropped its buffer and paged through the store instead.
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(Math.ceil(50 / 7));
    expect(hub.listenerCount()).toBe(0);
  });

  it('ends after complete', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(2), { type: 'complete', status: 'cancelled' }]);
    const out = drain(streamSessionEvents({ store, hub, sessionId: id }));
    await out.done;
    expect(out.seqs).toEqual([1, 2, 3]);
  });

  it('ends at once for a client that resumes at the end of a finished session', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(2), { type: 'complete', status: 'succeeded' }]);
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, lastEventId: '3' }));
    await out.done;
    expect(out.seqs).toEqual([]);
    expect(hub.listenerCount()).toBe(0);
  });

  it('rejects an unknown session with NOT_FOUND', async () => {
    const { store, hub } = await setup();
    await expect(streamSessionEvents({ store, hub, sessionId: 'x' }).next()).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('parseLastEventId', () => {
  it('reads seqs and tells absent from malformed', () => {
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('')).toBeUndefined();
    expect(parseLastEventId('0')).toBe(0);
    expect(parseLastEventId('42')).toBe(42);
    expect(parseLastEventId(7)).toBe(7);
    for (const bad of ['-1', '1.5', 'abc', ' 1', '1e3', '9999999999999999', -3])
      expect(parseLastEventId(bad)).toBeNull();
  });
});
