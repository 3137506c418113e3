import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, StoreChange } from '../../server/store/eventStore.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import type { StoreFixture } from './eventStoreContract.ts';

const msg = (text: string): AgentEvent => ({ type: 'assistant_message', text });

/** The LivetrailError code a call rejects with, or 'ok' when it resolves. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (e: unknown) => (e instanceof LivetrailError ? e.code : `not a LivetrailError: ${String(e)}`),
  );
}

/**
 * `deleteSession`, as every EventStore backend must do it. With `durable`, the fixture can `reopen`
 * (a restart, or another process on the same data) and the delete must hold there too.
 */
export function describeDeleteContract(
  name: string,
  open: () => Promise<StoreFixture>,
  durable: boolean,
): void {
  describe(`EventStore contract, delete: ${name}`, () => {
    let fx: StoreFixture;
    let store: EventStore;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.dispose();
    });

    /** Two sessions with events: `gone` (to delete) and `kept`. */
    async function twoSessions() {
      const gone = await store.createSession({ title: 'gone', agent: 'a', idempotencyKey: 'create-gone' });
      const kept = await store.createSession({ title: 'kept', agent: 'a' });
      await store.appendOnce(gone.id, [msg('1'), msg('2')], 'batch-1');
      await store.append(kept.id, [msg('k1')]);
      return { gone, kept: (await store.getSession(kept.id))! };
    }

    it('removes the session and its events, and leaves other sessions untouched', async () => {
      const { gone, kept } = await twoSessions();
      expect(await store.deleteSession(gone.id)).toBe(true);
      expect(await store.getSession(gone.id)).toBeUndefined();
      expect((await store.listSessions()).map((s) => s.id)).toEqual([kept.id]);
      expect((await store.listSessions({ limit: 10 })).map((s) => s.id)).toEqual([kept.id]);
      expect(await outcome(store.readEvents(gone.id, { after: 0, limit: 10 }))).toBe('NOT_FOUND');
      expect(await store.getSession(kept.id)).toEqual(kept);
      expect((await store.readEvents(kept.id, { after: 0, limit: 10 })).map((e) => e.seq)).toEqual([1]);
    });

    it('refuses appends to a deleted session with NOT_FOUND, a used batch key too', async () => {
      const { gone } = await twoSessions();
      await store.deleteSession(gone.id);
      expect(await outcome(store.append(gone.id, [msg('late')]))).toBe('NOT_FOUND');
      expect(await outcome(store.appendOnce(gone.id, [msg('1'), msg('2')], 'batch-1'))).toBe('NOT_FOUND');
      expect(await outcome(store.appendOnce(gone.id, [msg('new')], 'batch-2'))).toBe('NOT_FOUND');
      expect(await store.getSession(gone.id)).toBeUndefined();
    });

    it('announces the delete to watchers once it is durable', async () => {
      const { gone, kept } = await twoSessions();
      const changes: StoreChange[] = [];
      const seenThen: Promise<unknown>[] = [];
      const stop = store.watch((c) => {
        changes.push(c);
        if (c.kind === 'deleted') seenThen.push(store.getSession(c.sessionId));
      });
      await store.deleteSession(gone.id);
      await vi.waitFor(() => expect(changes).toContainEqual({ kind: 'deleted', sessionId: gone.id }));
      // Whoever hears of the delete and reads finds the session gone.
      expect(await Promise.all(seenThen)).toEqual([undefined]);
      expect(changes.some((c) => c.kind === 'deleted' && c.sessionId === kept.id)).toBe(false);
      stop();
    });

    it('answers false for a session already deleted or never created', async () => {
      const { gone } = await twoSessions();
      expect(await store.deleteSession(gone.id)).toBe(true);
      expect(await store.deleteSession(gone.id)).toBe(false);
      expect(await store.deleteSession('nosuchsession')).toBe(false);
    });

    it('frees the creation key of a deleted session: the same create makes a new session', async () => {
      const { gone } = await twoSessions();
      await store.deleteSession(gone.id);
      const again = await store.createSession({ title: 'gone', agent: 'a', idempotencyKey: 'create-gone' });
      expect(again.id).not.toBe(gone.id);
      expect(again.lastSeq).toBe(0);
      expect(await store.getSession(again.id)).toEqual(again);
      // And the new session's key works as keys do.
      const retried = await store.createSession({ title: 'gone', agent: 'a', idempotencyKey: 'create-gone' });
      expect(retried.id).toBe(again.id);
    });

    it('lands each append racing the delete before it, or refuses it with NOT_FOUND', async () => {
      const { gone, kept } = await twoSessions();
      const before = Array.from({ length: 5 }, (_, i) => outcome(store.append(gone.id, [msg(`b${i}`)])));
      const deleting = store.deleteSession(gone.id);
      const racing = Array.from({ length: 5 }, (_, i) => outcome(store.append(gone.id, [msg(`r${i}`)])));
      expect(await deleting).toBe(true);
      for (const result of await Promise.all([...before, ...racing]))
        expect(['ok', 'NOT_FOUND']).toContain(result);
      expect(await outcome(store.append(gone.id, [msg('after')]))).toBe('NOT_FOUND');
      expect(await store.getSession(gone.id)).toBeUndefined();
      expect(await outcome(store.readEvents(gone.id, { after: 0, limit: 100 }))).toBe('NOT_FOUND');
      expect((await store.listSessions()).map((s) => s.id)).toEqual([kept.id]);
    });

    it.runIf(durable)('keeps the delete across a reopen, and the freed key with it', async () => {
      const { gone, kept } = await twoSessions();
      await store.deleteSession(gone.id);
      const reopened = await fx.reopen!();
      expect(await reopened.getSession(gone.id)).toBeUndefined();
      expect((await reopened.listSessions()).map((s) => s.id)).toEqual([kept.id]);
      expect(await outcome(reopened.readEvents(gone.id, { after: 0, limit: 10 }))).toBe('NOT_FOUND');
      expect(await outcome(reopened.append(gone.id, [msg('late')]))).toBe('NOT_FOUND');
      expect(await reopened.getSession(kept.id)).toEqual(kept);
      const again = await reopened.createSession({
        title: 'gone',
        agent: 'a',
        idempotencyKey: 'create-gone',
      });
      expect(again.id).not.toBe(gone.id);
    });
  });
}
