import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, type Hub } from '../../server/hub/createHub.ts';
import { streamTabFeed, type TrackedFeedMessage } from '../../server/hub/streamTabFeed.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { type FeedCursor, formatFeedCursor, listedSessions } from '../../shared/streamMessages.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

let hubs: Hub[] = [];
afterEach(() => {
  for (const hub of hubs) hub.close();
  hubs = [];
});

/** A memory store on a clock the test sets, and the real hub over it. */
function setup(wrap: (store: EventStore) => EventStore = (s) => s) {
  let now = T0;
  const store = createMemoryStore({ now: () => new Date(now) });
  const hub = createHub(wrap(store));
  hubs.push(hub);
  return {
    store: wrap(store),
    hub,
    at(ms: number) {
      now = ms;
    },
    async sessionAt(ms: number, thoughts = 0) {
      now = ms;
      const s = await store.createSession({ title: 's', agent: 'a' });
      if (thoughts > 0)
        await store.append(
          s.id,
          Array.from({ length: thoughts }, () => thought),
        );
      return (await store.getSession(s.id))!;
    },
  };
}

const thought = { type: 'thought' as const, text: 't' };

/** Reads the feed in the background. */
function collect(feed: AsyncGenerator<TrackedFeedMessage>) {
  const out: TrackedFeedMessage[] = [];
  const done = (async () => {
    for await (const m of feed) out.push(m);
  })();
  return { out, done };
}

const messages = (out: TrackedFeedMessage[]) => out.map((m) => m.message);
const eventSeqs = (out: TrackedFeedMessage[]) =>
  out.flatMap((m) =>
    m.message.kind === 'session' && m.message.message.kind === 'event' ? [m.message.message.event.seq] : [],
  );
const listMessages = (out: TrackedFeedMessage[]) =>
  out.flatMap((m) => (m.message.kind === 'list' ? [m.message.message] : []));

/**
 * The cursor each message must carry, folded from the messages as they came: the trail's last seq
 * (0 after a reset) and the newest activity the list has shown.
 */
function expectedCursors(out: TrackedFeedMessage[], start: FeedCursor): FeedCursor[] {
  let seq = start.seq;
  let listMs = start.listMs;
  return out.map(({ message: m }) => {
    if (m.kind === 'list') {
      for (const s of listedSessions(m.message)) listMs = Math.max(listMs ?? 0, Date.parse(s.lastActivityAt));
    }
    if (m.kind === 'session' && m.message.kind === 'event') seq = m.message.event.seq;
    if (m.kind === 'session' && m.message.kind === 'reset') seq = 0;
    return { seq, listMs };
  });
}

