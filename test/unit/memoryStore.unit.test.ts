import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, StoreChange } from '../../server/store/eventStore.ts';
import type { Journal, JournalRecord } from '../../server/store/journal.ts';
import { createMemoryStore, type MemoryStoreOptions } from '../../server/store/memoryStore.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { describeEventStoreContract } from '../support/eventStoreContract.ts';

// Lets a test know a session's id before its creation is durable; every other test gets real ids.
const ids = vi.hoisted(() => ({ next: undefined as string | undefined }));
vi.mock('../../server/domain/newSessionId.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/domain/newSessionId.ts')>();
  return { newSessionId: () => ids.next ?? real.newSessionId() };
});

describeEventStoreContract('memory', async () => {
  const store = createMemoryStore();
  return { store, dispose: () => store.close() };
});

/** Stores and held journals the tests below open; a failed test's held writes must not block close. */
const opened: EventStore[] = [];
const heldJournals: { releaseAll(): void }[] = [];
afterEach(async () => {
  for (const held of heldJournals.splice(0)) held.releaseAll();
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
function openStore(options?: MemoryStoreOptions): EventStore {
  const store = createMemoryStore(options);
  opened.push(store);
  return store;
}

const thought = (text: string): AgentEvent => ({ type: 'thought', text });
const texts = (events: StoredEvent[]) => events.map((e) => (e.type === 'thought' ? e.text : e.type));

/** A journal whose every write stays open until the test finishes or fails it, oldest first. */
function heldJournal() {
  const writes: { records: JournalRecord[]; finish: () => void; fail: (err: Error) => void }[] = [];
  const state = { closed: false, released: false };
  const journal: Journal = {
    write: (records) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ records, finish: resolve, fail: reject });
        if (state.released) resolve();
      }),
    async close() {
      state.closed = true;
    },
  };
  const held = {
    journal,
    writes,
    state,
    /** Resolves once the `n`th write has started. */
    started: (n: number) => vi.waitFor(() => expect(writes.length).toBeGreaterThanOrEqual(n)),
    /** Finishes every open write and lets all later ones through. */
    releaseAll() {
      state.released = true;
      for (const w of writes) w.finish();
    },
  };
  heldJournals.push(held);
  return held;
}

/** A memory store on a held journal, with a session already durable. */
async function heldStore() {
  const held = heldJournal();
  const store = openStore({ journal: held.journal });
  const creating = store.createSession({ title: 'x', agent: 'a' });
  await held.started(1);
  held.writes[0]!.finish();
  const session = await creating;
  return { ...held, store, session };
}

