import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { parseLastEventId, streamSessionEvents } from '../../server/hub/streamSessionEvents.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { HeadMessage, SessionStreamMessage } from '../../shared/streamMessages.ts';
import { manualHub } from '../support/manualHub.ts';

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

/** A live event the store does not hold (yet): what a feed delivers ahead of a slow write. */
const unstored = (sessionId: string, seq: number): StoredEvent => ({
  type: 'thought',
  text: `${seq}`,
  sessionId,
  seq,
  ts: new Date(0).toISOString(),
});

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Appends `n` thoughts in batches the store accepts. */
async function appendMany(store: ReturnType<typeof createMemoryStore>, id: string, n: number) {
  const out: StoredEvent[] = [];
  for (let left = n; left > 0; left -= 1000)
    out.push(...(await store.append(id, thoughts(Math.min(left, 1000)))));
  return out;
}

/**
 * A stream whose reader has just taken seq 1 from memory and then stops reading: the stream is
 * parked inside the yield of a held live event.
 */
async function stalledAfterFirstLiveEvent(opts: { maxHeld?: number } = {}) {
  const ctx = await setup();
  const reads = vi.spyOn(ctx.store, 'readEvents');
  const stream = streamSessionEvents({ store: ctx.store, hub: ctx.hub, sessionId: ctx.id, ...opts });
  const first = stream.next();
  // The backfill has asked the store (which is empty): seq 1 can only come from memory.
  await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
  ctx.deliver(await ctx.store.append(ctx.id, thoughts(1)));
  expect((await first).value).toMatchObject({ kind: 'event', event: { seq: 1 } });
  expect(reads).toHaveBeenCalledTimes(1);
  return { ...ctx, reads, stream };
}

/** Reads `n` event seqs from a stream that must not end before. */
async function take(stream: AsyncGenerator<SessionStreamMessage | HeadMessage>, n: number) {
  const seqs: number[] = [];
  while (seqs.length < n) {
    const r = await stream.next();
    if (r.done) break;
    if (r.value.kind === 'event') seqs.push(r.value.event.seq);
  }
  return seqs;
}

