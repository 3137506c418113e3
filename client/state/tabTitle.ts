import type { Session } from '../../shared/session.ts';

/** How many of `sessions` wait for the user (status `waiting_for_user`). */
export function countWaiting(sessions: readonly Pick<Session, 'status'>[]): number {
  let n = 0;
  for (const s of sessions) if (s.status === 'waiting_for_user') n++;
  return n;
}

/**
 * The tab's title: the open session's title (when there is one) and the product name, led by
 * `(N)` while N sessions wait for the user, so a person in another tab sees an agent wants them.
 */
export function tabTitle(waiting: number, sessionTitle?: string): string {
  const base = sessionTitle ? `${sessionTitle} · livetrail` : 'livetrail';
  return waiting > 0 ? `(${waiting}) ${base}` : base;
}
