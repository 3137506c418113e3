import { randomBytes } from 'node:crypto';
import { type Collection, MongoClient, MongoServerSelectionError, type TopologyDescription } from 'mongodb';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { assertIdempotencyKey, fingerprint, keyReused } from '../domain/idempotency.ts';
import { newSessionId } from '../domain/newSessionId.ts';
import { type AppendPlan, planAppend } from '../domain/planAppend.ts';
import { compareSessions } from '../domain/sessionCursor.ts';
import type { Logger } from '../logger.ts';
import { chainBreak } from './batchChain.ts';
import type { AppendResult, EventStore, SessionCursor, StoreChange } from './eventStore.ts';
import { openMongoChangeFeed } from './mongoChangeFeed.ts';
import {
  type EventBatchDoc,
  fromSessionDoc,
  type SessionDoc,
  type SessionKeyDoc,
  toSessionDoc,
} from './mongoDocuments.ts';
import { isDuplicateKey, isNoWritablePrimary, toStoreError } from './mongoErrors.ts';
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

/** Sessions whose head this process keeps in memory. */
const HEAD_CACHE_SIZE = 5_000;

/** Appends retried this often when other writers keep taking the next seq. */
const MAX_APPEND_ATTEMPTS = 50;

/** Sessions read per query when the whole list is wanted. */
const LIST_PAGE = 500;