describe('streamTabFeed', () => {
  it('following no session, carries only the list, tracked by its newest activity', async () => {
    const { store, hub, sessionAt } = setup();
    const a = await sessionAt(T0);
    const b = await sessionAt(T0 + 1_000);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: null, signal: ac.signal }));
    await vi.waitFor(() => expect(feed.out).toHaveLength(1));
    expect(feed.out[0]).toEqual({
      cursor: { seq: 0, listMs: T0 + 1_000 },
      message: { kind: 'list', message: { kind: 'snapshot', sessions: [b, a], complete: true } },
    });
    expect(formatFeedCursor(feed.out[0]!.cursor)).toBe(`0.${T0 + 1_000}`);
    expect(hub.listenerCount()).toBe(3);
    const c = await sessionAt(T0 + 2_000);
    await vi.waitFor(() => expect(feed.out).toHaveLength(2));
    expect(feed.out[1]).toEqual({
      cursor: { seq: 0, listMs: T0 + 2_000 },
      message: { kind: 'list', message: { kind: 'upsert', session: c } },
    });
    ac.abort();
    await feed.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('carries an empty list with an empty list position', async () => {
    const { store, hub } = setup();
    const feed = streamTabFeed({ store, hub });
    const first = (await feed.next()).value as TrackedFeedMessage;
    expect(first.cursor).toEqual({ seq: 0, listMs: undefined });
    expect(formatFeedCursor(first.cursor)).toBe('0.');
    await feed.return(undefined);
    expect(hub.listenerCount()).toBe(0);
  });

  it('following a session, carries the list and its trail, each message tagged with both positions', async () => {
    const { store, hub, sessionAt, at } = setup();
    const other = await sessionAt(T0 - 1_000);
    const open = await sessionAt(T0, 2);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: open.id, signal: ac.signal }));
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1, 2]));
    await vi.waitFor(() => expect(listMessages(feed.out)).toHaveLength(1));
    expect(hub.listenerCount()).toBe(6);
    expect(messages(feed.out)).toContainEqual({
      kind: 'session',
      sessionId: open.id,
      message: { kind: 'head', headSeq: 2 },
    });
    expect(listMessages(feed.out)).toEqual([{ kind: 'snapshot', sessions: [open, other], complete: true }]);
    at(T0 + 5_000);
    await store.append(open.id, [thought]);
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1, 2, 3]));
    await vi.waitFor(() => expect(listMessages(feed.out)).toHaveLength(2));
    expect(feed.out.map((m) => m.cursor)).toEqual(expectedCursors(feed.out, { seq: 0, listMs: undefined }));
    expect(feed.out.at(-1)!.cursor).toEqual({ seq: 3, listMs: T0 + 5_000 });
    ac.abort();
    await feed.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('gives each message its own copy of the cursor', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 2);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: open.id, signal: ac.signal }));
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1, 2]));
    const first = feed.out.find((m) => m.message.kind === 'session' && m.message.message.kind === 'event');
    expect(first!.cursor.seq).toBe(1);
    ac.abort();
    await feed.done;
  });

  it('keeps the newest list position when a change carries older activity', async () => {
    const { store, hub, sessionAt, at } = setup();
    const old = await sessionAt(T0);
    await sessionAt(T0 + 10_000);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, signal: ac.signal }));
    await vi.waitFor(() => expect(feed.out).toHaveLength(1));
    // A writer whose clock is behind touches the older session.
    at(T0 + 1_000);
    await store.append(old.id, [thought]);
    await vi.waitFor(() => expect(feed.out).toHaveLength(2));
    expect(feed.out[1]!.cursor).toEqual({ seq: 0, listMs: T0 + 10_000 });
    ac.abort();
    await feed.done;
  });

  it('resumes both positions from the cursor', async () => {
    const { store, hub, sessionAt } = setup();
    // Active long before the cursor's list position: not resent.
    const open = await sessionAt(T0 - 60_000, 3);
    const ac = new AbortController();
    const lastEventId = formatFeedCursor({ seq: 2, listMs: T0 });
    const feed = collect(streamTabFeed({ store, hub, sessionId: open.id, lastEventId, signal: ac.signal }));
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([3]));
    await vi.waitFor(() => expect(listMessages(feed.out)).toHaveLength(1));
    expect(listMessages(feed.out)).toEqual([
      { kind: 'snapshot', sessions: [], complete: false, ids: [open.id] },
    ]);
    expect(messages(feed.out)).toContainEqual({
      kind: 'session',
      sessionId: open.id,
      message: { kind: 'head', headSeq: 3 },
    });
    const head = feed.out.find((m) => m.message.kind === 'session' && m.message.message.kind === 'head');
    expect(head!.cursor).toEqual({ seq: 2, listMs: T0 });
    expect(feed.out.map((m) => m.cursor)).toEqual(expectedCursors(feed.out, { seq: 2, listMs: T0 }));
    ac.abort();
    await feed.done;
  });

  it('resends sessions active within the margin of the cursor list position', async () => {
    const { store, hub, sessionAt } = setup();
    const recent = await sessionAt(T0 - 4_000);
    const ac = new AbortController();
    const lastEventId = formatFeedCursor({ seq: 0, listMs: T0 });
    const feed = collect(streamTabFeed({ store, hub, lastEventId, signal: ac.signal }));
    await vi.waitFor(() => expect(feed.out).toHaveLength(1));
    expect(feed.out[0]).toEqual({
      cursor: { seq: 0, listMs: T0 },
      message: {
        kind: 'list',
        message: { kind: 'snapshot', sessions: [recent], complete: false, ids: [recent.id] },
      },
    });
    ac.abort();
    await feed.done;
  });

  it('resumes the trail and sends the whole list for a cursor with no list position', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 3);
    const ac = new AbortController();
    const feed = collect(
      streamTabFeed({ store, hub, sessionId: open.id, lastEventId: '1.', signal: ac.signal }),
    );
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([2, 3]));
    await vi.waitFor(() => expect(listMessages(feed.out)).toHaveLength(1));
    expect(listMessages(feed.out)).toEqual([{ kind: 'snapshot', sessions: [open], complete: true }]);
    expect(feed.out.map((m) => m.cursor)).toEqual(expectedCursors(feed.out, { seq: 1, listMs: undefined }));
    ac.abort();
    await feed.done;
  });

  it('answers a malformed cursor with a reset of the trail and the whole list', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 2);
    const ac = new AbortController();
    const feed = collect(
      streamTabFeed({ store, hub, sessionId: open.id, lastEventId: 'garbage', signal: ac.signal }),
    );
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1, 2]));
    await vi.waitFor(() => expect(listMessages(feed.out)).toHaveLength(1));
    expect(messages(feed.out)).toContainEqual({
      kind: 'session',
      sessionId: open.id,
      message: { kind: 'reset', reason: 'malformed_last_event_id', headSeq: 2 },
    });
    expect(listMessages(feed.out)[0]).toMatchObject({ kind: 'snapshot', complete: true });
    expect(feed.out.map((m) => m.cursor)).toEqual(expectedCursors(feed.out, { seq: 0, listMs: undefined }));
    ac.abort();
    await feed.done;
  });

  it('sets the trail position back to 0 on a reset', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 1);
    const ac = new AbortController();
    const lastEventId = formatFeedCursor({ seq: 9, listMs: T0 });
    const feed = collect(streamTabFeed({ store, hub, sessionId: open.id, lastEventId, signal: ac.signal }));
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1]));
    const reset = feed.out.find((m) => m.message.kind === 'session' && m.message.message.kind === 'reset');
    expect(reset).toEqual({
      cursor: { seq: 0, listMs: T0 },
      message: {
        kind: 'session',
        sessionId: open.id,
        message: { kind: 'reset', reason: 'ahead_of_head', headSeq: 1 },
      },
    });
    ac.abort();
    await feed.done;
  });

  it('reports a missing session in-stream and keeps the list live', async () => {
    const { store, hub, sessionAt } = setup();
    const ac = new AbortController();
    const lastEventId = formatFeedCursor({ seq: 4, listMs: T0 });
    const feed = collect(streamTabFeed({ store, hub, sessionId: 'nope', lastEventId, signal: ac.signal }));
    await vi.waitFor(() =>
      expect(feed.out).toContainEqual({
        cursor: { seq: 4, listMs: T0 },
        message: { kind: 'session_missing', sessionId: 'nope' },
      }),
    );
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
    const later = await sessionAt(T0 + 1);
    await vi.waitFor(() => expect(listMessages(feed.out)).toContainEqual({ kind: 'upsert', session: later }));
    ac.abort();
    await feed.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it('keeps the list live after the followed session completes', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 1);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: open.id, signal: ac.signal }));
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1]));
    await store.append(open.id, [{ type: 'complete', status: 'succeeded' }]);
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1, 2]));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
    const later = await sessionAt(T0 + 1);
    await vi.waitFor(() => expect(listMessages(feed.out)).toContainEqual({ kind: 'upsert', session: later }));
    ac.abort();
    await feed.done;
    expect(hub.listenerCount()).toBe(0);
  });

  it.each([
    ['a storage outage', new LivetrailError('UNAVAILABLE', 'storage unavailable')],
    [
      'an error from elsewhere that has a NOT_FOUND code',
      Object.assign(new Error('odd'), { code: 'NOT_FOUND' }),
    ],
  ])('fails the feed on %s reading the session, and stops the list', async (_, error) => {
    const { store, hub } = setup((s) => ({
      ...s,
      getSession: async () => {
        throw error;
      },
    }));
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: 'any', signal: ac.signal }));
    await expect(feed.done).rejects.toBe(error);
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('ends when the request aborts, leaving no listener on the hub or the request signal', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 1);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: open.id, signal: ac.signal }));
    await vi.waitFor(() => expect(eventSeqs(feed.out)).toEqual([1]));
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(6));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    await feed.done;
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('ends when the reader stops, leaving no listener on the hub or the request signal', async () => {
    const { store, hub, sessionAt } = setup();
    const open = await sessionAt(T0, 1);
    const ac = new AbortController();
    const feed = streamTabFeed({ store, hub, sessionId: open.id, signal: ac.signal });
    await feed.next();
    await feed.return(undefined);
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(ac.signal.aborted).toBe(false);
  });
});

