import type { Session } from '../../shared/session.ts';

/**
 * The embedded stores' view of sessions while writes are in flight: appends are planned against
 * the newest *planned* state of a session (not yet durable), and a session being deleted is gone
 * for every append planned after the delete. Both stores group-commit through groupCommit.ts and
 * keep their committed state their own way; this is the part they share.
 */
export function createPlannedSessions() {
  const tentative = new Map<string, Session>();
  const deleting = new Set<string>();
  return {
    /** The state the next write plans against: planned, else `committed()`; none while deleting. */
    current(sessionId: string, committed: () => Session | undefined): Session | undefined {
      if (deleting.has(sessionId)) return undefined;
      return tentative.get(sessionId) ?? committed();
    },
    /** A write planned `session` as its session's newest state. */
    planned(session: Session): void {
      tentative.set(session.id, session);
    },
    /** That write is durable: its state is now the committed one (unless a later plan is newer). */
    committed(session: Session): void {
      if (tentative.get(session.id) === session) tentative.delete(session.id);
    },
    /**
     * Runs `write` (the delete) with the session gone for every append planned meanwhile; appends
     * planned before it are already queued ahead of it.
     */
    async deleting<T>(sessionId: string, write: () => Promise<T>): Promise<T> {
      tentative.delete(sessionId);
      deleting.add(sessionId);
      try {
        return await write();
      } finally {
        deleting.delete(sessionId);
      }
    },
    /** A write failed: every plan made on top of it is void. */
    clear(): void {
      tentative.clear();
    },
  };
}
