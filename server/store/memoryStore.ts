import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { newSessionId } from '../domain/newSessionId.ts';
import { planAppend } from '../domain/planAppend.ts';
import type { EventStore, StoreChange } from './eventStore.ts';
import type { Journal, JournalRecord } from './journal.ts';

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
}

interface Pending {
  record: JournalRecord;
  commit: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The embedded store: sessions and events in memory, optionally journaled. Writes are group-committed:
 * appends arriving while a journal write is in flight are planned against the not-yet-durable state
 * (`tentative`), written together, and only then become visible and reach watchers.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): EventStore {
  const { journal, warn = () => {}, now = () => new Date() } = options;
  const committed = new Map<string, Entry>();
  const tentative = new Map<string, Session>();
  const listeners = new Set<(change: StoreChange) => void>();
  let pending: Pending[] = [];
  let flushing = false;
  let closed = false;

  for (const record of options.initial ?? []) replay(record);

  function replay(record: JournalRecord): void {
    if (record.op === 'session') {
      committed.set(record.session.id, { session: initialSession(record.session), events: [] });
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
  }

  function emit(change: StoreChange): void {
    for (const listener of listeners) listener(change);
  }

  function current(sessionId: string): Session | undefined {
    return tentative.get(sessionId) ?? committed.get(sessionId)?.session;
  }

  function enqueue(record: JournalRecord, commit: () => void): Promise<void> {
    if (closed) return Promise.reject(new LivetrailError('UNAVAILABLE', 'store is closed'));
    if (!journal) {
      commit();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      pending.push({ record, commit, resolve, reject });
      if (!flushing) void flush(journal);
    });
  }

  async function flush(j: Journal): Promise<void> {
    flushing = true;
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        await j.write(group.map((p) => p.record));
      } catch (cause) {
        // Later appends were planned on top of this group's state: they fail with it.
        const failed = [...group, ...pending];
        pending = [];
        tentative.clear();
        const err = new LivetrailError('UNAVAILABLE', 'storage unavailable: journal write failed', { cause });
        for (const p of failed) p.reject(err);
        break;
      }
      for (const p of group) {
        p.commit();
        p.resolve();
      }
    }
    flushing = false;
  }

  return {
    kind: options.kind ?? 'memory',

    async createSession({ title, agent }) {
      const meta = { id: newSessionId(), title, agent, createdAt: now().toISOString() };
      const session = initialSession(meta);
      tentative.set(session.id, session);
      await enqueue({ op: 'session', session: meta }, () => {
        committed.set(session.id, { session, events: [] });
        if (tentative.get(session.id) === session) tentative.delete(session.id);
        emit({ kind: 'session', session });
      });
      return session;
    },

    async getSession(sessionId) {
      return committed.get(sessionId)?.session;
    },

    async listSessions() {
      return [...committed.values()]
        .map((e) => e.session)
        .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
    },

    async append(sessionId: string, events: AgentEvent[]) {
      const session = current(sessionId);
      if (!session) throw sessionNotFound(sessionId);
      const plan = planAppend(session, events, now().toISOString());
      tentative.set(sessionId, plan.session);
      await enqueue({ op: 'events', sessionId, events: plan.events }, () => {
        const entry = committed.get(sessionId)!;
        entry.events.push(...plan.events);
        entry.session = plan.session;
        if (tentative.get(sessionId) === plan.session) tentative.delete(sessionId);
        emit({ kind: 'events', sessionId, events: plan.events });
        emit({ kind: 'session', session: plan.session });
      });
      return plan.events;
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
      while (flushing) await new Promise((r) => setTimeout(r, 5));
      listeners.clear();
      await journal?.close();
    },
  };
}
