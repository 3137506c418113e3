import type { Session } from '../../shared/session.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Hub } from './createHub.ts';

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
  let wake: (() => void) | undefined;
  let resnapshot = false;
  const unsubscribe = hub.onSessionChange(function coalesce(session) {
    pending.set(session.id, session);
    wake?.();
  });
  const stopResync = hub.onResync(function snapshotAgain() {
    resnapshot = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    const since = opts.lastEventId ? Date.parse(opts.lastEventId) : Number.NaN;
    const all = await store.listSessions();
    const sessions = Number.isNaN(since)
      ? all
      : all.filter((s) => Date.parse(s.lastActivityAt) >= since - RESUME_MARGIN_MS);
    for (const s of all) known.set(s.id, s.lastSeq);
    yield { kind: 'snapshot', sessions, complete: Number.isNaN(since) };
    while (!signal?.aborted) {
      if (resnapshot) {
        resnapshot = false;
        pending.clear();
        const fresh = await store.listSessions();
        for (const s of fresh) known.set(s.id, s.lastSeq);
        yield { kind: 'snapshot', sessions: fresh, complete: true };
      }
      for (const [id, session] of pending) {
        pending.delete(id);
        // The snapshot may already be newer than a change queued while it was read.
        if ((known.get(id) ?? -1) > session.lastSeq) continue;
        known.set(id, session.lastSeq);
        yield { kind: 'upsert', session };
      }
      if (pending.size > 0 || resnapshot) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (signal?.aborted) resolve();
      });
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stopResync();
    unsubscribe();
  }
}
