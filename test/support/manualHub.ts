import type { Hub } from '../../server/hub/createHub.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';

/** A hub driven by hand, so tests can deliver live events and changes late, early or out of order. */
export function manualHub() {
  const events = new Set<(e: StoredEvent[]) => void>();
  const changes = new Set<(s: Session) => void>();
  const resyncs = new Set<() => void>();
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
    listenerCount: () => events.size + changes.size + resyncs.size,
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
  };
}
