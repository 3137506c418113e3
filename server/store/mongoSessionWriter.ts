import type { Collection } from 'mongodb';
import type { Session } from '../../shared/session.ts';
import type { Logger } from '../logger.ts';
import { type SessionDoc, toSessionDoc } from './mongoDocuments.ts';

/** First and longest pause before a failed session document write is tried again. */
const REPAIR_FIRST_MS = 500;
const REPAIR_MAX_MS = 30_000;

/** Writes the `sessions` documents that cache each session's derived state. */
export interface SessionWriter {
  /**
   * Replaces the document with `session` unless it is already as new; a failure is retried later.
   * Resolves true when this write replaced it; false when the document was as new already, is gone
   * (the session was deleted), or the write failed.
   */
  write(session: Session): Promise<boolean>;
  /** Sessions whose document is known to lag (a failed write not yet repaired). */
  lagging(): number;
  close(): void;
}

/**
 * The session document is a cache of the events (readers fold any batch it lags behind), but the
 * change stream announces sessions from it, so a failed write must not leave it stale for good:
 * it is retried with backoff until it lands or a newer write supersedes it. Writes replace the whole
 * document (the change event then carries it without an `updateLookup` read) and only move forward
 * (`lastSeq` guard), so racing writers from several processes converge on the newest state.
 */
export function createSessionWriter(opts: {
  sessions: Collection<SessionDoc>;
  log: Logger;
  maxTimeMS: number;
}): SessionWriter {
  const { sessions, log, maxTimeMS } = opts;
  const repairs = new Map<string, { session: Session; delay: number; timer?: NodeJS.Timeout }>();
  let closed = false;

  // Never an upsert: a write racing the session's deletion must not bring the document back.
  async function replace(session: Session): Promise<boolean> {
    const doc = toSessionDoc(session);
    const result = await sessions.replaceOne({ _id: doc._id, lastSeq: { $lt: session.lastSeq } }, doc, {
      maxTimeMS,
    });
    return result.matchedCount === 1;
  }

  function schedule(session: Session, delay: number): void {
    const pending = repairs.get(session.id);
    if (pending && pending.session.lastSeq > session.lastSeq) return;
    clearTimeout(pending?.timer);
    const entry: { session: Session; delay: number; timer?: NodeJS.Timeout } = { session, delay };
    entry.timer = setTimeout(() => void retry(entry), delay + Math.random() * delay).unref();
    repairs.set(session.id, entry);
  }

  async function retry(entry: { session: Session; delay: number }): Promise<void> {
    if (closed || repairs.get(entry.session.id) !== entry) return;
    try {
      await replace(entry.session);
      if (repairs.get(entry.session.id) === entry) repairs.delete(entry.session.id);
      log.info({ sessionId: entry.session.id }, 'session document repaired');
    } catch (err) {
      if (repairs.get(entry.session.id) === entry) {
        schedule(entry.session, Math.min(REPAIR_MAX_MS, entry.delay * 2));
      }
      log.warn(
        { err: (err as Error).message, sessionId: entry.session.id },
        'session document repair failed',
      );
    }
  }

  return {
    async write(session) {
      try {
        const replaced = await replace(session);
        const pending = repairs.get(session.id);
        if (pending && pending.session.lastSeq <= session.lastSeq) {
          clearTimeout(pending.timer);
          repairs.delete(session.id);
        }
        return replaced;
      } catch (err) {
        log.warn(
          { err: (err as Error).message, sessionId: session.id },
          'session document write failed; readers fold, retrying',
        );
        schedule(session, REPAIR_FIRST_MS);
        return false;
      }
    },
    lagging: () => repairs.size,
    close() {
      closed = true;
      for (const r of repairs.values()) clearTimeout(r.timer);
      repairs.clear();
    },
  };
}
