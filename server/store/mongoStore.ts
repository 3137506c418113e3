import { type Collection, MongoClient, type TopologyDescription } from 'mongodb';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { assertIdempotencyKey, fingerprint, keyReused } from '../domain/idempotency.ts';
import { newSessionId } from '../domain/newSessionId.ts';
import type { Logger } from '../logger.ts';
import { chainBreak } from './batchChain.ts';
import type { EventStore, SessionCursor, StoreChange } from './eventStore.ts';
import { createMongoAppender } from './mongoAppender.ts';
import { openMongoChangeFeed } from './mongoChangeFeed.ts';
import { type EventBatchDoc, type SessionDoc, type SessionKeyDoc, toSessionDoc } from './mongoDocuments.ts';
import { isDuplicateKey, toStoreError } from './mongoErrors.ts';
import { jitter, retryThroughElections, sleep } from './mongoRetry.ts';
import { createSessionDelete } from './mongoSessionDelete.ts';
import { createSessionReads, WRITER_FIELDS } from './mongoSessionReads.ts';
import { createSessionWriter } from './mongoSessionWriter.ts';

/** Options of the MongoDB store. */
export interface MongoStoreOptions {
  uri: string;
  /** @default 'livetrail' */
  dbName?: string;
  log: Logger;
  /**
   * Longest one operation may take: sent as `maxTimeMS` and `wtimeoutMS`, and the socket timeout
   * that bounds a server which accepts but never answers. @default 10000
   */
  timeoutMs?: number;
  /**
   * How long a write waits for a writable primary, retrying through an election (the driver's
   * server selection timeout, and the window of livetrail's own retries). @default 20000
   */
  serverSelectionTimeoutMS?: number;
  /** How often the driver checks each member; readiness notices a lost primary about this fast. @default 2000 */
  heartbeatFrequencyMS?: number;
  /** Pause before reopening a failed change stream. @default 500 */
  feedRetryMs?: number;
}

/** The answer to give when MongoDB is a standalone server. */
export const STANDALONE_MESSAGE =
  'MongoDB is a standalone server, but change streams need a replica set: start mongod with ' +
  '--replSet rs0 and run rs.initiate() once (or use an Atlas cluster)';

/** How long start-up waits for the change stream to open. */
const FEED_READY_WAIT_MS = 5_000;

/** Sessions read per query when the whole list is wanted. */
const LIST_PAGE = 500;

/** Server types that accept writes. */
const WRITABLE = new Set(['RSPrimary', 'Mongos', 'Standalone', 'LoadBalancer']);

function hasWritablePrimary(description: TopologyDescription): boolean {
  for (const server of description.servers.values()) if (WRITABLE.has(server.type)) return true;
  return false;
}

/**
 * The production store: sessions and events in MongoDB, the live feed from one change stream. The
 * seq argument (why no failover, driver retry or concurrent writer can leave a gap or an overlap)
 * is in README, "MongoDB: why seqs never break"; in short:
 *
 * - Each append stores its batch as ONE document `{_id: sessionId:first, seq: first, lastSeq}`
 *   under a unique `{sessionId, seq}` index, so a batch is all-or-nothing and at most one batch
 *   starts at any seq.
 * - A writer numbers a batch from a head read with `readConcern: majority` (or its own last
 *   write, acknowledged by a majority), so it only ever builds on batches that cannot be rolled
 *   back; a stale head collides on the index and is re-read.
 * - Writes are `w: majority`: an acknowledged batch survives any failover. A write whose outcome
 *   was lost is recognised by its nonce (or its idempotency key) before it is ever written again.
 *
 * The `sessions` document caches the derived state; readers fold any batch it has not caught up
 * with, and a failed write of it is retried until it lands (mongoSessionWriter.ts).
 */
