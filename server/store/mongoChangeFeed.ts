import { type ChangeStream, type Db, MongoServerError, type ResumeToken } from 'mongodb';
import type { Logger } from '../logger.ts';
import type { StoreChange } from './eventStore.ts';
import { type EventBatchDoc, fromSessionDoc, type SessionDoc } from './mongoDocuments.ts';

/**
 * Server error codes after which resuming from the same token can work (the change streams spec's
 * list). Any other server error — 286 history lost, 280 fatal, 260 invalid token, … — means the
 * token is useless: the feed reopens from now and announces `resync`.
 */
const RESUMABLE_CODES = new Set([
  6, 7, 43, 63, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436,
]);

/** Whether a failed stream can still resume after its last token (network trouble, or a listed code). */
export function canResume(err: unknown): boolean {
  if (!(err instanceof MongoServerError)) return true;
  if (err.hasErrorLabel('NonResumableChangeStreamError')) return false;
  if (err.hasErrorLabel('ResumableChangeStreamError')) return true;
  return typeof err.code === 'number' && RESUMABLE_CODES.has(err.code);
}

/** The process's one change stream, announcing every change as a StoreChange. */
export interface MongoChangeFeed {
  /** Resolves once the stream has first been opened. */
  ready: Promise<void>;
  /** Whether the change stream is open right now. */
  live(): boolean;
  lastError(): string | undefined;
  close(): Promise<void>;
}

/**
 * Opens ONE change stream on the database for this process (each open stream holds a pooled
 * connection and makes the server scan the oplog, so never one per subscriber) and turns its
 * changes into StoreChanges. The driver resumes by itself after network and resumable errors. On
 * anything else it reopens — from its last resume token if it can, from now if the token is useless
 * (`canResume`) — and then announces `resync` so every follower re-reads and misses nothing.
 */
export function openMongoChangeFeed(opts: {
  db: Db;
  emit: (change: StoreChange) => void;
  log: Logger;
  /** Pause between reopen attempts. @default 500 */
  retryMs?: number;
}): MongoChangeFeed {
  const { db, emit, log, retryMs = 500 } = opts;
  let stream: ChangeStream | undefined;
  let token: ResumeToken | undefined;
  let isLive = false;
  let error: string | undefined;
  let closed = false;
  let sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  // Sessions are inserted and then only ever replaced whole, batches only inserted, so every change
  // carries its full document without an `updateLookup` read; the fields only writers use are cut.
  // A deleted session is a `delete` of its document, named by `documentKey` (kept for that; the
  // deletes of its batches and keys that follow are left out).
  const pipeline = [
    {
      $match: {
        $or: [
          { 'ns.coll': { $in: ['sessions', 'events'] }, operationType: { $in: ['insert', 'replace'] } },
          { 'ns.coll': 'sessions', operationType: 'delete' },
        ],
      },
    },
    {
      $project: {
        'fullDocument.nonce': 0,
        'fullDocument.key': 0,
        'fullDocument.fingerprint': 0,
        clusterTime: 0,
        wallTime: 0,
      },
    },
  ];

  function handle(change: Record<string, unknown>): void {
    const ns = change.ns as { coll?: string } | undefined;
    if (change.operationType === 'delete') {
      // Only the sessions collection's deletes pass the pipeline's $match.
      const id = (change.documentKey as { _id?: unknown } | undefined)?._id;
      if (typeof id === 'string') emit({ kind: 'deleted', sessionId: id });
      return;
    }
    const doc = change.fullDocument as Record<string, unknown> | null | undefined;
    if (!doc) return;
    if (ns?.coll === 'events') {
      const batch = doc as unknown as EventBatchDoc;
      emit({ kind: 'events', sessionId: batch.sessionId, events: batch.events });
    } else if (ns?.coll === 'sessions') {
      emit({ kind: 'session', session: fromSessionDoc(doc as unknown as SessionDoc) });
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!closed) {
      try {
        stream = db.watch(pipeline, token !== undefined ? { resumeAfter: token } : {});
        // watch() is lazy: the first tryNext sends the aggregate, so the stream is really open.
        let change = await stream.tryNext();
        isLive = true;
        error = undefined;
        failures = 0;
        // Subscribers may have read their backfill before this stream existed (at start) or while it
        // was down: every open is followed by a re-read, so whatever committed meanwhile reaches them.
        emit({ kind: 'resync' });
        markReady();
        for (;;) {
          if (change) handle(change as unknown as Record<string, unknown>);
          token = stream.resumeToken ?? token;
          if (closed) return;
          change = await stream.next();
        }
      } catch (err) {
        isLive = false;
        if (closed) return;
        const e = err as { code?: number; message?: string };
        error = e.message ?? String(err);
        if (!canResume(err)) token = undefined;
        failures++;
        log.warn(
          { err: error, code: e.code, resumable: token !== undefined },
          'change stream failed; reopening',
        );
        await stream?.close().catch(() => {});
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(10_000, retryMs * 2 ** Math.min(failures - 1, 5)));
          sleeping = { timer, resolve };
        });
        sleeping = undefined;
      }
    }
  }

  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  void run();

  return {
    ready,
    live: () => isLive,
    lastError: () => error,
    async close() {
      closed = true;
      if (sleeping) {
        clearTimeout(sleeping.timer);
        sleeping.resolve();
      }
      isLive = false;
      await stream?.close().catch(() => {});
    },
  };
}
