import type { StoredEvent } from './agentEvent.ts';
import type { Session } from './session.ts';

/** Why the server could not resume where the client asked and started over from seq 1. */
export type ResetReason = 'malformed_last_event_id' | 'ahead_of_head';

/**
 * What `events.onEvents` yields: stored events (tracked by seq), and a reset when the client's
 * `lastEventId` cannot be resumed — the client must drop what it holds; the whole trail follows.
 */
export type SessionStreamMessage =
  | { kind: 'event'; event: StoredEvent }
  | { kind: 'reset'; reason: ResetReason; headSeq: number };

/**
 * What `sessions.onChange` yields: first the sessions (all, or on resume those changed since the
 * client's last id), then each session's new state as it changes.
 */
export type SessionListMessage =
  | { kind: 'snapshot'; sessions: Session[]; complete: boolean }
  | { kind: 'upsert'; session: Session };