export async function createMongoStore(opts: MongoStoreOptions): Promise<EventStore> {
  const { log } = opts;
  const maxTimeMS = opts.timeoutMs ?? 10_000;
  const selectionMs = opts.serverSelectionTimeoutMS ?? 20_000;
  const client = new MongoClient(opts.uri, {
    serverSelectionTimeoutMS: selectionMs,
    heartbeatFrequencyMS: opts.heartbeatFrequencyMS ?? 2_000,
    socketTimeoutMS: maxTimeMS,
    writeConcern: { w: 'majority', wtimeoutMS: maxTimeMS },
    readConcern: { level: 'majority' },
    retryWrites: true,
    retryReads: true,
    appName: 'livetrail',
  });
  let writable = true;
  client.on('topologyDescriptionChanged', (event) => {
    writable = hasWritablePrimary(event.newDescription);
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
  const sessionKeys: Collection<SessionKeyDoc> = db.collection('sessionKeys');
  await events.createIndex({ sessionId: 1, seq: 1 }, { unique: true, name: 'sessionId_seq_unique' });
  await events.createIndex({ sessionId: 1, lastSeq: 1 }, { name: 'sessionId_lastSeq' });
  await events.createIndex(
    { sessionId: 1, key: 1 },
    { unique: true, name: 'sessionId_key_unique', partialFilterExpression: { key: { $exists: true } } },
  );
  await sessions.createIndex({ lastActivityAt: -1, _id: -1 }, { name: 'lastActivityAt_id_desc' });
  // A delete finds a session's creation keys by the session they name.
  await sessionKeys.createIndex({ 'session.id': 1 }, { name: 'session_id' });

  const listeners = new Set<(change: StoreChange) => void>();
  const emit = (change: StoreChange) => {
    for (const l of listeners) l(change);
  };
  const feed = openMongoChangeFeed({ db, emit, log, retryMs: opts.feedRetryMs });
  // Start serving with the live feed open when we can; if it takes too long it keeps trying, and
  // /readyz says so meanwhile.
  await Promise.race([feed.ready, new Promise((r) => setTimeout(r, FEED_READY_WAIT_MS).unref())]);
  const writer = createSessionWriter({ sessions, log, maxTimeMS });
  const reads = createSessionReads({ sessions, events, writer, log, maxTimeMS });
  const appender = createMongoAppender({
    events,
    reads,
    writer,
    log,
    maxTimeMS,
    electionWindowMs: selectionMs,
  });
  const { append } = appender;
  const removeSession = createSessionDelete({ sessions, events, sessionKeys, maxTimeMS });
  const throughElections = <T>(op: () => Promise<T>, unknownIsSafe: boolean) =>
    retryThroughElections(op, { unknownIsSafe, windowMs: selectionMs, log });

  /** Runs a store operation; driver failures become UNAVAILABLE, and never change health by themselves. */
  async function guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      // Domain answers (NOT_FOUND, CONFLICT, …) pass through; everything else is storage trouble.
      if (err instanceof LivetrailError) throw err;
      log.warn(
        { err: (err as Error).message, code: (err as { code?: unknown }).code },
        'storage operation failed',
      );
      throw toStoreError(err);
    }
  }

  /** Whether creation key `key` still names session `sessionId`. */
  async function keyNames(key: string, sessionId: string): Promise<boolean> {
    const doc = await sessionKeys.findOne({ _id: key, 'session.id': sessionId }, { maxTimeMS });
    return doc !== null;
  }

  /** A session under a creation key: the key document is the commit point, the session follows it. */
  async function createKeyed(meta: SessionKeyDoc['session'], key: string, fp: string): Promise<Session> {
    for (let attempt = 0; ; attempt++) {
      let record = await sessionKeys.findOne({ _id: key }, { maxTimeMS });
      if (!record) {
        try {
          await sessionKeys.insertOne({ _id: key, fingerprint: fp, session: meta }, { maxTimeMS });
          record = { _id: key, fingerprint: fp, session: meta };
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      if (record) {
        if (record.fingerprint !== fp) throw keyReused(key);
        // Whoever holds the key makes sure the session document exists (a crash may sit between).
        const inserted = await sessions
          .insertOne(toSessionDoc(initialSession(record.session)), { maxTimeMS })
          .then(
            () => true,
            (err) => {
              if (!isDuplicateKey(err)) throw err;
              return false;
            },
          );
        // A key found missing its document may also be a session deleted meanwhile (its keys go
        // first): then the document just inserted is taken back, and the key is free again.
        if (inserted && record.session.id !== meta.id && !(await keyNames(key, record.session.id))) {
          await sessions.deleteOne({ _id: record.session.id }, { maxTimeMS });
          continue;
        }
        return (await reads.current(record.session.id)) ?? initialSession(record.session);
      }
      // Another writer's key is not majority-visible yet: wait for it.
      if (attempt >= 50) throw new LivetrailError('UNAVAILABLE', 'session creation contended; try again');
      await sleep(jitter(attempt, 5, 200));
    }
  }

  return {
    kind: 'mongo',

    createSession: ({ title, agent, idempotencyKey }) =>
      guard(() => {
        if (idempotencyKey !== undefined) assertIdempotencyKey(idempotencyKey);
        const meta = { id: newSessionId(), title, agent, createdAt: new Date().toISOString() };
        if (idempotencyKey === undefined) {
          return throughElections(async () => {
            const session = initialSession(meta);
            await sessions.insertOne(toSessionDoc(session), { maxTimeMS });
            return session;
          }, false);
        }
        const fp = fingerprint({ title, agent });
        return throughElections(() => createKeyed(meta, idempotencyKey, fp), true);
      }),

    getSession: (sessionId) => guard(() => reads.current(sessionId)),

    listSessions: (page) =>
      guard(async () => {
        if (page) return reads.page(page.limit, page.after);
        const all: Session[] = [];
        for (let after: SessionCursor | undefined; ; ) {
          const next = await reads.page(LIST_PAGE, after);
          all.push(...next);
          if (next.length < LIST_PAGE) return all;
          after = next.at(-1);
        }
      }),

    append: async (sessionId, batch) => (await guard(() => append(sessionId, batch))).events,

    appendOnce: (sessionId, batch, idempotencyKey) =>
      guard(async () => {
        assertIdempotencyKey(idempotencyKey);
        return append(sessionId, batch, idempotencyKey);
      }),

    deleteSession: (sessionId) =>
      guard(async () => {
        const deleted = await throughElections(() => removeSession(sessionId), true);
        // This process's cached head would let its next append write first and find out after.
        appender.forget(sessionId);
        return deleted;
      }),

    readEvents: (sessionId, { after, limit }) =>
      guard(async () => {
        if (!(await reads.exists(sessionId))) throw sessionNotFound(sessionId);
        const batches: EventBatchDoc[] = [];
        let count = 0;
        const cursor = events
          .find({ sessionId, lastSeq: { $gt: after } }, { maxTimeMS, projection: WRITER_FIELDS })
          .sort({ lastSeq: 1 });
        for await (const doc of cursor) {
          batches.push(doc);
          count += doc.lastSeq - Math.max(doc.seq - 1, after);
          if (count >= limit) break;
        }
        await cursor.close();
        const problem = chainBreak(batches, after);
        // A break in a session deleted while it was read is the delete at work, not damage.
        if (problem) throw (await reads.reportBreak(sessionId, problem)) ?? sessionNotFound(sessionId);
        const out: StoredEvent[] = [];
        for (const doc of batches)
          for (const e of doc.events) if (e.seq > after && out.length < limit) out.push(e);
        return out;
      }),

    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    health() {
      const live = feed.live();
      const parts = [
        writable ? 'mongodb: writable primary known' : 'mongodb: no writable primary known',
        live ? 'change stream open' : `change stream down (${feed.lastError() ?? 'opening'})`,
      ];
      if (writer.lagging() > 0) parts.push(`${writer.lagging()} session document(s) being repaired`);
      if (reads.broken() > 0)
        parts.push(`integrity: ${reads.broken()} session(s) with broken seqs (see log)`);
      // Liveness is a writable primary; readiness (/readyz) also needs the change stream.
      return { ok: writable, live, detail: parts.join('; ') };
    },

    async close() {
      listeners.clear();
      writer.close();
      await feed.close();
      await client.close();
    },
  };
}
