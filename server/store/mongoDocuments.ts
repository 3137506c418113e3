import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';

/** A `sessions` document: the session with its id as `_id`, derived fields as of `lastSeq`. */
export type SessionDoc = Omit<Session, 'id'> & { _id: string };

/**
 * An `events` document: one appended batch. `seq` is its first seq and `lastSeq` its last, so the
 * unique `{sessionId, seq}` index admits exactly one batch after any given seq (see mongoStore.ts).
 */
export interface EventBatchDoc {
  _id: string;
  sessionId: string;
  seq: number;
  lastSeq: number;
  ts: string;
  events: StoredEvent[];
  /** Random per append call: tells a writer whether a batch whose outcome it lost is its own. */
  nonce: string;
  /** The batch's idempotency key (unique per session) and the digest of its events. */
  key?: string;
  fingerprint?: string;
}

/**
 * A `sessionKeys` document: a creation key, the digest of its input and the session it names. It is
 * written before the session document, so a retry after a crash between the two finishes the job.
 */
export interface SessionKeyDoc {
  _id: string;
  fingerprint: string;
  session: { id: string; title: string; agent: string; createdAt: string };
}

/** Session → its document. */
export function toSessionDoc(session: Session): SessionDoc {
  const { id, ...rest } = session;
  return { _id: id, ...rest };
}

/** Document → session. */
export function fromSessionDoc(doc: SessionDoc): Session {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}
