import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, type Hub } from '../../server/hub/createHub.ts';
import { streamSessionEvents } from '../../server/hub/streamSessionEvents.ts';
import { streamSessionList } from '../../server/hub/streamSessionList.ts';
import { streamTabFeed } from '../../server/hub/streamTabFeed.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import type { SessionListMessage, TabFeedMessage } from '../../shared/streamMessages.ts';
import { manualHub } from '../support/manualHub.ts';

const thought = (text: string) => ({ type: 'thought' as const, text });

let hubs: Hub[] = [];
afterEach(() => {
  for (const hub of hubs) hub.close();
  hubs = [];
  vi.useRealTimers();
});

/** A memory store with two sessions, and the real hub over it. */
async function setup(changeWindowMs = 0) {
  const store = createMemoryStore();
  const hub = createHub(store, { changeWindowMs });
  hubs.push(hub);
  const a = await store.createSession({ title: 'a', agent: 'x' });
  const b = await store.createSession({ title: 'b', agent: 'x' });
  return { store, hub, a, b };
}

/** Lets every pending callback and promise run. */
const settle = () => new Promise((r) => setImmediate(r));

/** The error a promise rejects with. */
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('createHub, when a session is deleted', () => {
  it('tells its followers and every list, and passes on no state of it held back before', async () => {
    vi.useFakeTimers();
    const { store, hub, a, b } = await setup(250);
    const followers: string[] = [];
    const removed: string[] = [];
    const changed: [string, number][] = [];
    hub.onSessionDeleted(a.id, () => followers.push('a'));
    hub.onSessionDeleted(b.id, () => followers.push('b'));
    hub.onSessionRemoved((id) => removed.push(id));
    hub.onSessionChange((s) => changed.push([s.id, s.lastSeq]));
    await store.append(a.id, [thought('1')]);
    // Inside a's window: held back until the window ends.
    await store.append(a.id, [thought('2')]);
    expect(changed).toEqual([[a.id, 1]]);
    await store.deleteSession(a.id);
    expect(followers).toEqual(['a']);
    expect(removed).toEqual([a.id]);
    vi.advanceTimersByTime(1_000);
    expect(changed).toEqual([[a.id, 1]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts deletion listeners and drops them on unsubscribe', async () => {
    const { hub, a } = await setup();
    const stops = [hub.onSessionDeleted(a.id, () => {}), hub.onSessionRemoved(() => {})];
    expect(hub.listenerCount()).toBe(2);
    for (const stop of stops) stop();
    expect(hub.listenerCount()).toBe(0);
  });
});

describe('streamSessionEvents, when its session is deleted', () => {
  it('fails a live follower with NOT_FOUND, as for an unknown session', async () => {
    const { store, hub, a } = await setup();
    await store.append(a.id, [thought('1')]);
    const stream = streamSessionEvents({ store, hub, sessionId: a.id });
    expect((await stream.next()).value).toMatchObject({ kind: 'event', event: { seq: 1 } });
    const next = stream.next();
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
    await store.deleteSession(a.id);
    const err = await rejection(next);
    expect(err).toBeInstanceOf(LivetrailError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: `sessionId: no session ${a.id}` });
    expect(hub.listenerCount()).toBe(0);
  });

  it('fails a follower whose reader had stopped once it reads on, without the events it held', async () => {
    const { store, a } = await setup();
    const { hub, deliver, remove } = manualHub();
    const stream = streamSessionEvents({ store, hub, sessionId: a.id });
    const first = stream.next();
    deliver(await store.append(a.id, [thought('1')]));
    expect((await first).value).toMatchObject({ event: { seq: 1 } });
    // Not reading: seq 2 is handed over to the reader's side, seq 3 and 4 held.
    for (const n of [2, 3, 4]) deliver(await store.append(a.id, [thought(String(n))]));
    expect((await stream.next()).value).toMatchObject({ event: { seq: 2 } });
    // The follower hands over seq 3 and waits with seq 4 in hand; then the session goes.
    await settle();
    remove(a.id);
    expect((await stream.next()).value).toMatchObject({ event: { seq: 3 } });
    expect(await rejection(stream.next())).toMatchObject({ code: 'NOT_FOUND' });
    expect(hub.listenerCount()).toBe(0);
  });

  it('stops a backfill midway when its session is deleted', async () => {
    const { store, a } = await setup();
    const { hub, remove } = manualHub();
    await store.append(
      a.id,
      [1, 2, 3, 4].map((n) => thought(String(n))),
    );
    const stream = streamSessionEvents({ store, hub, sessionId: a.id });
    expect((await stream.next()).value).toMatchObject({ event: { seq: 1 } });
    // The follower hands over seq 2 and waits with the rest of the page in hand.
    await settle();
    remove(a.id);
    expect((await stream.next()).value).toMatchObject({ event: { seq: 2 } });
    expect(await rejection(stream.next())).toMatchObject({ code: 'NOT_FOUND' });
    expect(hub.listenerCount()).toBe(0);
  });

  it('delivers no live event that arrives after the delete was heard', async () => {
    const { store, a } = await setup();
    const { hub, deliver, remove } = manualHub();
    const stream = streamSessionEvents({ store, hub, sessionId: a.id });
    const first = stream.next();
    deliver(await store.append(a.id, [thought('1')]));
    expect((await first).value).toMatchObject({ event: { seq: 1 } });
    const next = stream.next();
    await settle();
    // Both before the follower runs again: a batch stored as the delete went on (another process).
    const late = await store.append(a.id, [thought('2')]);
    remove(a.id);
    deliver(late);
    expect(await rejection(next)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads no further page of a deleted session', async () => {
    const { store, a } = await setup();
    const { hub, remove } = manualHub();
    await store.append(
      a.id,
      [1, 2, 3, 4, 5, 6].map((n) => thought(String(n))),
    );
    const reads = vi.spyOn(store, 'readEvents');
    const stream = streamSessionEvents({ store, hub, sessionId: a.id, pageSize: 2 });
    expect((await stream.next()).value).toMatchObject({ event: { seq: 1 } });
    // seq 2 is handed over; the next page waits for the reader to take it.
    await settle();
    remove(a.id);
    expect((await stream.next()).value).toMatchObject({ event: { seq: 2 } });
    expect(await rejection(stream.next())).toMatchObject({ code: 'NOT_FOUND' });
    expect(reads).toHaveBeenCalledTimes(1);
  });
});

describe('streamSessionList, when a session is deleted', () => {
  it('sends a remove instead of its queued state, and no state of it after', async () => {
    const { store, a, b } = await setup();
    const { hub, change, remove } = manualHub();
    const stream = streamSessionList({ store, hub });
    expect((await stream.next()).value).toMatchObject({ kind: 'snapshot', complete: true });
    change({ ...a, lastSeq: 1 });
    remove(a.id);
    change({ ...a, lastSeq: 2 });
    expect((await stream.next()).value).toEqual({ kind: 'remove', sessionId: a.id });
    const next = stream.next();
    change({ ...a, lastSeq: 3 });
    change(b);
    expect((await next).value).toEqual({ kind: 'upsert', session: b });
    await stream.return(undefined);
    expect(hub.listenerCount()).toBe(0);
  });

  it('lists every existing id in a resume snapshot, so a missed remove takes effect', async () => {
    const { store, hub, a, b } = await setup();
    await store.deleteSession(a.id);
    const later = new Date(Date.now() + 60_000).toISOString();
    const stream = streamSessionList({ store, hub, lastEventId: later });
    expect((await stream.next()).value).toEqual({
      kind: 'snapshot',
      sessions: [],
      complete: false,
      ids: [b.id],
    });
    await stream.return(undefined);
  });

  it('keeps a removal heard after a resync: the snapshot read for it may predate the delete', async () => {
    const { store, a, b } = await setup();
    const { hub, resync, remove } = manualHub();
    const stream = streamSessionList({ store, hub, resyncJitterMs: 0 });
    await stream.next();
    const next = stream.next();
    resync();
    // The store still lists a: the read saw it before its delete.
    remove(a.id);
    const snapshot = (await next).value as SessionListMessage;
    expect(snapshot).toMatchObject({ kind: 'snapshot', complete: true });
    expect(snapshot.kind === 'snapshot' && snapshot.sessions.map((s) => s.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    expect((await stream.next()).value).toEqual({ kind: 'remove', sessionId: a.id });
    await stream.return(undefined);
  });
});

describe('streamTabFeed, when the followed session is deleted', () => {
  it('says the session is missing, removes it from the list and keeps the list live', async () => {
    const { store, hub, a } = await setup();
    await store.append(a.id, [thought('1')]);
    const ac = new AbortController();
    const out: TabFeedMessage[] = [];
    const done = (async () => {
      for await (const m of streamTabFeed({ store, hub, sessionId: a.id, signal: ac.signal }))
        out.push(m.message);
    })();
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(6));
    await store.deleteSession(a.id);
    await vi.waitFor(() => {
      expect(out).toContainEqual({ kind: 'session_missing', sessionId: a.id });
      expect(out).toContainEqual({ kind: 'list', message: { kind: 'remove', sessionId: a.id } });
    });
    // The trail's listeners are gone; the list's stay.
    await vi.waitFor(() => expect(hub.listenerCount()).toBe(3));
    const c = await store.createSession({ title: 'c', agent: 'x' });
    await vi.waitFor(() =>
      expect(out).toContainEqual({ kind: 'list', message: { kind: 'upsert', session: c } }),
    );
    ac.abort();
    await done;
    expect(hub.listenerCount()).toBe(0);
  });
});