describe('memory store group commit', () => {
  it('plans appends on the state still being written, and shows them only once durable', async () => {
    const { store, session, writes, started } = await heldStore();
    const seen: StoreChange[] = [];
    store.watch((c) => seen.push(c));

    const a = store.append(session.id, [thought('a1'), thought('a2')]);
    const b = store.append(session.id, [thought('b1')]);
    expect(writes).toHaveLength(2); // A's write is open; B waits for it
    expect((await store.getSession(session.id))!.lastSeq).toBe(0);
    expect(await store.readEvents(session.id, { after: 0, limit: 10 })).toEqual([]);
    expect(seen).toEqual([]);

    writes[1]!.finish();
    expect(await a).toMatchObject([{ seq: 1 }, { seq: 2 }]);
    await started(3);
    expect(writes[2]!.records).toEqual([
      { op: 'events', sessionId: session.id, events: [expect.objectContaining({ seq: 3 })] },
    ]);
    // C arrives while B is being written: it must follow B, not A.
    const c = store.append(session.id, [thought('c1')]);
    expect((await store.getSession(session.id))!.lastSeq).toBe(2);
    writes[2]!.finish();
    await started(4);
    writes[3]!.finish();

    expect((await b).map((e) => e.seq)).toEqual([3]);
    expect((await c).map((e) => e.seq)).toEqual([4]);
    const stored = await store.readEvents(session.id, { after: 0, limit: 10 });
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(texts(stored)).toEqual(['a1', 'a2', 'b1', 'c1']);
    expect(seen.flatMap((ch) => (ch.kind === 'events' ? ch.events.map((e) => e.seq) : []))).toEqual([
      1, 2, 3, 4,
    ]);
    expect(seen.filter((ch) => ch.kind === 'session').at(-1)).toMatchObject({ session: { lastSeq: 4 } });
  });

  it('writes everything that arrived during one write together, in one later write', async () => {
    const { store, session, writes, started } = await heldStore();
    const a = store.append(session.id, [thought('a')]);
    const b = store.append(session.id, [thought('b')]);
    const c = store.append(session.id, [thought('c')]);
    expect(writes).toHaveLength(2);
    writes[1]!.finish();
    await started(3);
    expect(writes[2]!.records.map((r) => (r.op === 'events' ? r.events[0]!.seq : 0))).toEqual([2, 3]);
    writes[2]!.finish();
    expect((await Promise.all([a, b, c])).map((batch) => batch[0]!.seq)).toEqual([1, 2, 3]);
    expect(writes).toHaveLength(3);
  });

  it('keeps an append planned while its session is still being created', async () => {
    const held = heldJournal();
    const store = openStore({ journal: held.journal });
    ids.next = 'known-session-id-0001';
    try {
      const creating = store.createSession({ title: 'x', agent: 'a' });
      const first = store.append('known-session-id-0001', [thought('1')]);
      expect(held.writes).toHaveLength(1);
      held.writes[0]!.finish();
      await creating;
      // The creation is durable, the first append is not: the next one must still follow it.
      const second = store.append('known-session-id-0001', [thought('2')]);
      await held.started(2);
      held.writes[1]!.finish();
      await held.started(3);
      held.writes[2]!.finish();
      expect((await first)[0]!.seq).toBe(1);
      expect((await second)[0]!.seq).toBe(2);
      expect(texts(await store.readEvents('known-session-id-0001', { after: 0, limit: 5 }))).toEqual([
        '1',
        '2',
      ]);
    } finally {
      ids.next = undefined;
    }
  });

  it('fails the appends planned on top of a failed write with it, and goes on from what is durable', async () => {
    const { store, session, writes, started } = await heldStore();
    const seen: StoreChange[] = [];
    store.watch((c) => seen.push(c));
    const a = store.append(session.id, [thought('a')]);
    const b = store.append(session.id, [thought('b')]);
    const cause = new Error('disk full');
    writes[1]!.fail(cause);
    for (const p of [a, b]) {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LivetrailError);
      expect(err).toMatchObject({
        code: 'UNAVAILABLE',
        message: 'storage unavailable: write failed',
        cause,
      });
    }
    expect(writes).toHaveLength(2); // B was never written on its own

    const c = store.append(session.id, [thought('c')]);
    await started(3);
    expect(writes[2]!.records).toEqual([
      { op: 'events', sessionId: session.id, events: [expect.objectContaining({ seq: 1 })] },
    ]);
    writes[2]!.finish();
    expect((await c)[0]!.seq).toBe(1);
    expect(texts(await store.readEvents(session.id, { after: 0, limit: 5 }))).toEqual(['c']);
    expect(seen.flatMap((ch) => (ch.kind === 'events' ? texts(ch.events) : []))).toEqual(['c']);
  });

  it('creates no session when its creation cannot be written', async () => {
    const held = heldJournal();
    const store = openStore({ journal: held.journal });
    const creating = store.createSession({ title: 'x', agent: 'a' });
    held.writes[0]!.fail(new Error('EIO'));
    await expect(creating).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await store.listSessions()).toEqual([]);
  });
});

describe('memory store with a failing journal', () => {
  it('rejects with UNAVAILABLE, shows nothing, and continues gap-free once writes work again', async () => {
    let failing = false;
    const written: JournalRecord[] = [];
    const store = openStore({
      journal: {
        async write(records) {
          if (failing) throw new Error('disk full');
          written.push(...records);
        },
        async close() {},
      },
    });
    const seen: number[] = [];
    store.watch((c) => {
      if (c.kind === 'events') seen.push(...c.events.map((e) => e.seq));
    });
    const s = await store.createSession({ title: 'x', agent: 'a' });
    await store.append(s.id, [{ type: 'thought', text: '1' }]);
    failing = true;
    await expect(store.append(s.id, [{ type: 'thought', text: 'lost' }])).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect((await store.getSession(s.id))!.lastSeq).toBe(1);
    expect(await store.readEvents(s.id, { after: 1, limit: 5 })).toEqual([]);
    failing = false;
    const [next] = await store.append(s.id, [{ type: 'thought', text: '2' }]);
    expect(next!.seq).toBe(2);
    expect(seen).toEqual([1, 2]);
    expect(written.filter((r) => r.op === 'events')).toHaveLength(2);
    await store.close();
  });
});

