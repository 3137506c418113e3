import { setTimeout as delay } from 'node:timers/promises';
import type { Session } from '../../shared/session.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Hub } from './createHub.ts';
import { createWakeup } from './createWakeup.ts';
import { upsertMessage } from './sharedMessages.ts';

/** Sessions whose activity is this close before the client's last id are resent (clock ties, skew). */
const RESUME_MARGIN_MS = 5_000;

/** Longest random pause before re-reading the list after a resync, so subscribers do not all read at once. */
export const RESYNC_JITTER_MS = 1_000;

/** A whole-list read in flight, and the tick at which it began. */
interface SharedRead {
  began: number;
  sessions: Promise<Session[]>;
}
const ticks = new WeakMap<EventStore, number>();
const reads = new WeakMap<EventStore, SharedRead>();

/** Now, in a per-store count: a read that began at a later tick saw everything committed before. */
function tick(store: EventStore): number {
  const next = (ticks.get(store) ?? 0) + 1;
  ticks.set(store, next);
  return next;
}

/**
 * Every session, read once for all the subscribers that need a read begun after `since`: fifty
 * subscribers snapshotting at once cost one `listSessions`, not fifty. A read begun earlier is not
 * joined, since it may predate a change the subscriber was not yet listening for.
 */
export function readAllSessions(store: EventStore, since: number): Promise<Session[]> {
  const current = reads.get(store);
  if (current && current.began > since) return current.sessions;
  const read: SharedRead = { began: tick(store), sessions: store.listSessions() };
  reads.set(store, read);
  const forget = () => {
    if (reads.get(store) === read) reads.delete(store);
  };
  read.sessions.then(forget, forget);
  return read.sessions;
}

/**
 * The session list for one subscriber: a snapshot, then each changed session, and a `remove` for
 * each deleted one. Resuming with the `lastActivityAt` it last saw (its tracked id), a client gets
 * only sessions changed since then, plus the ids of all that exist, so a remove it missed meanwhile
 * still takes effect (see SessionListMessage). Changes that pile up while the client is not reading
 * are coalesced per session; once a session is removed, no older state of it follows.
 */
export async function* streamSessionList(opts: {
  store: EventStore;
  hub: Hub;
  lastEventId?: string | null;
  signal?: AbortSignal;
  /** Longest random pause before the re-read after a resync. @default RESYNC_JITTER_MS */
  resyncJitterMs?: number;
}): AsyncGenerator<SessionListMessage> {
  const { store, hub, signal } = opts;
  /** Queued changes by session: its newest state, or null once it was deleted. */
  const pending = new Map<string, Session | null>();
  /** The lastSeq this subscriber was last sent of each session; Infinity once it was removed. */
  const known = new Map<string, number>();
  let resnapshot = false;
  const wakeup = createWakeup();
  let listening = 0;
  const unsubscribe = hub.onSessionChange(function coalesce(session) {
    // A queued removal is final: no state of that session goes after it.
    if (pending.get(session.id) === null) return;
    pending.set(session.id, session);
    wakeup.notify();
  });
  const stopRemoved = hub.onSessionRemoved(function queueRemove(sessionId) {
    // Re-queued at the end: the removal follows whatever was queued before it.
    pending.delete(sessionId);
    pending.set(sessionId, null);
    wakeup.notify();
  });
  listening = tick(store);
  const stopResync = hub.onResync(function snapshotAgain() {
    listening = tick(store);
    resnapshot = true;
    wakeup.notify();
  });

  /** Every session, or on resume those active since `since` (epoch ms; NaN for all). */
  async function snapshot(since: number): Promise<SessionListMessage> {
    const all = await readAllSessions(store, listening);
    for (const s of all) known.set(s.id, s.lastSeq);
    if (Number.isNaN(since)) return { kind: 'snapshot', sessions: all, complete: true };
    const changed = all.filter((s) => Date.parse(s.lastActivityAt) >= since - RESUME_MARGIN_MS);
    return { kind: 'snapshot', sessions: changed, complete: false, ids: all.map((s) => s.id) };
  }

  /** The queued changes in the order queued, minus those the last snapshot already had. */
  async function* changes(): AsyncGenerator<SessionListMessage> {
    for (const [id, session] of pending) {
      pending.delete(id);
      if (session === null) {
        known.set(id, Number.POSITIVE_INFINITY);
        yield { kind: 'remove', sessionId: id };
        continue;
      }
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
        // The new snapshot has the queued states. Removals stay queued: the read it joins may have
        // begun before a delete heard since the resync, and would bring that session back.
        for (const [id, session] of pending) if (session !== null) pending.delete(id);
        // Every subscriber of every process hears the resync at once: spread their re-reads.
        const pause = Math.random() * (opts.resyncJitterMs ?? RESYNC_JITTER_MS);
        if (pause > 0) await delay(pause, undefined, { signal }).catch(() => {});
        if (signal?.aborted) break;
        yield await snapshot(Number.NaN);
      }
      yield* changes();
      // Changes and resyncs that arrived while the reader held a message found no one waiting.
      if (pending.size === 0 && !resnapshot) await wakeup.wait(signal);
    }
  } finally {
    stopResync();
    stopRemoved();
    unsubscribe();
  }
}
