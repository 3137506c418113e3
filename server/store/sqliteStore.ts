import type { Database } from 'better-sqlite3';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { assertIdempotencyKey, fingerprint, keyReused } from '../domain/idempotency.ts';
import { newSessionId } from '../domain/newSessionId.ts';
import { planAppend } from '../domain/planAppend.ts';
import type { AppendResult, EventStore, StoreChange } from './eventStore.ts';
import { createGroupCommit, createSlots } from './groupCommit.ts';
import { createPlannedSessions } from './plannedSessions.ts';
import { prepareReads } from './sqliteReads.ts';
import { SqliteWriteError, type SqliteWriter } from './sqliteWriter.ts';
import type { SqliteWrite } from './sqliteWrites.ts';
import { rememberEventJson } from './storedJson.ts';
import { createTailCache } from './tailCache.ts';

/** Where the store reports trouble with its storage (a pino logger fits). */
export interface StoreLog {
  info(message: string): void;
  error(message: string): void;
}

export interface SqliteStoreParts {
  /** The read connection (the writer has its own). */
  db: Database;
  writer: SqliteWriter;
  log: StoreLog;
  /** Runs once the store is closed (releases the data-directory lock). */
  onClose?: () => void;
  now?: () => Date;
  /** While writes fail, a probe write is tried this often to see when they succeed again. @default 2000 */
  probeIntervalMs?: number;
  /** Memory for the newest events of recently written sessions. @default 8 MiB */
  tailCacheBytes?: number;
}

/** Sessions whose state is kept parsed; the rest are read from disk when asked for. */
const SESSION_CACHE = 2_000;

/** What a storage failure tells the caller (503) and the log; the SQLite code stays in the log. */
function describeFailure(cause: unknown): string {
  const code = cause instanceof SqliteWriteError ? cause.code : '';
  if (code.startsWith('SQLITE_FULL')) return 'disk full';
  if (code.startsWith('SQLITE_IOERR')) return 'I/O error';
  if (code.startsWith('SQLITE_READONLY')) return 'database is read-only';
  return 'write failed';
}

/**
 * The embedded store on SQLite. Nothing grows with history in memory: sessions and events are read
 * from disk, with a small cache of parsed sessions and of hot tails. Writes are planned here,
 * group-committed by the writer thread (one transaction per group, durable before any append of it
 * is acknowledged), and only then become visible and reach watchers.
 */
