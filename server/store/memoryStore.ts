import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { assertIdempotencyKey, fingerprint, type KeyedBatch, keyReused } from '../domain/idempotency.ts';
import { newSessionId } from '../domain/newSessionId.ts';
import { planAppend } from '../domain/planAppend.ts';
import { compareSessions } from '../domain/sessionCursor.ts';
import type { AppendResult, EventStore, StoreChange } from './eventStore.ts';
import { createGroupCommit, createSlots } from './groupCommit.ts';
import type { Journal, JournalRecord } from './journal.ts';
import { createPlannedSessions } from './plannedSessions.ts';

/** Options of the in-process store. */
export interface MemoryStoreOptions {
  /** @default 'memory' */
  kind?: string;
  /** Makes every change durable before it is acknowledged; none = volatile. */
  journal?: Journal;
  /** Records to start from (a journal's contents); inconsistent batches are skipped with a warning. */
  initial?: JournalRecord[];
  warn?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
}

interface Entry {
  session: Session;
  events: StoredEvent[];
  /** The idempotency keys of this session's batches. */
  keys: Map<string, KeyedBatch>;
}

/** What a creation key remembers: the digest of its input and the session it made. */
interface CreateKey {
  fingerprint: string;
  sessionId: string;
}

/**
 * The embedded store: sessions and events in memory, optionally journaled. Writes are group-committed:
 * appends arriving while a journal write is in flight are planned against the not-yet-durable state
 * (`plannedSessions.ts`), written together, and only then become visible and reach watchers.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): EventStore {
  const { journal, warn = () => {}, now = () => new Date() } = options;
  const committed = new Map<string, Entry>();
  const plans = createPlannedSessions();
  const createKeys = new Map<string, CreateKey>();
  /** Keyed writes, one at a time per key: a retry under the same key waits for the first. */
  const once = createSlots();
  const listeners = new Set<(change: StoreChange) => void>();
  // A failed write fails every append planned on top of it: their tentative state goes too.
  const group =
    journal &&
    createGroupCommit<JournalRecord>(
      (records) => journal.write(records),
      () => plans.clear(),
    );
  let closed = false;

  for (const record of options.initial ?? []) replay(record);

  function replay(record: JournalRecord): void {
    if (record.op === 'delete') {
      forget(record.sessionId);
      return;
    }
    if (record.op === 'session') {
      committed.set(record.session.id, {
        session: initialSession(record.session),
        events: [],
        keys: new Map(),
      });
      if (record.key && record.fingerprint) {
        createKeys.set(record.key, { fingerprint: record.fingerprint, sessionId: record.session.id });
      }
      return;
    }
    const entry = committed.get(record.sessionId);
    if (!entry) {
      warn(`journal: events for unknown session ${record.sessionId} skipped`);
      return;
    }
    let session = entry.session;
    for (const e of record.events) {
      if (e.seq !== session.lastSeq + 1) {
        warn(`journal: batch for ${record.sessionId} out of sequence at seq ${e.seq}, skipped`);
        return;
      }
      session = reduceSession(session, e);
    }
    entry.events.push(...record.events);
    entry.session = session;
    if (record.key && record.fingerprint) remember(entry, record.key, record.fingerprint, record.events);
  }

  function forget(sessionId: string): void {
    committed.delete(sessionId);
    for (const [key, seen] of createKeys) if (seen.sessionId === sessionId) createKeys.delete(key);
  }

  function remember(entry: Entry, key: string, fp: string, events: StoredEvent[]): void {
    entry.keys.set(key, { fingerprint: fp, firstSeq: events[0]!.seq, lastSeq: events.at(-1)!.seq });
  }

  async function create(
    input: { title: string; agent: string },
    key?: { key: string; fingerprint: string },
  ): Promise<Session> {
    const meta = {
      id: newSessionId(),
      title: input.title,
      agent: input.agent,
      createdAt: now().toISOString(),
    };
    const session = initialSession(meta);
    plans.planned(session);
    await enqueue({ op: 'session', session: meta, ...key }, () => {
      committed.set(session.id, { session, events: [], keys: new Map() });
      if (key) createKeys.set(key.key, { fingerprint: key.fingerprint, sessionId: session.id });
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
    plans.planned(plan.session);
    await enqueue({ op: 'events', sessionId, events: plan.events, ...key }, () => {
      const entry = committed.get(sessionId)!;
      entry.events.push(...plan.events);
      entry.session = plan.session;
      if (key) remember(entry, key.key, key.fingerprint, plan.events);
      plans.committed(plan.session);
      emit({ kind: 'events', sessionId, events: plan.events });
      emit({ kind: 'session', session: plan.session });
    });
    return plan.events;
  }

  function emit(change: StoreChange): void {
    for (const listener of listeners) listener(change);
  }

  function current(sessionId: string): Session | undefined {
    return plans.current(sessionId, () => committed.get(sessionId)?.session);
  }

  function enqueue(record: JournalRecord, commit: () => void): Promise<void> {
    if (closed) return Promise.reject(new LivetrailError('UNAVAILABLE', 'store is closed'));
    if (!group) {
      commit();
      return Promise.resolve();
    }
    return group.enqueue(record, commit);
  }

  return {
    kind: options.kind ?? 'memory',

    async createSession({ title, agent, idempotencyKey }) {
      if (idempotencyKey === undefined) return create({ title, agent });
      assertIdempotencyKey(idempotencyKey);
      const fp = fingerprint({ title, agent });
      return once(`create\u0000${idempotencyKey}`, async () => {
        const seen = createKeys.get(idempotencyKey);
        if (!seen) return create({ title, agent }, { key: idempotencyKey, fingerprint: fp });
        if (seen.fingerprint !== fp) throw keyReused(idempotencyKey);
        return committed.get(seen.sessionId)!.session;
      });
    },

    async getSession(sessionId) {
      return committed.get(sessionId)?.session;
    },

    async listSessions(page) {
      const all = [...committed.values()].map((e) => e.session).sort(compareSessions);
      if (!page) return all;
      const { after } = page;
      const start = after ? all.findIndex((s) => compareSessions(s, after) > 0) : 0;
      return start === -1 ? [] : all.slice(start, start + page.limit);
    },

    append: (sessionId, events) => appendBatch(sessionId, events),

    async appendOnce(sessionId, events, idempotencyKey): Promise<AppendResult> {
      assertIdempotencyKey(idempotencyKey);
      const fp = fingerprint(events);
      return once(`${sessionId}\u0000${idempotencyKey}`, async () => {
        const entry = committed.get(sessionId);
        const seen = entry?.keys.get(idempotencyKey);
        if (!seen) {
          const stored = await appendBatch(sessionId, events, { key: idempotencyKey, fingerprint: fp });
          return { events: stored, duplicate: false };
        }
        if (seen.fingerprint !== fp) throw keyReused(idempotencyKey);
        return { events: entry!.events.slice(seen.firstSeq - 1, seen.lastSeq), duplicate: true };
      });
    },

    async deleteSession(sessionId) {
      if (!current(sessionId)) return false;
      // Later appends find no session; those already queued are written first, then deleted.
      await plans.deleting(sessionId, () =>
        enqueue({ op: 'delete', sessionId }, () => {
          forget(sessionId);
          emit({ kind: 'deleted', sessionId });
        }),
      );
      return true;
    },

    async readEvents(sessionId, { after, limit }) {
      const entry = committed.get(sessionId);
      if (!entry) throw sessionNotFound(sessionId);
      // seq n lives at index n-1: the array is gap-free by construction.
      return entry.events.slice(Math.max(0, after), Math.max(0, after) + limit);
    },

    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    health() {
      return closed
        ? { ok: false, live: false, detail: 'closed' }
        : { ok: true, live: true, detail: journal ? 'journal ok' : 'in memory (volatile)' };
    },

    async close() {
      closed = true;
      await group?.idle();
      listeners.clear();
      await journal?.close();
    },
  };
}
