import type { Collection } from 'mongodb';
import type { EventBatchDoc, SessionDoc, SessionKeyDoc } from './mongoDocuments.ts';

/**
 * Deletes sessions from the Mongo store. There are no multi-document transactions, so the order is
 * what keeps every state in between — including a crash after any step — safe to read:
 *
 * 1. Its creation keys (`sessionKeys` naming it). First, because a keyed create retried under such
 *    a key re-inserts the session document it names (the crash repair in `createKeyed`); with the
 *    key gone the retry makes a new session instead. A crash here leaves the session whole.
 * 2. The session document: the commit point. From here the session is unknown to every read (they
 *    all start at the document), appends are NOT_FOUND, and the change stream announces `deleted`
 *    to every process. A crash here leaves unreachable batches, which a repeated delete removes.
 * 3. Its batches, with their idempotency keys. An append that read the session before step 2 and
 *    stores its batch after step 3 finds no document to write its state into and takes its batch
 *    back (mongoAppender.ts): it is NOT_FOUND, never an orphan anyone can read.
 *
 * Every step is repeatable, and all run even when the document is already gone, so a delete that
 * failed midway is finished by trying again. Resolves whether this call removed the document.
 */
export function createSessionDelete(opts: {
  sessions: Collection<SessionDoc>;
  events: Collection<EventBatchDoc>;
  sessionKeys: Collection<SessionKeyDoc>;
  maxTimeMS: number;
}): (sessionId: string) => Promise<boolean> {
  const { sessions, events, sessionKeys, maxTimeMS } = opts;
  return async function deleteSession(sessionId) {
    await sessionKeys.deleteMany({ 'session.id': sessionId }, { maxTimeMS });
    const { deletedCount } = await sessions.deleteOne({ _id: sessionId }, { maxTimeMS });
    await events.deleteMany({ sessionId }, { maxTimeMS });
    return deletedCount === 1;
  };
}
