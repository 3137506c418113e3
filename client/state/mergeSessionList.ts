import type { Session } from '../../shared/session.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';

function byActivityDesc(a: Session, b: Session): number {
  return a.lastActivityAt < b.lastActivityAt ? 1 : a.lastActivityAt > b.lastActivityAt ? -1 : 0;
}

/**
 * The session list after one `sessions.onChange` message, most recently active first. A complete
 * snapshot replaces the list; a partial one (after a resume) and an upsert merge into it. On merge
 * the copy with the higher lastSeq wins, since messages from before a reconnect can arrive late.
 */
export function mergeSessionList(current: readonly Session[], message: SessionListMessage): Session[] {
  if (message.kind === 'snapshot' && message.complete) return [...message.sessions].sort(byActivityDesc);
  const incoming = message.kind === 'snapshot' ? message.sessions : [message.session];
  const byId = new Map(current.map((s) => [s.id, s]));
  for (const session of incoming) {
    const known = byId.get(session.id);
    if (!known || session.lastSeq >= known.lastSeq) byId.set(session.id, session);
  }
  return [...byId.values()].sort(byActivityDesc);
}