/** Server types that accept writes. */
const WRITABLE = new Set(['RSPrimary', 'Mongos', 'Standalone', 'LoadBalancer']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Full jitter: a random pause up to `base·2^attempt`, capped. */
const jitter = (attempt: number, baseMs: number, capMs: number) =>
  Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));

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

  const listeners = new Set<(change: StoreChange) => void>();
  const emit = (change: StoreChange) => {
    for (const l of listeners) l(change);
  };
  const feed = openMongoChangeFeed({ db, emit, log, retryMs: opts.feedRetryMs });
  // Start serving with the live feed open when we can; if it takes too long it keeps trying, and
  // /readyz says so meanwhile.
  await Promise.race([feed.ready, new Promise((r) => setTimeout(r, FEED_READY_WAIT_MS).unref())]);
  const writer = createSessionWriter({ sessions, log, maxTimeMS });
  /** Sessions whose stored events were found broken, with what was found (surfaced in health). */
  const broken = new Map<string, string>();

  function reportBreak(sessionId: string, problem: string): LivetrailError {
    if (!broken.has(sessionId))
      log.error({ sessionId, problem }, 'integrity: stored events are not contiguous');
    broken.set(sessionId, problem);
    return new LivetrailError(
      'UNAVAILABLE',
      `storage integrity: session ${sessionId}: ${problem}; not served (see the server log)`,
    );
  }

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

  /**
   * Retries `op` with jittered backoff while no writable primary is reachable, for as long as an
   * election may take. `unknownIsSafe` says whether a write whose outcome was lost (a network error)
   * may be sent again: only when `op` itself recognises its earlier attempt.
   */
  async function throughElections<T>(op: () => Promise<T>, unknownIsSafe: boolean): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (err instanceof LivetrailError || !isNoWritablePrimary(err)) throw err;
        const refused =
          err instanceof MongoServerSelectionError || typeof (err as { code?: unknown }).code === 'number';
        if ((!refused && !unknownIsSafe) || Date.now() - started >= selectionMs) throw err;
        log.warn({ err: (err as Error).message, attempt }, 'no writable primary; retrying');
        await sleep(jitter(attempt, 100, 2_000));
      }
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

  /** `session` with the batches after its `lastSeq` folded in, checked for breaks. */
  function fold(session: Session, behind: readonly EventBatchDoc[]): Session {
    const problem = chainBreak(behind, session.lastSeq);
    if (problem) throw reportBreak(session.id, problem);
    let next = session;
    for (const batch of behind) for (const e of batch.events) next = reduceSession(next, e);
    return next;
  }

  /** The session as of its newest batch: the cached document plus any batches it lags behind. */
  async function current(sessionId: string): Promise<Session | undefined> {
    const doc = await sessions.findOne({ _id: sessionId }, { maxTimeMS });
    if (!doc) return undefined;
    const session = fromSessionDoc(doc);
    const behind = await events
      .find({ sessionId, seq: { $gt: session.lastSeq } }, { maxTimeMS })
      .sort({ seq: 1 })
      .toArray();
    if (behind.length === 0) return session;
    const folded = fold(session, behind);
    void writer.write(folded);
    return folded;
  }

  /** A page of session documents, each folded up to its newest batch with one query for the page. */
  async function foldPage(docs: SessionDoc[]): Promise<Session[]> {
    const page = docs.map(fromSessionDoc);
    if (page.length === 0) return page;
    const behind = await events
      .find(
        { $or: page.map((s) => ({ sessionId: s.id, lastSeq: { $gt: s.lastSeq } })) },
        { maxTimeMS, projection: { nonce: 0, key: 0, fingerprint: 0 } },
      )
      .sort({ sessionId: 1, seq: 1 })
      .toArray();
    if (behind.length === 0) return page;
    const bySession = new Map<string, EventBatchDoc[]>();
    for (const b of behind) bySession.set(b.sessionId, [...(bySession.get(b.sessionId) ?? []), b]);
    const folded = page.map((s) => {
      const lag = bySession.get(s.id);
      if (!lag) return s;
      try {
        const next = fold(s, lag);
        void writer.write(next);
        return next;
      } catch {
        // Reported loudly by fold; the list still shows the session as last recorded.
        return s;
      }
    });
    return folded.sort(compareSessions);
  }

  async function readPage(limit: number, after?: SessionCursor): Promise<Session[]> {
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
  }

  /** Whether the batch `_id` is stored and is the one this append call wrote (its nonce). */
  async function landed(id: string, nonce: string): Promise<boolean> {
    const doc = await events.findOne({ _id: id }, { maxTimeMS, projection: { nonce: 1 } });
    return doc?.nonce === nonce;
  }

  function appendBatch(sessionId: string, batch: AgentEvent[], key?: string): Promise<AppendResult> {
    const fp = key === undefined ? undefined : fingerprint(batch);
    const nonce = randomBytes(12).toString('base64url');
    let tried: { id: string; plan: AppendPlan } | undefined;

    async function finish(plan: AppendPlan): Promise<AppendResult> {
      remember(plan.session);
      await writer.write(plan.session);
      return { events: plan.events, duplicate: false };
    }

    async function attemptOnce(): Promise<AppendResult> {
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
        // An earlier attempt whose reply was lost may have been stored after all.
        if (tried && (await landed(tried.id, nonce))) return finish(tried.plan);
        if (key !== undefined) {
          const seen = await events.findOne({ sessionId, key }, { maxTimeMS });
          if (seen) {
            if (seen.fingerprint !== fp) throw keyReused(key);
            return { events: seen.events, duplicate: true };
          }
        }
        // Our own last write is usually the head; if another process wrote since, the insert
        // collides and we read the real head.
        const session = heads.get(sessionId) ?? (await current(sessionId));
        if (!session) throw sessionNotFound(sessionId);
        const plan = planAppend(session, batch, new Date().toISOString());
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
          if (await landed(tried.id, nonce)) return finish(plan);
          tried = undefined;
          await sleep(jitter(attempt, 2, 100));
          continue;
        }
        return finish(plan);
      }
      throw new LivetrailError('UNAVAILABLE', `session ${sessionId}: too many concurrent writers, try again`);
    }

    return serialize(sessionId, () =>
      guard(() =>
        throughElections(async () => {
          try {
            return await attemptOnce();
          } catch (err) {
            heads.delete(sessionId);
            throw err;
          }
        }, true),
      ),
    );
  }

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
        // The key is the commit point: whoever holds it makes sure the session document exists.
        await sessions.insertOne(toSessionDoc(initialSession(record.session)), { maxTimeMS }).catch((err) => {
          if (!isDuplicateKey(err)) throw err;
        });
        return (await current(record.session.id)) ?? initialSession(record.session);
      }
      // Another writer's key is not yet majority-visible: wait for it.
      if (attempt >= MAX_APPEND_ATTEMPTS)
        throw new LivetrailError('UNAVAILABLE', 'session creation contended; try again');
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

    getSession: (sessionId) => guard(() => current(sessionId)),

    listSessions: (page) =>
      guard(async () => {
        if (page) return readPage(page.limit, page.after);
        const all: Session[] = [];
        for (let after: SessionCursor | undefined; ; ) {
          const next = await readPage(LIST_PAGE, after);
          all.push(...next);
          if (next.length < LIST_PAGE) return all;
          after = next.at(-1);
        }
      }),

    append: async (sessionId, batch) => (await appendBatch(sessionId, batch)).events,

    appendOnce: (sessionId, batch, idempotencyKey) => {
      try {
        assertIdempotencyKey(idempotencyKey);
      } catch (err) {
        return Promise.reject(err);
      }
      return appendBatch(sessionId, batch, idempotencyKey);
    },

    readEvents: (sessionId, { after, limit }) =>
      guard(async () => {
        if (!(await sessions.findOne({ _id: sessionId }, { maxTimeMS, projection: { _id: 1 } }))) {
          throw sessionNotFound(sessionId);
        }
        const batches: EventBatchDoc[] = [];
        let count = 0;
        const cursor = events
          .find(
            { sessionId, lastSeq: { $gt: after } },
            { maxTimeMS, projection: { nonce: 0, key: 0, fingerprint: 0 } },
          )
          .sort({ lastSeq: 1 });
        for await (const doc of cursor) {
          batches.push(doc);
          count += doc.lastSeq - Math.max(doc.seq - 1, after);
          if (count >= limit) break;
        }
        await cursor.close();
        const problem = chainBreak(batches, after);
        if (problem) throw reportBreak(sessionId, problem);
        const out = [];
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
      if (broken.size > 0) parts.push(`integrity: ${broken.size} session(s) with broken seqs (see log)`);
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
