import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { readAllSessions, streamSessionList } from '../../server/hub/streamSessionList.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { listedSessions, type SessionListMessage } from '../../shared/streamMessages.ts';
import { manualHub } from '../support/manualHub.ts';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** A memory store on a clock the test sets (`at(ms)`), plus a manual hub. */
function setup() {
  let now = T0;
  const store = createMemoryStore({ now: () => new Date(now) });
  return {
    store,
    ...manualHub(),
    at(ms: number) {
      now = ms;
    },
    async sessionAt(ms: number, title = 's') {
      now = ms;
      return store.createSession({ title, agent: 'a' });
    },
    /** Appends one event (at the current clock) and returns the session's new state. */
    async touch(id: string) {
      await store.append(id, [{ type: 'thought', text: 't' }]);
      return (await store.getSession(id))!;
    },
  };
}

const ids = (m: SessionListMessage | undefined) =>
  m === undefined ? undefined : listedSessions(m).map((s) => s.id);

/** Resolves with the stream's next value; `settled` tells whether it has yet, without awaiting. */
function pull(stream: AsyncGenerator<SessionListMessage>) {
  const state: { settled: boolean; value?: SessionListMessage; done?: boolean } = { settled: false };
  const promise = stream.next().then((r) => {
    state.settled = true;
    state.done = r.done;
    state.value = r.value === undefined ? undefined : r.value;
    return r.value as SessionListMessage;
  });
  return Object.assign(state, { promise });
}

/** Lets every pending callback and promise run, so a stream that would move has moved. */
const settle = () => new Promise((r) => setImmediate(r));

