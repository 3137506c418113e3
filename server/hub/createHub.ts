import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import type { Metrics } from '../metrics/createMetrics.ts';
import type { EventStore } from '../store/eventStore.ts';
import { createChangeThrottle } from './createChangeThrottle.ts';
import { markAnnounced } from './sharedMessages.ts';

/** Fans the store's one live feed out to every subscriber in this process. */
export interface Hub {
  /** Calls `listener` with each new batch of one session. Returns the unsubscribe function. */
  onSessionEvents(sessionId: string, listener: (events: StoredEvent[]) => void): () => void;
  /** Calls `listener` with every session's new state. Returns the unsubscribe function. */
  onSessionChange(listener: (session: Session) => void): () => void;
  /** Calls `listener` once `sessionId` is deleted: its followers end. Returns the unsubscribe function. */
  onSessionDeleted(sessionId: string, listener: () => void): () => void;
  /** Calls `listener` with the id of every deleted session (lists drop it). Returns the unsubscribe function. */
  onSessionRemoved(listener: (sessionId: string) => void): () => void;
  /** Calls `listener` when the live feed may have missed changes and followers must re-read. */
  onResync(listener: () => void): () => void;
  /** Live listeners, for leak checks. */
  listenerCount(): number;
  close(): void;
}

/** Session changes are passed on at most this often per session (see createChangeThrottle). */
export const LIST_CHANGE_WINDOW_MS = 250;

/**
 * Subscribes once to `store.watch` and routes changes by session id. Session changes are coalesced
 * per session (`changeWindowMs`), once for all list viewers; a deletion goes to the session's
 * followers and to every list, and nothing of that session's state is passed on after it. With `metrics`, the time from the store
 * announcing an event to its first delivery is recorded.
 */
export function createHub(
  store: EventStore,
  opts: { metrics?: Pick<Metrics, 'observeFirstDelivery'>; changeWindowMs?: number } = {},
): Hub {
  const { metrics } = opts;
  const observeFirst = metrics ? (ms: number) => metrics.observeFirstDelivery(ms / 1000) : undefined;
  const bySession = new Map<string, Set<(events: StoredEvent[]) => void>>();
  const sessionListeners = new Set<(session: Session) => void>();
  const deletedBySession = new Map<string, Set<() => void>>();
  const removedListeners = new Set<(sessionId: string) => void>();
  const resyncListeners = new Set<() => void>();
  const changes = createChangeThrottle(opts.changeWindowMs ?? LIST_CHANGE_WINDOW_MS, (session) => {
    for (const listener of sessionListeners) listener(session);
  });

  const stop = store.watch(function routeChange(change) {
    if (change.kind === 'events') {
      const listeners = bySession.get(change.sessionId);
      if (!listeners) return;
      if (observeFirst) markAnnounced(change.events, observeFirst);
      for (const listener of listeners) listener(change.events);
    } else if (change.kind === 'session') {
      if (sessionListeners.size > 0) changes.change(change.session);
    } else if (change.kind === 'deleted') {
      // A state held back by the throttle would otherwise reach the lists after the removal.
      changes.forget(change.sessionId);
      for (const listener of deletedBySession.get(change.sessionId) ?? []) listener();
      for (const listener of removedListeners) listener(change.sessionId);
    } else {
      for (const listener of resyncListeners) listener();
    }
  });

  return {
    onSessionEvents: (sessionId, listener) => addKeyed(bySession, sessionId, listener),
    onSessionDeleted: (sessionId, listener) => addKeyed(deletedBySession, sessionId, listener),
    onSessionRemoved(listener) {
      removedListeners.add(listener);
      return () => removedListeners.delete(listener);
    },
    onSessionChange(listener) {
      sessionListeners.add(listener);
      return () => sessionListeners.delete(listener);
    },
    onResync(listener) {
      resyncListeners.add(listener);
      return () => resyncListeners.delete(listener);
    },
    listenerCount() {
      let n = sessionListeners.size + removedListeners.size + resyncListeners.size;
      for (const set of bySession.values()) n += set.size;
      for (const set of deletedBySession.values()) n += set.size;
      return n;
    },
    close() {
      stop();
      changes.close();
      bySession.clear();
      deletedBySession.clear();
      removedListeners.clear();
      sessionListeners.clear();
      resyncListeners.clear();
    },
  };
}

/** Adds `listener` to the set kept for `key`; the returned function removes it (and an emptied set). */
function addKeyed<T>(map: Map<string, Set<T>>, key: string, listener: T): () => void {
  const set = map.get(key) ?? new Set<T>();
  map.set(key, set);
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && map.get(key) === set) map.delete(key);
  };
}