/** Whether a promise has settled, observed without awaiting it. */
function settles<T>(p: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  void p.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

describe('streamSessionEvents', () => {
  it('holds back a live event that arrives ahead of a hole until the hole is filled', async () => {
    const { store, id, hub, deliver } = await setup();
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
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
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
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
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
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

describe('streamSessionEvents from memory', () => {
  it('delivers live events from memory without reading the store for them', async () => {
    const { store, id, hub, deliver } = await setup();
    const reads = vi.spyOn(store, 'readEvents');
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    for (let i = 0; i < 3; i++) deliver(await store.append(id, thoughts(1)));
    deliver(await store.append(id, thoughts(2)));
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2, 3, 4, 5]));
    // Only the backfill read the store.
    expect(reads).toHaveBeenCalledTimes(1);
    ac.abort();
    await out.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('holds exactly 2000 live events for a reader that does not read, and serves them from memory', async () => {
    const { store, id, deliver, reads, stream, hub } = await stalledAfterFirstLiveEvent();
    for (const e of await appendMany(store, id, 2000)) deliver([e]);
    expect(await take(stream, 2000)).toEqual(range(2, 2001));
    expect(reads).toHaveBeenCalledTimes(1);
    await stream.return(undefined);
    expect(hub.listenerCount()).toBe(0);
  });

  it('drops its buffer at 2001 held events and catches up from the store without a new event', async () => {
    const { store, id, deliver, reads, stream, hub } = await stalledAfterFirstLiveEvent();
    for (const e of await appendMany(store, id, 2001)) deliver([e]);
    // Nothing more arrives live: the reader must still get all of them, from the store.
    const out = settles(take(stream, 2001));
    await vi.waitFor(() => expect(out.settled).toBe(true), { timeout: 5000 });
    expect(out.value).toEqual(range(2, 2002));
    // 2001 events in 500-event pages, plus the short page that ends the backfill.
    expect(reads).toHaveBeenCalledTimes(1 + 5);
    await stream.return(undefined);
    expect(hub.listenerCount()).toBe(0);
  });

  it('keeps holding after its buffer was dropped and read back', async () => {
    const { store, id, deliver, reads, stream } = await stalledAfterFirstLiveEvent({ maxHeld: 3 });
    for (const e of await store.append(id, thoughts(4))) deliver([e]);
    const caughtUp = settles(take(stream, 4));
    await vi.waitFor(() => expect(caughtUp.settled).toBe(true));
    expect(caughtUp.value).toEqual([2, 3, 4, 5]);
    expect(reads).toHaveBeenCalledTimes(2);
    // Past the catch-up, live events are held (and served from memory) again.
    const next = stream.next();
    deliver(await store.append(id, thoughts(1)));
    expect((await next).value).toMatchObject({ kind: 'event', event: { seq: 6 } });
    expect(reads).toHaveBeenCalledTimes(2);
    await stream.return(undefined);
  });

  it('catches up from the store after a resync that came while the reader was not reading', async () => {
    const { store, id, resync, reads, stream } = await stalledAfterFirstLiveEvent();
    // The feed lost 2..3, then was reopened; no event follows.
    await store.append(id, thoughts(2));
    resync();
    const out = settles(take(stream, 2));
    await vi.waitFor(() => expect(out.settled).toBe(true));
    expect(out.value).toEqual([2, 3]);
    expect(reads).toHaveBeenCalledTimes(2);
    await stream.return(undefined);
  });

  it('ends after a complete that arrives live', async () => {
    const { store, id, hub, deliver } = await setup();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id }));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
    deliver(await store.append(id, thoughts(1)));
    await vi.waitFor(() => expect(out.seqs).toEqual([1]));
    deliver(await store.append(id, [{ type: 'complete', status: 'succeeded' }, ...thoughts(0)]));
    await out.done;
    expect(out.seqs).toEqual([1, 2]);
    expect(hub.listenerCount()).toBe(0);
  });

  it('does not deliver a held event after a complete held before it', async () => {
    const { store, id, hub, deliver } = await setup();
    const reads = vi.spyOn(store, 'readEvents');
    const out = drain(streamSessionEvents({ store, hub, sessionId: id }));
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    const [done] = await store.append(id, [{ type: 'complete', status: 'failed' }]);
    // A buggy feed sends something after the end: the stream has already ended by then.
    deliver([done!, unstored(id, 2)]);
    await out.done;
    expect(out.seqs).toEqual([1]);
    expect(hub.listenerCount()).toBe(0);
  });

  it('looks in the store once per wake-up for a hole, then waits for the feed', async () => {
    const { store, id, hub, deliver } = await setup();
    await store.append(id, thoughts(1));
    const reads = vi.spyOn(store, 'readEvents');
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(out.seqs).toEqual([1]));
    // Seq 3 arrives live while 2 is nowhere yet: one look in the store, then a wait (no busy loop).
    deliver([unstored(id, 3)]);
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(2));
    await new Promise((r) => setImmediate(r));
    expect(reads).toHaveBeenCalledTimes(2);
    expect(out.seqs).toEqual([1]);
    // 2 and 3 get stored, but only 4 comes live: that wake-up looks again and finds the hole filled.
    await store.append(id, thoughts(2));
    deliver([unstored(id, 4)]);
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2, 3, 4]));
    expect(reads).toHaveBeenCalledTimes(3);
    ac.abort();
    await out.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('skips stored events it already delivered when the store pages overlap', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(4), { type: 'complete', status: 'succeeded' }]);
    // A backend whose pages start one early (e.g. an inclusive range): every page repeats one event.
    const overlapping = {
      ...store,
      readEvents: (sessionId: string, r: { after: number; limit: number }) =>
        store.readEvents(sessionId, { after: Math.max(0, r.after - 1), limit: r.limit }),
    };
    const out = drain(streamSessionEvents({ store: overlapping, hub, sessionId: id, pageSize: 2 }));
    await out.done;
    expect(out.seqs).toEqual([1, 2, 3, 4, 5]);
  });
});

/**
 * A store whose reads answer only when `release` is called, like a slow round trip. They see the
 * store as it was when asked (`seeAt: 'ask'`) or when answered (`'answer'`): either way, events
 * appended meanwhile can come live first.
 */
function slowReads(store: ReturnType<typeof createMemoryStore>, seeAt: 'ask' | 'answer') {
  const answers: (() => void)[] = [];
  const slow = {
    ...store,
    readEvents: (sessionId: string, r: { after: number; limit: number }) => {
      const asked = seeAt === 'ask' ? store.readEvents(sessionId, r) : undefined;
      return new Promise<StoredEvent[]>((resolve) =>
        answers.push(() => resolve(asked ?? store.readEvents(sessionId, r))),
      );
    },
  };
  const reads = vi.spyOn(slow, 'readEvents');
  return { slow, reads, release: () => answers.shift()?.() };
}

