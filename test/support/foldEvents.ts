import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';

/** Session `s1` after `events`, stored as seqs 1, 2, … one second apart. */
export function foldEvents(events: AgentEvent[]): Session {
  return events.reduce(
    (s, e, i) =>
      reduceSession(s, {
        ...e,
        sessionId: 's1',
        seq: i + 1,
        ts: `2026-01-01T00:00:0${i}.000Z`,
      } as StoredEvent),
    initialSession({ id: 's1', title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' }),
  );
}
