import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { isLivetrailError, LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import type { Session } from '../../shared/session.ts';
import { fingerprint, keyReused } from '../domain/idempotency.ts';
import { type AppendPlan, planAppend } from '../domain/planAppend.ts';
import type { Logger } from '../logger.ts';
import type { AppendResult } from './eventStore.ts';
import type { EventBatchDoc } from './mongoDocuments.ts';
import { isDuplicateKey } from './mongoErrors.ts';
import { jitter, retryThroughElections, sleep } from './mongoRetry.ts';
import type { SessionReads } from './mongoSessionReads.ts';
import type { SessionWriter } from './mongoSessionWriter.ts';

/** Sessions whose head this process keeps in memory. */
const HEAD_CACHE_SIZE = 5_000;

/** Appends retried this often when other writers keep taking the next seq. */
const MAX_APPEND_ATTEMPTS = 50;

/** Appends batches to the Mongo store's sessions. */
export interface MongoAppender {
  append(sessionId: string, batch: AgentEvent[], key?: string): Promise<AppendResult>;
  /** Drops what this process remembers of a deleted session. */
  forget(sessionId: string): void;
}

/**
 * Appends batches as single documents (see mongoStore.ts for why seqs never break). Appends to one
 * session from this process run one at a time: they would only collide on the unique index. Writers
 * in other processes are handled by collide, back off (jittered) and re-read.
 *
 * An append racing the session's deletion (mongoSessionDelete.ts) lands before it or is NOT_FOUND:
 * the delete removes the session document first and the events after, so a batch inserted once the
 * events were removed finds no document to write its state into, and takes itself back.
 */
export function createMongoAppender(opts: {
  events: Collection<EventBatchDoc>;
  reads: SessionReads;
  writer: SessionWriter;
  log: Logger;
  maxTimeMS: number;
  /** How long an append keeps retrying while no primary is writable. */
  electionWindowMs: number;
}): MongoAppender {
  const { events, reads, writer, log, maxTimeMS } = opts;
  const tails = new Map<string, Promise<unknown>>();
  function serialize<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const run = (tails.get(sessionId) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(sessionId, tail);
    void tail.then(() => {
      if (tails.get(sessionId) === tail) tails.delete(sessionId);
    });
    return run;
  }

  /** Heads this process wrote last, by session (bounded; an evicted one is simply re-read). */
  const heads = new Map<string, Session>();
  function remember(session: Session): void {
    heads.delete(session.id);
    heads.set(session.id, session);
    if (heads.size > HEAD_CACHE_SIZE) heads.delete(heads.keys().next().value!);
  }

  /** Whether the batch `_id` is stored and is the one this append call wrote (its nonce). */
  async function landed(id: string, nonce: string): Promise<boolean> {
    const doc = await events.findOne({ _id: id }, { maxTimeMS, projection: { nonce: 1 } });
    return doc?.nonce === nonce;
  }

  function append(sessionId: string, batch: AgentEvent[], key?: string): Promise<AppendResult> {
    const fp = key === undefined ? undefined : fingerprint(batch);
    const nonce = randomBytes(12).toString('base64url');
    /** This call's last insert, whose outcome may have been lost. */
    let tried: { id: string; plan: AppendPlan } | undefined;

    async function finish(plan: AppendPlan, id: string): Promise<AppendResult> {
      remember(plan.session);
      // Written: the document existed after the batch was stored, so a delete removes the batch
      // too. Otherwise (already newer, gone, or the write failed) look whether the session is gone.
      if (!(await writer.write(plan.session)) && !(await reads.exists(sessionId))) {
        heads.delete(sessionId);
        await events.deleteOne({ _id: id, nonce }, { maxTimeMS });
        throw sessionNotFound(sessionId);
      }
      return { events: plan.events, duplicate: false };
    }

    /** The batch this key already stored, if any (a different batch under it is CONFLICT). */
    async function storedUnderKey(): Promise<AppendResult | undefined> {
      if (key === undefined) return undefined;
      const seen = await events.findOne({ sessionId, key }, { maxTimeMS });
      if (!seen) return undefined;
      if (seen.fingerprint !== fp) throw keyReused(key);
      return { events: seen.events, duplicate: true };
    }

    async function attempt(): Promise<AppendResult> {
      for (let round = 0; round < MAX_APPEND_ATTEMPTS; round++) {
        // An earlier attempt whose reply was lost may have been stored after all.
        if (tried && (await landed(tried.id, nonce))) return finish(tried.plan, tried.id);
        // A first try skips the key lookup: a key used before makes the insert collide on its
        // unique index (or the plan fail on a finished session), and only then is it looked up.
        const again = round > 0 || tried !== undefined ? await storedUnderKey() : undefined;
        if (again) return again;
        // Our own last write is usually the head; if another process wrote since, the insert
        // collides and we read the real head.
        // (No repair write of a lagging document: this append writes it right after.)
        const session = heads.get(sessionId) ?? (await reads.current(sessionId, false));
        if (!session) throw sessionNotFound(sessionId);
        let plan: AppendPlan;
        try {
          plan = planAppend(session, batch, new Date().toISOString());
        } catch (err) {
          // A retried `complete`: the session is finished by the very batch this key stored.
          const stored =
            isLivetrailError(err) && err.code === 'CONFLICT' ? await storedUnderKey() : undefined;
          if (stored) return stored;
          throw err;
        }
        const first = plan.events[0]!;
        tried = { id: `${sessionId}:${first.seq}`, plan };
        try {
          await events.insertOne(
            {
              _id: tried.id,
              sessionId,
              seq: first.seq,
              lastSeq: plan.session.lastSeq,
              ts: first.ts,
              events: plan.events,
              nonce,
              ...(key !== undefined && { key, fingerprint: fp }),
            },
            { maxTimeMS },
          );
        } catch (err) {
          heads.delete(sessionId);
          if (!isDuplicateKey(err)) throw err;
          // Another writer took this seq or this key, or our own earlier attempt did: look again.
          if (await landed(tried.id, nonce)) return finish(plan, tried.id);
          tried = undefined;
          await sleep(jitter(round, 2, 100));
          continue;
        }
        return finish(plan, tried.id);
      }
      throw new LivetrailError('UNAVAILABLE', `session ${sessionId}: too many concurrent writers, try again`);
    }

    return serialize(sessionId, () =>
      retryThroughElections(
        () =>
          attempt().catch((err: unknown) => {
            heads.delete(sessionId);
            throw err;
          }),
        { unknownIsSafe: true, windowMs: opts.electionWindowMs, log },
      ),
    );
  }

  return {
    append,
    forget(sessionId) {
      heads.delete(sessionId);
    },
  };
}