describe('streamSessionList', () => {
  it('sends a snapshot of every session, most recent first, then an upsert per change', async () => {
    const { store, hub, change, sessionAt, touch, at } = setup();
    const a = await sessionAt(T0);
    const b = await sessionAt(T0 + 1);
    const ac = new AbortController();
    const stream = streamSessionList({ store, hub, signal: ac.signal });
    expect((await stream.next()).value).toEqual({ kind: 'snapshot', sessions: [b, a], complete: true });
    at(T0 + 2);
    const a1 = await touch(a.id);
    const next = stream.next();
    change(a1);
    expect((await next).value).toEqual({ kind: 'upsert', session: a1 });
    const c = await sessionAt(T0 + 3);
    const after = stream.next();
    change(c);
    // A session the snapshot did not have (lastSeq 0) is sent too.
    expect((await after).value).toEqual({ kind: 'upsert', session: c });
    ac.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(hub.listenerCount()).toBe(0);
  });

  it('listens before it reads the snapshot, so a change made meanwhile is not lost', async () => {
    const { store, hub, change, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const list = vi.spyOn(store, 'listSessions');
    const stream = streamSessionList({ store, hub });
    const first = stream.next();
    await vi.waitFor(() => expect(list).toHaveBeenCalledTimes(1));
    // The change lands after the snapshot was read, but before the snapshot is yielded.
    const a1 = await touch(a.id);
    change(a1);
    expect((await first).value).toMatchObject({ kind: 'snapshot', sessions: [{ id: a.id, lastSeq: 0 }] });
    expect((await stream.next()).value).toEqual({ kind: 'upsert', session: a1 });
    await stream.return(undefined);
    expect(hub.listenerCount()).toBe(0);
  });

  it('on resume sends only sessions active since the last id, less 5 seconds', async () => {
    const { store, hub, sessionAt } = setup();
    const tooOld = await sessionAt(T0 - 5_001, 'too old');
    const atMargin = await sessionAt(T0 - 5_000, 'at margin');
    const newer = await sessionAt(T0 + 10, 'newer');
    const stream = streamSessionList({ store, hub, lastEventId: new Date(T0).toISOString() });
    const first = (await stream.next()).value;
    expect(first).toMatchObject({ kind: 'snapshot', complete: false });
    expect(ids(first)).toEqual([newer.id, atMargin.id]);
    expect(ids(first)).not.toContain(tooOld.id);
    await stream.return(undefined);
  });

  it('sends a change of a session the resumed snapshot left out', async () => {
    const { store, hub, change, sessionAt, touch, at } = setup();
    const old = await sessionAt(T0 - 60_000);
    const stream = streamSessionList({ store, hub, lastEventId: new Date(T0).toISOString() });
    expect((await stream.next()).value).toEqual({
      kind: 'snapshot',
      sessions: [],
      complete: false,
      ids: [old.id],
    });
    at(T0 + 1);
    const next = stream.next();
    const old1 = await touch(old.id);
    change(old1);
    expect((await next).value).toEqual({ kind: 'upsert', session: old1 });
    await stream.return(undefined);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['null', null],
    ['not a date', 'garbage'],
  ])('sends the complete list when the last id is %s', async (_, lastEventId) => {
    const { store, hub, sessionAt } = setup();
    const a = await sessionAt(T0 - 3_600_000);
    const stream = streamSessionList({ store, hub, lastEventId });
    expect((await stream.next()).value).toEqual({ kind: 'snapshot', sessions: [a], complete: true });
    await stream.return(undefined);
  });

  it('coalesces changes that pile up while the reader is not reading, in the order first queued', async () => {
    const { store, hub, change, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const b = await sessionAt(T0 + 1);
    const ac = new AbortController();
    const stream = streamSessionList({ store, hub, signal: ac.signal });
    await stream.next();
    change(await touch(a.id));
    change(await touch(b.id));
    const a2 = await touch(a.id);
    change(a2);
    expect((await stream.next()).value).toEqual({ kind: 'upsert', session: a2 });
    expect((await stream.next()).value).toMatchObject({ kind: 'upsert', session: { id: b.id, lastSeq: 1 } });
    const more = pull(stream);
    await settle();
    expect(more.settled).toBe(false);
    ac.abort();
    await more.promise;
    expect(more.done).toBe(true);
  });

  it('sends a session queued while another upsert was being read', async () => {
    const { store, hub, change, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const b = await sessionAt(T0 + 1);
    const stream = streamSessionList({ store, hub });
    await stream.next();
    const first = stream.next();
    change(await touch(a.id));
    expect(ids((await first).value)).toEqual([a.id]);
    // Queued while the reader holds a's upsert: no new notify reaches a waiter.
    const b1 = await touch(b.id);
    change(b1);
    const next = pull(stream);
    await vi.waitFor(() => expect(next.settled).toBe(true));
    expect(next.value).toEqual({ kind: 'upsert', session: b1 });
    await stream.return(undefined);
  });

  it('skips a queued change older than what it has sent', async () => {
    const { store, hub, change, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const stale = a;
    const a1 = await touch(a.id);
    const stream = streamSessionList({ store, hub });
    expect((await stream.next()).value).toMatchObject({ sessions: [{ id: a.id, lastSeq: 1 }] });
    // Older than the snapshot: dropped.
    change(stale);
    const a2 = await touch(a.id);
    const next = stream.next();
    change(a2);
    expect((await next).value).toEqual({ kind: 'upsert', session: a2 });
    // Older than the last upsert: dropped too.
    change(a1);
    const more = pull(stream);
    await settle();
    expect(more.settled).toBe(false);
    const a3 = await touch(a.id);
    change(a3);
    expect(await more.promise).toEqual({ kind: 'upsert', session: a3 });
    await stream.return(undefined);
  });

  it('resends a change at the seq the snapshot already had (a session created while it was read)', async () => {
    const { store, hub, change, sessionAt } = setup();
    const a = await sessionAt(T0);
    const stream = streamSessionList({ store, hub });
    await stream.next();
    const next = stream.next();
    change(a);
    expect((await next).value).toEqual({ kind: 'upsert', session: a });
    await stream.return(undefined);
  });
});

describe('streamSessionList resync', () => {
  it('waits a random pause of up to resyncJitterMs before re-reading', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { store, hub, resync } = setup();
    const list = vi.spyOn(store, 'listSessions');
    const stream = streamSessionList({ store, hub, resyncJitterMs: 200 });
    await stream.next();
    const next = stream.next();
    await settle();
    const started = performance.now();
    resync();
    await next;
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(list).toHaveBeenCalledTimes(2);
    await stream.return(undefined);
    vi.restoreAllMocks();
  });

  it('re-reads the list once for all subscribers that resync together', async () => {
    const { store, hub, resync, sessionAt } = setup();
    await sessionAt(T0);
    const list = vi.spyOn(store, 'listSessions');
    const streams = Array.from({ length: 3 }, () => streamSessionList({ store, hub, resyncJitterMs: 0 }));
    for (const s of streams) await s.next();
    const initialReads = list.mock.calls.length;
    const nexts = streams.map((s) => s.next());
    await settle();
    resync();
    for (const n of nexts) expect((await n).value).toMatchObject({ kind: 'snapshot', complete: true });
    expect(list.mock.calls.length - initialReads).toBe(1);
    for (const s of streams) await s.return(undefined);
  });

  it('does not join a read that began before it was listening', async () => {
    const { store, hub } = setup();
    const early = readAllSessions(store, 0);
    const a = await store.createSession({ title: 'after the read began', agent: 'a' });
    const stream = streamSessionList({ store, hub });
    const first = (await stream.next()).value as { sessions: { id: string }[] };
    expect((await early).map((s) => s.id)).not.toContain(a.id);
    expect(first.sessions.map((s) => s.id)).toContain(a.id);
    await stream.return(undefined);
  });

  it('sends a complete snapshot again on resync, even after a resumed one', async () => {
    const { store, hub, resync, sessionAt } = setup();
    const old = await sessionAt(T0 - 60_000);
    const list = vi.spyOn(store, 'listSessions');
    const stream = streamSessionList({
      store,
      hub,
      resyncJitterMs: 0,
      lastEventId: new Date(T0).toISOString(),
    });
    expect((await stream.next()).value).toMatchObject({ sessions: [], complete: false });
    const next = stream.next();
    await settle();
    resync();
    expect((await next).value).toEqual({ kind: 'snapshot', sessions: [old], complete: true });
    expect(list).toHaveBeenCalledTimes(2);
    await stream.return(undefined);
  });

  it('drops changes queued before a resync: the new snapshot has them', async () => {
    const { store, hub, change, resync, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const b = await sessionAt(T0 + 1);
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0 });
    await stream.next();
    const a1 = await touch(a.id);
    change(a1);
    resync();
    expect((await stream.next()).value).toMatchObject({ kind: 'snapshot', complete: true });
    // The next message is b's change, not a's again.
    const next = stream.next();
    const b1 = await touch(b.id);
    change(b1);
    expect((await next).value).toEqual({ kind: 'upsert', session: b1 });
    await stream.return(undefined);
  });

  it('sends the snapshot of a resync that came while an upsert was being read', async () => {
    const { store, hub, change, resync, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0 });
    await stream.next();
    const first = stream.next();
    change(await touch(a.id));
    expect((await first).value).toMatchObject({ kind: 'upsert' });
    resync();
    const next = pull(stream);
    await vi.waitFor(() => expect(next.settled).toBe(true));
    expect(next.value).toMatchObject({ kind: 'snapshot', complete: true, sessions: [{ id: a.id }] });
    await stream.return(undefined);
  });

  it('sends the upserts queued while a resync snapshot was being read, after it', async () => {
    const { store, hub, change, resync, sessionAt, touch } = setup();
    const a = await sessionAt(T0);
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0 });
    await stream.next();
    resync();
    expect((await stream.next()).value).toMatchObject({ kind: 'snapshot' });
    const a1 = await touch(a.id);
    change(a1);
    const next = pull(stream);
    await vi.waitFor(() => expect(next.settled).toBe(true));
    expect(next.value).toEqual({ kind: 'upsert', session: a1 });
    await stream.return(undefined);
  });
});

