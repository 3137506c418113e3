import type { Hub } from '../../server/hub/createHub.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';

/** A hub driven by hand, so tests can deliver live events and changes late, early or out of order. */
export function manualHub() {
  const events = new Set<(e: StoredEvent[]) => void>();
  const changes = new Set<(s: Session) => void>();
  const resyncs = new Set<() => void>();
  const deletions = new Set<() => void>();
  const removals = new Set<(id: string) => void>();
  const hub: Hub = {
    onSessionEvents(_id, l) {
      events.add(l);
      return () => events.delete(l);
    },
    onSessionChange(l) {
      changes.add(l);
      return () => changes.delete(l);
    },
    onResync(l) {
      resyncs.add(l);
      return () => resyncs.delete(l);
    },
    onSessionDeleted(_id, l) {
      deletions.add(l);
      return () => deletions.delete(l);
    },
    onSessionRemoved(l) {
      removals.add(l);
      return () => removals.delete(l);
    },
    listenerCount: () => events.size + changes.size + resyncs.size + deletions.size + removals.size,
    close: () => {},
  };
  return {
    hub,
    deliver: (batch: StoredEvent[]) => {
      for (const l of events) l(batch);
    },
    change: (s: Session) => {
      for (const l of changes) l(s);
    },
    resync: () => {
      for (const l of resyncs) l();
    },
    /** Announces that `sessionId` was deleted, to its followers and to the lists. */
    remove: (sessionId: string) => {
      for (const l of deletions) l();
      for (const l of removals) l(sessionId);
    },
  };
}
