import type { Session, SessionStatus } from '../../shared/session.ts';

/** Each known session's status, as last seen. */
export type SeenStatuses = ReadonlyMap<string, SessionStatus>;

/**
 * The sessions that started waiting for the user since `seen` (they were known and not waiting
 * then), and the statuses to compare with next time. With `seen` undefined (the first list) none
 * has *started* waiting: what was already waiting is no news.
 */
export function newlyWaiting(
  seen: SeenStatuses | undefined,
  sessions: readonly Session[],
): { started: Session[]; seen: SeenStatuses } {
  const next = new Map(sessions.map((s) => [s.id, s.status]));
  if (seen === undefined) return { started: [], seen: next };
  const started = sessions.filter(
    (s) => s.status === 'waiting_for_user' && seen.get(s.id) !== 'waiting_for_user',
  );
  return { started, seen: next };
}