describe('streamSessionEvents races with the backfill', () => {
  it('drops a live event the backfill page also had, without reading again', async () => {
    const { store, id, hub, deliver } = await setup();
    const { slow, reads, release } = slowReads(store, 'answer');
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store: slow, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    // Seq 1 is appended while the read is under way: it comes live and is in the page too.
    deliver(await store.append(id, thoughts(1)));
    release();
    await vi.waitFor(() => expect(out.seqs).toEqual([1]));
    await new Promise((r) => setImmediate(r));
    expect(reads).toHaveBeenCalledTimes(1);
    ac.abort();
    await out.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('ignores a live event it already delivered, without reading again', async () => {
    const { store, id, hub, deliver } = await setup();
    const [e1] = await store.append(id, thoughts(1));
    const reads = vi.spyOn(store, 'readEvents');
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(out.seqs).toEqual([1]));
    // The feed delivers seq 1 late, after the backfill had it.
    deliver([e1!]);
    await new Promise((r) => setImmediate(r));
    expect(reads).toHaveBeenCalledTimes(1);
    const [e2] = await store.append(id, thoughts(1));
    deliver([e1!, e2!]);
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2]));
    expect(reads).toHaveBeenCalledTimes(1);
    ac.abort();
    await out.done;
  });

  it('looks in the store for a hole left by the backfill before it first waits', async () => {
    const { store, id, hub, deliver } = await setup();
    await store.append(id, thoughts(1));
    const { slow, reads, release } = slowReads(store, 'ask');
    const ac = new AbortController();
    const out = drain(streamSessionEvents({ store: slow, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    // 2 and 3 are stored while the page (with 1 only) is on its way; only 3 comes live.
    const [, e3] = await store.append(id, thoughts(2));
    deliver([e3!]);
    release();
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(2));
    release();
    await vi.waitFor(() => expect(out.seqs).toEqual([1, 2, 3]));
    ac.abort();
    await out.done;
  });

  it('keeps live events that arrive before the backfill starts, even ones its read does not see yet', async () => {
    const { store, id, hub, deliver } = await setup();
    const ac = new AbortController();
    const stream = streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal, announceHead: true });
    expect((await stream.next()).value).toEqual({ kind: 'head', headSeq: 0 });
    // While the reader holds the head message, seq 1 comes live (the store's read will lag behind).
    deliver([unstored(id, 1)]);
    const next = settles(stream.next());
    await vi.waitFor(() => expect(next.settled).toBe(true));
    expect(next.value).toMatchObject({ value: { kind: 'event', event: { seq: 1 } } });
    ac.abort();
    expect((await stream.next()).done).toBe(true);
  });

  it('names the field and the session when the session does not exist', async () => {
    const { store, hub } = await setup();
    await expect(streamSessionEvents({ store, hub, sessionId: 'x' }).next()).rejects.toThrow(
      'sessionId: no session x',
    );
  });
});

describe('streamSessionEvents resume', () => {
  it('resumes after lastEventId', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(3), { type: 'complete', status: 'succeeded' }]);
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, lastEventId: '2' }));
    await out.done;
    expect(out.seqs).toEqual([3, 4]);
  });

  it('resumes after a numeric lastEventId', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(3), { type: 'complete', status: 'succeeded' }]);
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, lastEventId: 3 }));
    await out.done;
    expect(out.seqs).toEqual([4]);
  });

  it('sends the last event of a finished session to a client one behind', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(2), { type: 'complete', status: 'succeeded' }]);
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, lastEventId: '2' }));
    await out.done;
    expect(out.seqs).toEqual([3]);
  });

  it('keeps a running session open for a client resuming at its head', async () => {
    const { store, id, hub, deliver } = await setup();
    await store.append(id, thoughts(2));
    const ac = new AbortController();
    const out = drain(
      streamSessionEvents({ store, hub, sessionId: id, lastEventId: '2', signal: ac.signal }),
    );
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
    deliver(await store.append(id, thoughts(1)));
    await vi.waitFor(() => expect(out.seqs).toEqual([3]));
    ac.abort();
    await out.done;
  });

  it.each([
    ['beyond the head', '3', 'ahead_of_head'],
    ['malformed', 'x1', 'malformed_last_event_id'],
  ])('resets and sends the whole trail for an id %s', async (_, lastEventId, reason) => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(1), { type: 'complete', status: 'succeeded' }]);
    const messages = [];
    for await (const m of streamSessionEvents({ store, hub, sessionId: id, lastEventId })) messages.push(m);
    expect(messages).toEqual([
      { kind: 'reset', reason, headSeq: 2 },
      { kind: 'event', event: expect.objectContaining({ seq: 1 }) },
      { kind: 'event', event: expect.objectContaining({ seq: 2, type: 'complete' }) },
    ]);
  });

  it.each([
    ['at the kept end', '2', undefined],
    ['inside the lost range', '3', 'recovered'],
    ['at the end of the lost range', '5', 'recovered'],
    ['past the lost range', '6', undefined],
  ])(
    'after a recovery, a client resuming %s is reset only when it may hold lost events',
    async (_, lastEventId, reason) => {
      const { store, id, hub } = await setup();
      // Seqs 3–5 were lost in a recovery, and 3–7 handed out again since.
      await store.append(id, thoughts(7));
      const session = (await store.getSession(id))!;
      vi.spyOn(store, 'getSession').mockResolvedValue({
        ...session,
        recovered: { keptThrough: 2, lostThrough: 5, at: session.createdAt },
      });
      const stream = streamSessionEvents({ store, hub, sessionId: id, lastEventId });
      const first = (await stream.next()).value;
      await stream.return(undefined);
      expect(first).toEqual(
        reason
          ? { kind: 'reset', reason, headSeq: 7 }
          : { kind: 'event', event: expect.objectContaining({ seq: Number(lastEventId) + 1 }) },
      );
    },
  );

  it('resumes at the head itself without a reset', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(1), { type: 'complete', status: 'succeeded' }]);
    const messages = [];
    for await (const m of streamSessionEvents({ store, hub, sessionId: id, lastEventId: '2' }))
      messages.push(m);
    expect(messages).toEqual([]);
  });

  it('announces the head first when asked, after a reset', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [...thoughts(1), { type: 'complete', status: 'succeeded' }]);
    const kinds = [];
    const stream = streamSessionEvents({ store, hub, sessionId: id, lastEventId: '9', announceHead: true });
    for await (const m of stream) kinds.push(m.kind === 'event' ? m.event.seq : m);
    expect(kinds).toEqual([
      { kind: 'reset', reason: 'ahead_of_head', headSeq: 2 },
      { kind: 'head', headSeq: 2 },
      1,
      2,
    ]);
  });

  it('uses the session it is given instead of reading it again', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, [{ type: 'complete', status: 'succeeded' }]);
    const session = await store.getSession(id);
    const gets = vi.spyOn(store, 'getSession');
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, session }));
    await out.done;
    expect(out.seqs).toEqual([1]);
    expect(gets).not.toHaveBeenCalled();
  });
});

