import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, StoreChange } from '../../server/store/eventStore.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { describeDeleteContract } from './deleteContract.ts';
import { describeExactlyOnceContract } from './exactlyOnceContract.ts';

/** A backend under test: a fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  store: EventStore;
  /**
   * A second store over the same data, as after a restart (the first is then closed) or in another
   * process (both stay open). Absent for a volatile store. `dispose` closes it too.
   */
  reopen?: () => Promise<EventStore>;
  dispose(): Promise<void>;
}

const msg = (text: string): AgentEvent => ({ type: 'assistant_message', text });

async function expectCode(promise: Promise<unknown>, code: string): Promise<LivetrailError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LivetrailError);
  expect((err as LivetrailError).code).toBe(code);
  return err as LivetrailError;
}

/** Resolves once `store` announces the batch of `sessionId` whose first event says `text`. */
function announced(store: EventStore, sessionId: string, text: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = store.watch((c) => {
      const first = c.kind === 'events' && c.sessionId === sessionId ? c.events[0] : undefined;
      if (first?.type === 'assistant_message' && first.text === text) {
        stop();
        resolve();
      }
    });
  });
}

/** Waits until the clock has moved on, so every timestamp taken next sorts after all earlier ones. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(start), { interval: 1 });
}

/**
 * The behaviour every EventStore backend must show. Run it unchanged against each backend with a
 * factory for a fresh empty store; a `durable` one (its fixture can `reopen`) is also checked
 * across a restart.
 */
