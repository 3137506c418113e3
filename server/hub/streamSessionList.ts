import type { Session } from '../../shared/session.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Hub } from './createHub.ts';
import { createWakeup } from './createWakeup.ts';
import { upsertMessage } from './sharedMessages.ts';

/** Sessions whose activity is this close before the client's last id are resent (clock ties, skew). */
const RESUME_MARGIN_MS = 5_000;

/**
 * The session list for one subscriber: a snapshot, then each changed session. Resuming with the
 * `lastActivityAt` it last saw (its tracked id), a client gets only sessions changed since then.
 * Changes that pile up while the client is not reading are coalesced per session.
 */
export async function* streamSessionList(opts: {
  store: EventStore;
  hub: Hub;
  lastEventId?: string | null;
  signal?: AbortSignal;
}): AsyncGenerator<SessionListMessage> {
  const { store, hub, signal } = opts;
  const pending = new Map<string, Session>();
  const known = new Map<string, number>();
  let resnapshot = false;
  const wakeup = createWakeup();
  const unsubscribe = hub.onSessionChange(function coalesce(session) {
    pending.set(session.id, session);
    wakeup.notify();
  });
  const stopResync = hub.onResync(function snapshotAgain() {
    resnapshot = true;
    wakeup.notify();
  });

  /** Every session, or on resume those active since `since` (epoch ms; NaN for all). */
  async function snapshot(since: number): Promise<SessionListMessage> {
    const all = await store.listSessions();
    for (const s of all) known.set(s.id, s.lastSeq);
    if (Number.isNaN(since)) return { kind: 'snapshot', sessions: all, complete: true };
    const changed = all.filter((s) => Date.parse(s.lastActivityAt) >= since - RESUME_MARGIN_MS);
    return { kind: 'snapshot', sessions: changed, complete: false };
  }

  /** The queued changes in the order first queued, minus those the last snapshot already had. */
  async function* upserts(): AsyncGenerator<SessionListMessage> {
    for (const [id, session] of pending) {
      pending.delete(id);
      // The snapshot may already be newer than a change queued while it was read.
      if ((known.get(id) ?? -1) > session.lastSeq) continue;
      known.set(id, session.lastSeq);
      yield upsertMessage(session);
    }
  }

  try {
    yield await snapshot(opts.lastEventId ? Date.parse(opts.lastEventId) : Number.NaN);
    while (!signal?.aborted) {
      if (resnapshot) {
        resnapshot = false;
        pending.clear();
        yield await snapshot(Number.NaN);
      }
      yield* upserts();
      // Changes and resyncs that arrived while the reader held a message found no one waiting.
      if (pending.size === 0 && !resnapshot) await wakeup.wait(signal);
    }
  } finally {
    stopResync();
    unsubscribe();
  }
}