describe('streamTabFeed: streamed messages', () => {
  it('tracks a compacting backfill by its withheld positions and resumes the trail from them', async () => {
    const { store, hub } = setup();
    const s = await store.createSession({ title: 's', agent: 'a' });
    await store.append(s.id, [
      { type: 'message_start', messageId: 'm', role: 'assistant' },
      { type: 'tool_call', callId: 'c', tool: 't', args: null },
      { type: 'message_delta', messageId: 'm', text: 'hi' },
      { type: 'message_end', messageId: 'm' },
    ]);
    const ac = new AbortController();
    const feed = collect(streamTabFeed({ store, hub, sessionId: s.id, signal: ac.signal }));
    const trail = () =>
      feed.out.filter((m) => m.message.kind === 'session' && m.message.message.kind === 'event');
    await vi.waitFor(() => expect(trail()).toHaveLength(2));
    expect(trail().map((m) => formatFeedCursor(m.cursor).split('.')[0])).toEqual(['2~1', '4']);
    ac.abort();
    await feed.done;
    // Resuming from the withheld position: the message whole, nothing before it again.
    const ac2 = new AbortController();
    const listMs = trail()[0]!.cursor.listMs;
    const resumed = collect(
      streamTabFeed({ store, hub, sessionId: s.id, signal: ac2.signal, lastEventId: `2~1.${listMs ?? ''}` }),
    );
    await vi.waitFor(() => expect(eventSeqs(resumed.out)).toEqual([4]));
    const last = resumed.out.at(-1)!.message;
    expect(last.kind === 'session' && last.message.kind === 'event' && last.message.event).toMatchObject({
      type: 'assistant_message',
      text: 'hi',
      startSeq: 1,
    });
    ac2.abort();
    await resumed.done;
  });
});
