import type { Collection } from 'mongodb';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { compareSessions } from '../domain/sessionCursor.ts';
import type { Logger } from '../logger.ts';
import { chainBreak } from './batchChain.ts';
import type { SessionCursor } from './eventStore.ts';
import { type EventBatchDoc, fromSessionDoc, type SessionDoc } from './mongoDocuments.ts';
import type { SessionWriter } from './mongoSessionWriter.ts';

/** Fields of a batch only writers look at. */
export const WRITER_FIELDS = { nonce: 0, key: 0, fingerprint: 0 } as const;

/** How the Mongo store reads sessions: always as of their newest batch, never a stale document. */
export interface SessionReads {
  /**
   * The session with every batch its document lags behind folded in; undefined if unknown. A lagging
   * document is written back unless `repair` is false (an appender, about to write it anyway).
   */
  current(sessionId: string, repair?: boolean): Promise<Session | undefined>;
  /** One page of the list, each session folded, in the list's order. */
  page(limit: number, after?: SessionCursor): Promise<Session[]>;
  /** Whether the session's document exists (a deleted session's is removed first). */
  exists(sessionId: string): Promise<boolean>;
  /**
   * A break in `sessionId`'s stored seqs: logged once, remembered for health, returned as the error
   * to throw — unless the session is gone, its events read while a delete removed them (undefined).
   */
  reportBreak(sessionId: string, problem: string): Promise<LivetrailError | undefined>;
  /** Sessions found with broken seqs since start. */
  broken(): number;
}

/**
 * Reads sessions from their cached documents plus whatever batches those have not caught up with
 * (a failed or not-yet-made document write). A session whose folded state differs from its document
 * is written back (`writer`), so documents converge. Every fold checks the batches for breaks.
 */
export function createSessionReads(opts: {
  sessions: Collection<SessionDoc>;
  events: Collection<EventBatchDoc>;
  writer: SessionWriter;
  log: Logger;
  maxTimeMS: number;
}): SessionReads {
  const { sessions, events, writer, log, maxTimeMS } = opts;
  const broken = new Map<string, string>();

  async function exists(sessionId: string): Promise<boolean> {
    return (await sessions.findOne({ _id: sessionId }, { maxTimeMS, projection: { _id: 1 } })) !== null;
  }

  async function reportBreak(sessionId: string, problem: string): Promise<LivetrailError | undefined> {
    if (!(await exists(sessionId))) return undefined;
    if (!broken.has(sessionId))
      log.error({ sessionId, problem }, 'integrity: stored events are not contiguous');
    broken.set(sessionId, problem);
    return new LivetrailError(
      'UNAVAILABLE',
      `storage integrity: session ${sessionId}: ${problem}; not served (see the server log)`,
    );
  }

  /** `session` with the batches after its `lastSeq` (checked for breaks by the caller) folded in. */
  function fold(session: Session, behind: readonly EventBatchDoc[], repair = true): Session {
    let next = session;
    for (const batch of behind) for (const e of batch.events) next = reduceSession(next, e);
    if (repair) void writer.write(next);
    return next;
  }

  async function current(sessionId: string, repair = true): Promise<Session | undefined> {
    const doc = await sessions.findOne({ _id: sessionId }, { maxTimeMS });
    if (!doc) return undefined;
    const session = fromSessionDoc(doc);
    const behind = await events
      .find({ sessionId, seq: { $gt: session.lastSeq } }, { maxTimeMS, projection: WRITER_FIELDS })
      .sort({ seq: 1 })
      .toArray();
    if (behind.length === 0) return session;
    const problem = chainBreak(behind, session.lastSeq);
    if (problem) {
      const err = await reportBreak(sessionId, problem);
      if (err) throw err;
      return undefined;
    }
    return fold(session, behind, repair);
  }

  /** A page of documents, each folded up to its newest batch with one query for the whole page. */
  async function foldPage(docs: SessionDoc[]): Promise<Session[]> {
    const page = docs.map(fromSessionDoc);
    if (page.length === 0) return page;
    const behind = await events
      .find(
        { $or: page.map((s) => ({ sessionId: s.id, lastSeq: { $gt: s.lastSeq } })) },
        { maxTimeMS, projection: WRITER_FIELDS },
      )
      .sort({ sessionId: 1, seq: 1 })
      .toArray();
    if (behind.length === 0) return page;
    const bySession = new Map<string, EventBatchDoc[]>();
    for (const b of behind) {
      const list = bySession.get(b.sessionId);
      if (list) list.push(b);
      else bySession.set(b.sessionId, [b]);
    }
    const folded: Session[] = [];
    for (const s of page) {
      const lag = bySession.get(s.id);
      const problem = lag && chainBreak(lag, s.lastSeq);
      if (!lag) folded.push(s);
      else if (!problem) folded.push(fold(s, lag));
      // Reported loudly; the list still shows the session as last recorded, unless it was deleted.
      else if (await reportBreak(s.id, problem)) folded.push(s);
    }
    return folded.sort(compareSessions);
  }

  return {
    current,
    async page(limit, after) {
      const filter = after
        ? {
            $or: [
              { lastActivityAt: { $lt: after.lastActivityAt } },
              { lastActivityAt: after.lastActivityAt, _id: { $lt: after.id } },
            ],
          }
        : {};
      const docs = await sessions
        .find(filter, { maxTimeMS })
        .sort({ lastActivityAt: -1, _id: -1 })
        .limit(limit)
        .toArray();
      return foldPage(docs);
    },
    exists,
    reportBreak,
    broken: () => broken.size,
  };
}
