import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';

/** A change the store announces to its watcher: new events of a session, or a session's new state. */
export type StoreChange =
  | { kind: 'events'; sessionId: string; events: StoredEvent[] }
  | { kind: 'session'; session: Session }
  /** The live feed may have missed changes (it was reopened): re-read what you follow. */
  | { kind: 'resync' };

/** Storage health as reported by `/healthz` and `/readyz`. */
export interface StoreHealth {
  ok: boolean;
  /** Live feed working (for Mongo: the change stream is open). */
  live: boolean;
  detail: string;
}

/**
 * What every storage backend provides. Errors are LivetrailErrors: NOT_FOUND for an unknown session,
 * CONFLICT for an append after `complete`, UNAVAILABLE when storage cannot be reached.
 */
export interface EventStore {
  /** Backend name as configured (`memory`, `file`, `mongo`). */
  readonly kind: string;
  /** Creates a session with a fresh unguessable id. */
  createSession(input: { title: string; agent: string }): Promise<Session>;
  getSession(sessionId: string): Promise<Session | undefined>;
  /** All sessions, most recently active first. */
  listSessions(): Promise<Session[]>;
  /** Appends a batch atomically: every event gets the next seq, or (on any error) none is stored. */
  append(sessionId: string, events: AgentEvent[]): Promise<StoredEvent[]>;
  /** Stored events with seq > after, in seq order, at most `limit`; NOT_FOUND for an unknown session. */
  readEvents(sessionId: string, range: { after: number; limit: number }): Promise<StoredEvent[]>;
  /**
   * The one live feed of this store: every accepted batch and every session change, per session in
   * seq order. Returns the unsubscribe function.
   */
  watch(listener: (change: StoreChange) => void): () => void;
  health(): StoreHealth;
  close(): Promise<void>;
}
