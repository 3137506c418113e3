import type { Session } from '../../shared/session.ts';
import { listedSessions, type SessionListMessage } from '../../shared/streamMessages.ts';

function byActivityDesc(a: Session, b: Session): number {
  return a.lastActivityAt < b.lastActivityAt ? 1 : a.lastActivityAt > b.lastActivityAt ? -1 : 0;
}

/**
 * The session list after one or more `sessions.onChange` messages, most recently active first. A
 * complete snapshot replaces the list; a partial one (after a resume) and an upsert merge into it. On
 * merge the copy with the higher lastSeq wins, since messages from before a reconnect can arrive late.
 * A remove drops its session, and a partial snapshot every session not among its `ids` (deleted
 * while this client was away). A whole batch is merged with one map and one sort.
 */
export function mergeSessionList(
  current: readonly Session[],
  messages: SessionListMessage | readonly SessionListMessage[],
): Session[] {
  const byId = new Map(current.map((s) => [s.id, s]));
  for (const message of Array.isArray(messages) ? messages : [messages as SessionListMessage]) {
    if (message.kind === 'remove') byId.delete(message.sessionId);
    else if (message.kind === 'snapshot' && message.complete) byId.clear();
    else if (message.kind === 'snapshot') {
      const exist = new Set(message.ids);
      for (const id of byId.keys()) if (!exist.has(id)) byId.delete(id);
    }
    for (const session of listedSessions(message)) {
      const known = byId.get(session.id);
      if (!known || session.lastSeq >= known.lastSeq) byId.set(session.id, session);
    }
  }
  return [...byId.values()].sort(byActivityDesc);
}
