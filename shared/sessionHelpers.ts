import type { Session, SessionStatus } from './session.ts';

// Apart from session.ts (which re-exports them) so that the web app can use them without zod's
// schemas coming along into its bundle.

/** What a session id looks like (`sessionIdSchema` says so to clients). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` could name a session (what `sessionIdSchema` accepts). */
export function isSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

/** The newest `lastActivityAt` among `sessions` (ISO 8601 strings compare in time order), or undefined. */
export function newestActivity(sessions: readonly Pick<Session, 'lastActivityAt'>[]): string | undefined {
  let newest: string | undefined;
  for (const s of sessions) if (newest === undefined || s.lastActivityAt > newest) newest = s.lastActivityAt;
  return newest;
}

/** Whether a session has ended (no more events will be accepted). */
export function isFinished(status: SessionStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