export function createSqliteStore(parts: SqliteStoreParts): EventStore {
  const { writer, log, now = () => new Date() } = parts;
  const reads = prepareReads(parts.db);
  const sessions = new Map<string, Session>();
  const plans = createPlannedSessions();
  const tails = createTailCache({
    maxBytes: parts.tailCacheBytes ?? 8 * 1024 * 1024,
    maxEventsPerSession: 1_000,
  });
  const once = createSlots();
  const listeners = new Set<(change: StoreChange) => void>();
  let failing: { since: string; what: string } | undefined;
  let probe: NodeJS.Timeout | undefined;
  let closed = false;

  const group = createGroupCommit<SqliteWrite>(
    async (writes) => {
      try {
        await writer.write(writes);
      } catch (cause) {
        throw storageFailed(cause);
      }
      writable();
    },
    () => plans.clear(),
  );

  function storageFailed(cause: unknown): LivetrailError {
    const what = describeFailure(cause);
    if (!failing) {
      failing = { since: now().toISOString(), what };
      log.error(
        `sqlite: ${what}: appends are refused until writes succeed again (${(cause as Error).message})`,
      );
      probe = setInterval(() => {
        writer.probe().then(writable, () => {});
      }, parts.probeIntervalMs ?? 2_000);
      probe.unref();
    }
    return new LivetrailError('UNAVAILABLE', `storage unavailable: ${what}`, { cause });
  }

  function writable(): void {
    if (!failing) return;
    log.info(`sqlite: writes succeed again (they failed from ${failing.since}: ${failing.what})`);
    failing = undefined;
    clearInterval(probe);
  }

  function emit(change: StoreChange): void {
    for (const listener of listeners) listener(change);
  }

  function cache(session: Session): void {
    sessions.delete(session.id);
    sessions.set(session.id, session);
    if (sessions.size > SESSION_CACHE) sessions.delete(sessions.keys().next().value!);
  }

  function committed(sessionId: string): Session | undefined {
    const hit = sessions.get(sessionId);
    if (hit) return hit;
    const read = reads.session(sessionId);
    if (read) cache(read);
    return read;
  }

  function current(sessionId: string): Session | undefined {
    return plans.current(sessionId, () => committed(sessionId));
  }

  function enqueue(write: SqliteWrite, commit: () => void): Promise<void> {
    if (closed) return Promise.reject(new LivetrailError('UNAVAILABLE', 'store is closed'));
    return group.enqueue(write, commit);
  }

  async function create(input: { title: string; agent: string }, key?: { key: string; fingerprint: string }) {
    const meta = {
      id: newSessionId(),
      title: input.title,
      agent: input.agent,
      createdAt: now().toISOString(),
    };
    const session = initialSession(meta);
    plans.planned(session);
    const write: SqliteWrite = {
      op: 'session',
      id: session.id,
      state: JSON.stringify(session),
      lastActivityAt: session.lastActivityAt,
      ...(key && { key }),
    };
    await enqueue(write, () => {
      cache(session);
      plans.committed(session);
      emit({ kind: 'session', session });
    });
    return session;
  }

  async function appendBatch(
    sessionId: string,
    events: AgentEvent[],
    key?: { key: string; fingerprint: string },
  ): Promise<StoredEvent[]> {
    const session = current(sessionId);
    if (!session) throw sessionNotFound(sessionId);
    const plan = planAppend(session, events, now().toISOString());
    const json = plan.events.map((e) => {
      const text = JSON.stringify(e);
      rememberEventJson(e, text);
      return text;
    });
    plans.planned(plan.session);
    const write: SqliteWrite = {
      op: 'events',
      sessionId,
      events: plan.events.map((e, i) => ({ seq: e.seq, json: json[i]! })),
      state: JSON.stringify(plan.session),
      lastActivityAt: plan.session.lastActivityAt,
      ...(key && { key }),
    };
    await enqueue(write, () => {
      cache(plan.session);
      tails.add(
        sessionId,
        plan.events,
        json.map((j) => j.length),
      );
      plans.committed(plan.session);
      emit({ kind: 'events', sessionId, events: plan.events });
      emit({ kind: 'session', session: plan.session });
    });
    return plan.events;
  }

  function readEvents(sessionId: string, after: number, limit: number): StoredEvent[] {
    const from = Math.max(0, after);
    return tails.read(sessionId, from, limit) ?? reads.events(sessionId, from, limit);
  }

  return {
    kind: 'sqlite',

    async createSession({ title, agent, idempotencyKey }) {
      if (idempotencyKey === undefined) return create({ title, agent });
      assertIdempotencyKey(idempotencyKey);
      const fp = fingerprint({ title, agent });
      return once(`create\u0000${idempotencyKey}`, async () => {
        const seen = reads.createKey(idempotencyKey);
        if (!seen) return create({ title, agent }, { key: idempotencyKey, fingerprint: fp });
        if (seen.fingerprint !== fp) throw keyReused(idempotencyKey);
        return committed(seen.sessionId)!;
      });
    },

    async getSession(sessionId) {
      return committed(sessionId);
    },

    async listSessions(page) {
      return reads.sessions(page);
    },

    append: (sessionId, events) => appendBatch(sessionId, events),

    async appendOnce(sessionId, events, idempotencyKey): Promise<AppendResult> {
      assertIdempotencyKey(idempotencyKey);
      const fp = fingerprint(events);
      return once(`${sessionId}\u0000${idempotencyKey}`, async () => {
        const seen = committed(sessionId) && reads.batchKey(sessionId, idempotencyKey);
        if (!seen) {
          const stored = await appendBatch(sessionId, events, { key: idempotencyKey, fingerprint: fp });
          return { events: stored, duplicate: false };
        }
        if (seen.fingerprint !== fp) throw keyReused(idempotencyKey);
        const count = seen.lastSeq - seen.firstSeq + 1;
        return { events: readEvents(sessionId, seen.firstSeq - 1, count), duplicate: true };
      });
    },

    async deleteSession(sessionId) {
      if (!current(sessionId)) return false;
      await plans.deleting(sessionId, () =>
        enqueue({ op: 'delete', sessionId }, () => {
          sessions.delete(sessionId);
          tails.drop(sessionId);
          emit({ kind: 'deleted', sessionId });
        }),
      );
      return true;
    },

    async readEvents(sessionId, { after, limit }) {
      if (!committed(sessionId)) throw sessionNotFound(sessionId);
      return readEvents(sessionId, after, limit);
    },

    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    health() {
      if (closed) return { ok: false, live: false, detail: 'closed' };
      if (failing) {
        return { ok: false, live: true, detail: `${failing.what}: writes failing since ${failing.since}` };
      }
      return { ok: true, live: true, detail: 'sqlite ok' };
    },

    async close() {
      if (closed) return;
      closed = true;
      await group.idle();
      clearInterval(probe);
      listeners.clear();
      await writer.close();
      parts.db.close();
      parts.onClose?.();
    },
  };
}
