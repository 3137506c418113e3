import type { StoredEvent } from '../../shared/agentEvent.ts';

/** One line of the embedded store's journal: a session was created, or a batch was appended. */
export type JournalRecord =
  | {
      op: 'session';
      session: { id: string; title: string; agent: string; createdAt: string };
      /** The idempotency key it was created under, and the digest of its input. */
      key?: string;
      fingerprint?: string;
    }
  | { op: 'events'; sessionId: string; events: StoredEvent[]; key?: string; fingerprint?: string }
  | { op: 'delete'; sessionId: string };

/** Where the embedded store makes its records durable. */
export interface Journal {
  /** Resolves once every record is on disk (or rejects, and none of them counts as stored). */
  write(records: JournalRecord[]): Promise<void>;
  close(): Promise<void>;
}