describe('streamSessionList abort', () => {
  it('still sends the snapshot when the signal aborted before it started, then ends', async () => {
    const { store, hub, sessionAt } = setup();
    const a = await sessionAt(T0);
    const ac = new AbortController();
    ac.abort();
    const messages: SessionListMessage[] = [];
    for await (const m of streamSessionList({ store, hub, resyncJitterMs: 0, signal: ac.signal }))
      messages.push(m);
    expect(messages).toEqual([{ kind: 'snapshot', sessions: [a], complete: true }]);
    expect(hub.listenerCount()).toBe(0);
  });

  it('ends without waiting when the signal aborted while the reader held a message', async () => {
    const { store, hub } = setup();
    const ac = new AbortController();
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0, signal: ac.signal });
    await stream.next();
    ac.abort();
    const end = pull(stream);
    await vi.waitFor(() => expect(end.settled).toBe(true));
    expect(end.done).toBe(true);
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('ends a wait for changes when the signal aborts, leaving no listener', async () => {
    const { store, hub } = setup();
    const ac = new AbortController();
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0, signal: ac.signal });
    await stream.next();
    const end = pull(stream);
    await vi.waitFor(() => expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1));
    expect(hub.listenerCount()).toBe(3);
    ac.abort();
    await end.promise;
    expect(end.done).toBe(true);
    expect(hub.listenerCount()).toBe(0);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener when the reader stops after the snapshot', async () => {
    const { store, hub } = setup();
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0 });
    await stream.next();
    await stream.return(undefined);
    expect(hub.listenerCount()).toBe(0);
  });
});
