import { describe, expect, it, vi } from 'vitest';
import type { Transport } from '../../shared/createLivetrailClient.ts';
import { parseFeedCursor, type TabFeedMessage } from '../../shared/streamMessages.ts';
import type { Collected } from '../support/collectSubscription.ts';
import { dropConnections } from '../support/startTestServer.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

const eventSeqs = (c: Collected<TabFeedMessage>) =>
  c.data.flatMap((m) => (m.kind === 'session' && m.message.kind === 'event' ? [m.message.event.seq] : []));
/** The same, counting the events inside `session_batch` messages too. */
const allSeqs = (c: Collected<TabFeedMessage>) =>
  c.data.flatMap((m) =>
    m.kind === 'session_batch'
      ? m.messages.flatMap((x) => (x.kind === 'event' ? [x.event.seq] : []))
      : m.kind === 'session' && m.message.kind === 'event'
        ? [m.message.event.seq]
        : [],
  );
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each<Transport>(['sse', 'ws'])('live.onFeed over %s', (transport) => {
  const t = useServerAndClient(transport);
  let sub: Collected<TabFeedMessage> | undefined;

  it('carries the session list and the open session over one subscription', async () => {
    const open = await t.app.store.createSession({ title: 'open', agent: 'a' });
    await t.app.store.append(open.id, [
      { type: 'thought', text: '1' },
      { type: 'thought', text: '2' },
    ]);
    sub = t.collect<TabFeedMessage>((h) => t.client.api.live.onFeed.subscribe({ sessionId: open.id }, h));
    await vi.waitFor(() => expect(eventSeqs(sub!)).toEqual([1, 2]));
    expect(sub.data).toContainEqual({
      kind: 'session',
      sessionId: open.id,
      message: { kind: 'head', headSeq: 2 },
    });
    expect(sub.data.some((m) => m.kind === 'list' && m.message.kind === 'snapshot')).toBe(true);
    const other = await t.app.store.createSession({ title: 'other', agent: 'a' });
    await t.app.store.append(open.id, [{ type: 'thought', text: '3' }]);
    await vi.waitFor(() => {
      expect(eventSeqs(sub!)).toEqual([1, 2, 3]);
      expect(
        sub!.data.some(
          (m) => m.kind === 'list' && m.message.kind === 'upsert' && m.message.session.id === other.id,
        ),
      ).toBe(true);
    });
    // Every id carries both positions.
    const last = parseFeedCursor(sub.ids.at(-1));
    expect(last).toMatchObject({ seq: 3 });
    expect(last!.listMs).toBeGreaterThan(0);
  });

  it('resumes both positions after a dropped connection, without duplicates', async () => {
    const open = await t.app.store.createSession({ title: 'open', agent: 'a' });
    await t.app.store.append(open.id, [{ type: 'thought', text: '1' }]);
    sub = t.collect<TabFeedMessage>((h) => t.client.api.live.onFeed.subscribe({ sessionId: open.id }, h));
    await vi.waitFor(() => expect(eventSeqs(sub!)).toEqual([1]));
    dropConnections(t.app);
    await t.app.store.append(open.id, [
      { type: 'thought', text: '2' },
      { type: 'thought', text: '3' },
    ]);
    await vi.waitFor(() => expect(eventSeqs(sub!)).toEqual([1, 2, 3]), { timeout: 8000 });
    // The list resumed from its cursor: later snapshots are partial, not the whole list again.
    const snapshots = sub.data.filter((m) => m.kind === 'list' && m.message.kind === 'snapshot');
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(
      snapshots
        .slice(1)
        .every((m) => m.kind === 'list' && m.message.kind === 'snapshot' && !m.message.complete),
    ).toBe(true);
  });

  it('with batch, sends the backfill in a few session_batch messages and resumes after a dropped connection', async () => {
    const open = await t.app.store.createSession({ title: 'open', agent: 'a' });
    const thoughts = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => ({ type: 'thought' as const, text: `${from + i}` }));
    await t.app.store.append(open.id, thoughts(700, 1));
    sub = t.collect<TabFeedMessage>((h) =>
      t.client.api.live.onFeed.subscribe({ sessionId: open.id, batch: true }, h),
    );
    await vi.waitFor(() => expect(allSeqs(sub!)).toEqual(range(1, 700)));
    const batches = sub.data.filter((m) => m.kind === 'session_batch');
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(batches.length).toBeLessThan(30);
    // Live events come one message each; a reconnect resumes after the last batch or event it got.
    await t.app.store.append(open.id, thoughts(2, 701));
    await vi.waitFor(() => expect(eventSeqs(sub!).slice(-2)).toEqual([701, 702]));
    dropConnections(t.app);
    await t.app.store.append(open.id, thoughts(300, 703));
    await vi.waitFor(() => expect(allSeqs(sub!)).toEqual(range(1, 1002)), { timeout: 8000 });
  });

  it('reports a missing session in-stream and keeps the list live', async () => {
    sub = t.collect<TabFeedMessage>((h) =>
      t.client.api.live.onFeed.subscribe({ sessionId: 'nosuchsession' }, h),
    );
    await vi.waitFor(() =>
      expect(sub!.data).toContainEqual({ kind: 'session_missing', sessionId: 'nosuchsession' }),
    );
    const created = await t.app.store.createSession({ title: 'later', agent: 'a' });
    await vi.waitFor(() =>
      expect(
        sub!.data.some(
          (m) => m.kind === 'list' && m.message.kind === 'upsert' && m.message.session.id === created.id,
        ),
      ).toBe(true),
    );
    expect(sub.errors).toEqual([]);
  });

  it('leaves no listener behind after unsubscribe', async () => {
    const open = await t.app.store.createSession({ title: 'open', agent: 'a' });
    sub = t.collect<TabFeedMessage>((h) => t.client.api.live.onFeed.subscribe({ sessionId: open.id }, h));
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(6));
    sub.unsubscribe();
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(0));
  });
});
