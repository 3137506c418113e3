import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';

/** A change the store announces to its watcher: new events of a session, or a session's new state. */
export type StoreChange =
  | { kind: 'events'; sessionId: string; events: StoredEvent[] }
  | { kind: 'session'; session: Session }
  /** The session and all its events were deleted: whoever follows it is told it is gone. */
  | { kind: 'deleted'; sessionId: string }
  /** The live feed may have missed changes (it was reopened): re-read what you follow. */
  | { kind: 'resync' };

/** The answer to a keyed append. */
export interface AppendResult {
  /** The batch as stored: the original seqs when `duplicate`. */
  events: StoredEvent[];
  /** The key had already stored this very batch: nothing new was stored. */
  duplicate: boolean;
}

/** Where a page of `listSessions` starts: after this session in the list's order. */
export interface SessionCursor {
  lastActivityAt: string;
  id: string;
}

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
  /** Backend name (`memory`, `sqlite`, `mongo`). */
  readonly kind: string;
  /**
   * Creates a session with a fresh unguessable id. With an `idempotencyKey`, a retry with the same
   * title and agent returns the session the key created; other input under that key is CONFLICT.
   */
  createSession(input: { title: string; agent: string; idempotencyKey?: string }): Promise<Session>;
  getSession(sessionId: string): Promise<Session | undefined>;
  /**
   * Sessions, most recently active first (ties by id, descending): all of them, or one page of at
   * most `limit` starting after `after`.
   */
  listSessions(page?: { limit: number; after?: SessionCursor }): Promise<Session[]>;
  /**
   * Appends a batch atomically: every event gets the next seq, or (on any error) none is stored.
   * Payloads no backend could store (see planAppend) are refused before any I/O.
   */
  append(sessionId: string, events: AgentEvent[]): Promise<StoredEvent[]>;
  /**
   * `append`, at most once per key: a retry of the same batch under the same key stores nothing
   * and returns the original events; a different batch under a used key is CONFLICT. Keys are
   * scoped to the session and live as long as it does.
   */
  appendOnce(sessionId: string, events: AgentEvent[], idempotencyKey: string): Promise<AppendResult>;
  /**
   * Removes a session, its events and its idempotency keys; watchers get `deleted`. Resolves false
   * when there was no such session. Appends racing the delete either land before it or are NOT_FOUND.
   */
  deleteSession(sessionId: string): Promise<boolean>;
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
