import { type Collection, MongoClient } from 'mongodb';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { newSessionId } from '../domain/newSessionId.ts';
import { planAppend } from '../domain/planAppend.ts';
import type { Logger } from '../logger.ts';
import type { EventStore, StoreChange } from './eventStore.ts';
import { openMongoChangeFeed } from './mongoChangeFeed.ts';
import { type EventBatchDoc, fromSessionDoc, type SessionDoc, toSessionDoc } from './mongoDocuments.ts';
import { isDuplicateKey, toStoreError } from './mongoErrors.ts';

/** Options of the MongoDB store. */
export interface MongoStoreOptions {
  uri: string;
  /** @default 'livetrail' */
  dbName?: string;
  log: Logger;
  /** How long an operation waits for a reachable server before failing as UNAVAILABLE. @default 2000 */
  serverSelectionTimeoutMS?: number;
  /** Pause before reopening a failed change stream. @default 500 */
  feedRetryMs?: number;
}

/** The answer to give when MongoDB is a standalone server. */
export const STANDALONE_MESSAGE =
  'MongoDB is a standalone server, but change streams need a replica set: start mongod with ' +
  '--replSet rs0 and run rs.initiate() once (or use an Atlas cluster)';

/** How long start-up waits for the change stream to open. */
const FEED_READY_WAIT_MS = 5_000;

/** Sessions whose head this process keeps in memory. */
const HEAD_CACHE_SIZE = 5_000;

/** Appends retried this often when other writers keep taking the next seq. */
const MAX_APPEND_ATTEMPTS = 50;

/**
 * The production store: sessions and events in MongoDB, the live feed from one change stream.
 *
 * Seq assignment: each append stores its batch as ONE document `{sessionId, seq: first, lastSeq}`
 * in `events`, guarded by a unique `{sessionId, seq}` index. A writer reads the head, plans seqs
 * head+1…, and inserts; a writer that planned from a stale head collides with the batch that starts
 * at the same seq (E11000) and retries from the new head. Because one insert is one atomic write,
 * a batch is all-or-nothing, seqs are gap-free across any number of processes, and — since a writer
 * can only plan from a head it has read, i.e. after the earlier batch committed — oplog order is seq
 * order. (A counter bumped in one write and events inserted in another could commit out of order or
 * leave a hole if the writer died between the two.) The `sessions` document caches the derived state;
 * it is updated after the insert and only forwards (`lastSeq` guard), and readers fold any batches
 * it has not caught up with, so a crash between the two writes loses nothing.
 */