export function describeEventStoreContract(
  name: string,
  open: () => Promise<StoreFixture>,
  opts: { durable: boolean } = { durable: false },
): void {
  describe(`EventStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: EventStore;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('creates sessions with distinct url-safe ids and initial derived state', async () => {
      const a = await store.createSession({ title: 'A', agent: 'bot' });
      const b = await store.createSession({ title: 'B', agent: 'bot' });
      expect(a.id).not.toBe(b.id);
      expect(a.id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      expect(a).toMatchObject({ title: 'A', agent: 'bot', status: 'running', lastSeq: 0 });
      expect(await store.getSession(a.id)).toEqual(a);
    });

    it('returns undefined for an unknown session', async () => {
      expect(await store.getSession('nope')).toBeUndefined();
    });

    it('assigns gap-free seqs from 1 across batches', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      const first = await store.append(s.id, [msg('1'), msg('2')]);
      const second = await store.append(s.id, [msg('3')]);
      expect([...first, ...second].map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(first[0]).toMatchObject({ sessionId: s.id, type: 'assistant_message', text: '1' });
      expect(typeof first[0]!.ts).toBe('string');
    });

    it('reads events by seq range in order', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(
        s.id,
        Array.from({ length: 10 }, (_, i) => msg(String(i + 1))),
      );
      const page = await store.readEvents(s.id, { after: 3, limit: 4 });
      expect(page.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
      expect(await store.readEvents(s.id, { after: 10, limit: 5 })).toEqual([]);
    });

    it('keeps seqs gap-free under concurrent appends', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.append(s.id, [msg(`a${i}`), msg(`b${i}`)])),
      );
      const seqs = results
        .flat()
        .map((e) => e.seq)
        .sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // Each batch is contiguous.
      for (const batch of results) expect(batch[1]!.seq).toBe(batch[0]!.seq + 1);
      const stored = await store.readEvents(s.id, { after: 0, limit: 100 });
      expect(stored.map((e) => e.seq)).toEqual(seqs);
    });

    it('keeps seqs gap-free when appends are planned while earlier batches are still being stored', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      // A store that commits in groups plans B while A is being written, C once A is stored (B is then
      // queued or being written), and D once B is stored: each is planned between two commits.
      const aStored = announced(store, s.id, 'a1');
      const bStored = announced(store, s.id, 'b1');
      const a = store.append(s.id, [msg('a1'), msg('a2')]);
      const b = store.append(s.id, [msg('b1'), msg('b2')]);
      await aStored;
      const c = store.append(s.id, [msg('c1'), msg('c2')]);
      await bStored;
      const d = store.append(s.id, [msg('d1')]);
      const batches = await Promise.all([a, b, c, d]);

      const returned = batches.flat().sort((x, y) => x.seq - y.seq);
      expect(returned.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const batch of batches) {
        expect(batch.map((e) => e.seq - batch[0]!.seq)).toEqual(batch.map((_, i) => i));
      }
      expect(await store.readEvents(s.id, { after: 0, limit: 100 })).toEqual(returned);
      expect((await store.getSession(s.id))!.lastSeq).toBe(7);
    });

    it('folds events into the session with the shared reducer', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(s.id, [
        { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 0, toolCallsInFlight: 1 },
        { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } },
        { type: 'cost', usd: 0.5, inputTokens: 10, outputTokens: 5 },
        { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
      ]);
      const after = await store.getSession(s.id);
      expect(after).toMatchObject({
        status: 'waiting_for_user',
        lastSeq: 4,
        totals: { costUsd: 0.5, inputTokens: 10, outputTokens: 5, llmCalls: 1, toolCalls: 1 },
      });
    });

    it('rejects appends to and reads of an unknown session with NOT_FOUND, naming the field', async () => {
      const appending = await expectCode(store.append('missing', [msg('x')]), 'NOT_FOUND');
      const reading = await expectCode(store.readEvents('missing', { after: 0, limit: 10 }), 'NOT_FOUND');
      for (const err of [appending, reading]) expect(err.message).toMatch(/^sessionId: .*missing/);
    });

    it('rejects appends after complete with CONFLICT and stores nothing', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(s.id, [msg('1'), { type: 'complete', status: 'succeeded' }]);
      await expectCode(store.append(s.id, [msg('late')]), 'CONFLICT');
      const events = await store.readEvents(s.id, { after: 0, limit: 10 });
      expect(events.map((e) => e.type)).toEqual(['assistant_message', 'complete']);
      expect((await store.getSession(s.id))!.status).toBe('succeeded');
    });

    it('rejects a whole batch when one event is invalid and stores none of it', async () => {
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(s.id, [msg('1')]);
      const huge = msg('y'.repeat(300 * 1024));
      await expectCode(store.append(s.id, [msg('2'), huge]), 'PAYLOAD_TOO_LARGE');
      await expectCode(
        store.append(s.id, [{ type: 'complete', status: 'failed' }, msg('after')]),
        'CONFLICT',
      );
      const events = await store.readEvents(s.id, { after: 0, limit: 10 });
      expect(events.map((e) => e.seq)).toEqual([1]);
      expect((await store.getSession(s.id))!.lastSeq).toBe(1);
      expect((await store.append(s.id, [msg('3')]))[0]!.seq).toBe(2);
    });

    it('lists sessions most recently active first, not in order of creation', async () => {
      const a = await store.createSession({ title: 'A', agent: 'a' });
      const b = await store.createSession({ title: 'B', agent: 'a' });
      const c = await store.createSession({ title: 'C', agent: 'a' });
      await nextMillisecond();
      await store.append(a.id, [msg('bump a')]);
      await nextMillisecond();
      await store.append(b.id, [msg('bump b')]);
      expect((await store.listSessions()).map((s) => s.id)).toEqual([b.id, a.id, c.id]);
    });

    it('announces every accepted batch and session change to watchers, in seq order', async () => {
      const changes: StoreChange[] = [];
      const stop = store.watch((c) => changes.push(c));
      const s = await store.createSession({ title: 'x', agent: 'a' });
      await store.append(s.id, [msg('1'), msg('2')]);
      await store.append(s.id, [msg('3')]);
      await expectCode(
        store.append(s.id, [msg('4'), { type: 'complete', status: 'failed' }, msg('x')]),
        'CONFLICT',
      );
      await vi.waitFor(() => {
        const seqs = changes.flatMap((c) =>
          c.kind === 'events' ? c.events.map((e: StoredEvent) => e.seq) : [],
        );
        expect(seqs).toEqual([1, 2, 3]);
        const sessions = changes.filter((c) => c.kind === 'session');
        expect(sessions[0]).toMatchObject({ session: { id: s.id, lastSeq: 0 } });
        expect(sessions.at(-1)).toMatchObject({ session: { id: s.id, lastSeq: 3 } });
      });
      stop();
      const count = changes.length;
      const later: StoreChange[] = [];
      const stopLater = store.watch((c) => later.push(c));
      await store.append(s.id, [msg('5')]);
      // Once a watcher still subscribed has seen the batch, the stopped one would have seen it too.
      await vi.waitFor(() => expect(later.some((c) => c.kind === 'events')).toBe(true));
      expect(changes.length).toBe(count);
      stopLater();
    });

    it('reports healthy while open', () => {
      expect(store.health().ok).toBe(true);
    });
  });
  describeExactlyOnceContract(name, open, opts.durable);
  describeDeleteContract(name, open, opts.durable);
}