describe('memory store close', () => {
  it('waits for the write in flight, then closes the journal and refuses further writes', async () => {
    const { store, session, writes, state } = await heldStore();
    const a = store.append(session.id, [thought('a')]);
    const closing = store.close();
    expect(state.closed).toBe(false);
    await expect(store.append(session.id, [thought('late')])).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'store is closed',
    });
    await expect(store.createSession({ title: 'late', agent: 'a' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(state.closed).toBe(false);
    writes[1]!.finish();
    await closing;
    expect(state.closed).toBe(true);
    expect((await a)[0]!.seq).toBe(1);
    expect(writes).toHaveLength(2);
  });

  it('reports itself closed', async () => {
    const store = openStore();
    await store.close();
    expect(store.health()).toEqual({ ok: false, live: false, detail: 'closed' });
  });
});

describe('memory store options', () => {
  it('starts empty and silent without initial records', async () => {
    const warnings: string[] = [];
    const store = openStore({ warn: (m) => warnings.push(m) });
    expect(await store.listSessions()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('names its kind and whether it is durable', () => {
    expect(openStore().kind).toBe('memory');
    expect(openStore().health()).toEqual({ ok: true, live: true, detail: 'in memory (volatile)' });
    const journaled = openStore({ kind: 'file', journal: heldJournal().journal });
    expect(journaled.kind).toBe('file');
    expect(journaled.health()).toEqual({ ok: true, live: true, detail: 'journal ok' });
  });

  it('stamps sessions and events with its clock', async () => {
    let t = Date.parse('2026-02-01T00:00:00.000Z');
    const store = openStore({ now: () => new Date(t) });
    const s = await store.createSession({ title: 'x', agent: 'a' });
    expect(s.createdAt).toBe('2026-02-01T00:00:00.000Z');
    t += 1000;
    const [e] = await store.append(s.id, [thought('1')]);
    expect(e!.ts).toBe('2026-02-01T00:00:01.000Z');
    expect((await store.getSession(s.id))!.lastActivityAt).toBe('2026-02-01T00:00:01.000Z');
  });
});

describe('memory store replay', () => {
  const id = 'replayed-session-01';
  const sessionRecord: JournalRecord = {
    op: 'session',
    session: { id, title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' },
  };
  const batch = (...seqs: number[]): JournalRecord => ({
    op: 'events',
    sessionId: id,
    events: seqs.map((seq) => ({
      type: 'cost',
      usd: 1,
      inputTokens: seq,
      outputTokens: 0,
      sessionId: id,
      seq,
      ts: `t${seq}`,
    })),
  });

  it('rebuilds sessions and events from its initial records and continues after them', async () => {
    const warnings: string[] = [];
    const store = openStore({
      warn: (m) => warnings.push(m),
      initial: [sessionRecord, batch(1, 2), batch(3)],
    });
    expect(warnings).toEqual([]);
    expect(await store.getSession(id)).toMatchObject({
      lastSeq: 3,
      lastActivityAt: 't3',
      totals: { costUsd: 3, inputTokens: 6, llmCalls: 3 },
    });
    expect((await store.readEvents(id, { after: 1, limit: 10 })).map((e) => e.seq)).toEqual([2, 3]);
    expect((await store.append(id, [thought('next')]))[0]!.seq).toBe(4);
  });

  it('skips, with a warning, a whole batch that does not follow on and events of unknown sessions', async () => {
    const warnings: string[] = [];
    const store = openStore({
      warn: (m) => warnings.push(m),
      initial: [
        sessionRecord,
        batch(1),
        batch(2, 4),
        { op: 'events', sessionId: 'ghost', events: [] },
        batch(2),
        batch(2),
      ],
    });
    expect(warnings).toEqual([
      `journal: batch for ${id} out of sequence at seq 4, skipped`,
      'journal: events for unknown session ghost skipped',
      `journal: batch for ${id} out of sequence at seq 2, skipped`,
    ]);
    expect(await store.getSession(id)).toMatchObject({ lastSeq: 2, totals: { inputTokens: 3 } });
    expect((await store.readEvents(id, { after: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.getSession('ghost')).toBeUndefined();
  });
});

describe('memory store delete on a journal', () => {
  it('writes appends queued before a delete first, and refuses appends after it while it is written', async () => {
    const { store, session, writes, started } = await heldStore();
    const changes: string[] = [];
    store.watch((c) => changes.push(c.kind === 'events' ? `events ${c.events[0]!.seq}` : c.kind));
    const before = store.append(session.id, [thought('before')]);
    await started(2);
    const deleting = store.deleteSession(session.id);
    // Planned after the delete: it must not be written behind it (its session would be gone).
    await expect(store.append(session.id, [thought('after')])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    writes[1]!.finish();
    await before;
    await started(3);
    expect(writes[2]!.records).toEqual([{ op: 'delete', sessionId: session.id }]);
    writes[2]!.finish();
    await expect(deleting).resolves.toBe(true);
    expect(changes).toEqual(['events 1', 'session', 'deleted']);
    await expect(store.readEvents(session.id, { after: 0, limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('replays a journaled delete', () => {
    const meta = { id: 'gone', title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' };
    const store = openStore({
      initial: [
        { op: 'session', session: meta, key: 'k', fingerprint: 'f' },
        { op: 'delete', sessionId: 'gone' },
      ],
    });
    return expect(store.getSession('gone')).resolves.toBeUndefined();
  });
});