export async function createMongoStore(opts: MongoStoreOptions): Promise<EventStore> {
  const { log } = opts;
  const client = new MongoClient(opts.uri, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 2000,
    appName: 'livetrail',
  });
  try {
    await client.connect();
    const hello = await client.db('admin').command({ hello: 1 });
    if (!hello.setName && hello.msg !== 'isdbgrid')
      throw new LivetrailError('UNAVAILABLE', STANDALONE_MESSAGE);
  } catch (err) {
    await client.close().catch(() => {});
    throw toStoreError(err);
  }
  const db = client.db(opts.dbName ?? 'livetrail');
  const sessions: Collection<SessionDoc> = db.collection('sessions');
  const events: Collection<EventBatchDoc> = db.collection('events');
  await events.createIndex({ sessionId: 1, seq: 1 }, { unique: true, name: 'sessionId_seq_unique' });
  await events.createIndex({ sessionId: 1, lastSeq: 1 }, { name: 'sessionId_lastSeq' });
  await sessions.createIndex({ lastActivityAt: -1 }, { name: 'lastActivityAt_desc' });

  const listeners = new Set<(change: StoreChange) => void>();
  const emit = (change: StoreChange) => {
    for (const l of listeners) l(change);
  };
  const feed = openMongoChangeFeed({ db, emit, log, retryMs: opts.feedRetryMs });
  // Start serving with the live feed open when we can; if it takes too long it keeps trying, and
  // /readyz says so meanwhile.
  await Promise.race([feed.ready, new Promise((r) => setTimeout(r, FEED_READY_WAIT_MS).unref())]);
  let reachable = true;
  // The driver's own monitoring notices an outage even when no request is being made.
  client.on('serverHeartbeatFailed', () => {
    reachable = false;
  });
  client.on('serverHeartbeatSucceeded', () => {
    reachable = true;
  });

  async function guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      const result = await op();
      reachable = true;
      return result;
    } catch (err) {
      // Domain answers (NOT_FOUND, CONFLICT, …) pass through; everything else is storage trouble.
      // Our own answers, including "too many concurrent writers", say nothing about MongoDB's health.
      if (err instanceof LivetrailError) throw err;
      reachable = false;
      log.warn(
        { err: (err as Error).message, code: (err as { code?: unknown }).code },
        'storage operation failed',
      );
      throw toStoreError(err);
    }
  }

  // Appends to one session from this process run one at a time: they would only collide on the
  // unique index and retry. Other processes are still handled by collide-and-retry.
  const tails = new Map<string, Promise<unknown>>();
  function serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (tails.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
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

  /** The session as of its newest batch: the cached document plus any batches it lags behind. */
  async function current(sessionId: string): Promise<Session | undefined> {
    const doc = await sessions.findOne({ _id: sessionId });
    if (!doc) return undefined;
    let session = fromSessionDoc(doc);
    const behind = await events
      .find({ sessionId, seq: { $gt: session.lastSeq } })
      .sort({ seq: 1 })
      .toArray();
    for (const batch of behind) for (const e of batch.events) session = reduceSession(session, e);
    return session;
  }

  return {
    kind: 'mongo',

    createSession: ({ title, agent }) =>
      guard(async () => {
        const session = initialSession({
          id: newSessionId(),
          title,
          agent,
          createdAt: new Date().toISOString(),
        });
        await sessions.insertOne(toSessionDoc(session));
        return session;
      }),

    getSession: (sessionId) => guard(() => current(sessionId)),

    listSessions: () =>
      guard(async () => {
        const docs = await sessions.find({}).sort({ lastActivityAt: -1 }).toArray();
        return docs.map(fromSessionDoc);
      }),

    append: (sessionId: string, batch: AgentEvent[]) =>
      serialize(sessionId, () =>
        guard(async () => {
          for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
            // Our own last write is usually the head; if another process wrote since, the insert
            // collides and we read the real head.
            const session = heads.get(sessionId) ?? (await current(sessionId));
            if (!session) throw sessionNotFound(sessionId);
            const plan = planAppend(session, batch, new Date().toISOString());
            const first = plan.events[0]!;
            try {
              await events.insertOne({
                _id: `${sessionId}:${first.seq}`,
                sessionId,
                seq: first.seq,
                lastSeq: plan.session.lastSeq,
                ts: first.ts,
                events: plan.events,
              });
            } catch (err) {
              heads.delete(sessionId);
              if (isDuplicateKey(err)) continue;
              throw err;
            }
            remember(plan.session);
            const { _id, ...fields } = toSessionDoc(plan.session);
            await sessions
              .updateOne({ _id, lastSeq: { $lt: plan.session.lastSeq } }, { $set: fields })
              .catch((err: unknown) =>
                log.warn({ err, sessionId }, 'session document update failed; readers fold'),
              );
            return plan.events;
          }
          throw new LivetrailError(
            'UNAVAILABLE',
            `session ${sessionId}: too many concurrent writers, try again`,
          );
        }),
      ),

    readEvents: (sessionId, { after, limit }) =>
      guard(async () => {
        if (!(await sessions.findOne({ _id: sessionId }, { projection: { _id: 1 } }))) {
          throw sessionNotFound(sessionId);
        }
        const out: StoredEvent[] = [];
        const cursor = events.find({ sessionId, lastSeq: { $gt: after } }).sort({ lastSeq: 1 });
        for await (const doc of cursor) {
          for (const e of doc.events) if (e.seq > after && out.length < limit) out.push(e);
          if (out.length >= limit) break;
        }
        await cursor.close();
        return out;
      }),

    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    health() {
      const live = feed.live();
      return {
        ok: reachable,
        live,
        detail: live
          ? 'mongodb: change stream open'
          : `mongodb: change stream down (${feed.lastError() ?? 'opening'})`,
      };
    },

    async close() {
      listeners.clear();
      await feed.close();
      await client.close();
    },
  };
}