describe('streamSessionEvents abort', () => {
  it('yields nothing and leaves no listener when the signal aborted before it started', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, thoughts(2));
    const reads = vi.spyOn(store, 'readEvents');
    const ac = new AbortController();
    ac.abort();
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await out.done;
    expect(out.seqs).toEqual([]);
    expect(reads).not.toHaveBeenCalled();
    expect(hub.listenerCount()).toBe(0);
  });

  it('ends without waiting when the signal aborted while the reader held an event', async () => {
    const { store, id, hub, deliver } = await setup();
    const ac = new AbortController();
    const reads = vi.spyOn(store, 'readEvents');
    const stream = streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal });
    const first = stream.next();
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    deliver(await store.append(id, thoughts(1)));
    expect((await first).value).toMatchObject({ kind: 'event', event: { seq: 1 } });
    // Aborted before the stream got back to its wait: the abort event is already over.
    ac.abort();
    const end = settles(stream.next());
    await vi.waitFor(() => expect(end.settled).toBe(true));
    expect(end.value).toEqual({ done: true, value: undefined });
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('ends a wait for live events when the signal aborts', async () => {
    const { store, id, hub } = await setup();
    const ac = new AbortController();
    const reads = vi.spyOn(store, 'readEvents');
    const out = drain(streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal }));
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1));
    ac.abort();
    await out.done;
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('stops the backfill after the page it is reading when the signal aborts', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, thoughts(5));
    const reads = vi.spyOn(store, 'readEvents');
    const ac = new AbortController();
    const stream = streamSessionEvents({ store, hub, sessionId: id, signal: ac.signal, pageSize: 2 });
    expect(await take(stream, 1)).toEqual([1]);
    ac.abort();
    expect(await take(stream, 5)).toEqual([2]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(hub.listenerCount()).toBe(0);
  });

  it('ends when the signal aborts while a store read is in flight', async () => {
    const { store, id, hub } = await setup();
    await store.append(id, thoughts(3));
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const read = store.readEvents.bind(store);
    const slow = {
      ...store,
      readEvents: async (sessionId: string, r: { after: number; limit: number }) => {
        await gate;
        return read(sessionId, r);
      },
    };
    const reads = vi.spyOn(slow, 'readEvents');
    const ac = new AbortController();
    const out = drain(
      streamSessionEvents({ store: slow, hub, sessionId: id, signal: ac.signal, pageSize: 2 }),
    );
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(1));
    ac.abort();
    release();
    await out.done;
    // The page that was in flight is still delivered; no further page is read.
    expect(out.seqs).toEqual([1, 2]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(hub.listenerCount()).toBe(0);
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

  it('treats null as absent and takes numbers and digits only within their bounds', () => {
    expect(parseLastEventId(null)).toBeUndefined();
    expect(parseLastEventId(0)).toBe(0);
    expect(parseLastEventId(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseLastEventId('999999999999999')).toBe(999_999_999_999_999);
    for (const bad of [1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, '12a', 'a12'])
      expect(parseLastEventId(bad)).toBeNull();
  });
});
