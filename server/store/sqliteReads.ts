import type { Database } from 'better-sqlite3';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import type { KeyedBatch } from '../domain/idempotency.ts';
import type { SessionCursor } from './eventStore.ts';
import { rememberEventJson } from './storedJson.ts';

/** Every query the SQLite store makes, prepared once; each is served by an index (see sqliteSchema). */
export function prepareReads(db: Database) {
  const session = db.prepare<[string], { state: string }>('SELECT state FROM sessions WHERE id = ?');
  const allSessions = db.prepare<[], { state: string }>(
    'SELECT state FROM sessions ORDER BY last_activity_at DESC, id DESC',
  );
  const firstPage = db.prepare<[number], { state: string }>(
    'SELECT state FROM sessions ORDER BY last_activity_at DESC, id DESC LIMIT ?',
  );
  // (time, id) < cursor in the list's order: strictly after it, so pages never repeat a session.
  const pageAfter = db.prepare<[string, string, number], { state: string }>(
    `SELECT state FROM sessions WHERE (last_activity_at, id) < (?, ?)
     ORDER BY last_activity_at DESC, id DESC LIMIT ?`,
  );
  const events = db.prepare<[string, number, number], { event: string }>(
    'SELECT event FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const batchKey = db.prepare<[string, string], { fingerprint: string; first_seq: number; last_seq: number }>(
    'SELECT fingerprint, first_seq, last_seq FROM batch_keys WHERE session_id = ? AND key = ?',
  );
  const createKey = db.prepare<[string], { fingerprint: string; session_id: string }>(
    'SELECT fingerprint, session_id FROM create_keys WHERE key = ?',
  );
  const parseState = (row: { state: string }) => JSON.parse(row.state) as Session;

  return {
    session(id: string): Session | undefined {
      const row = session.get(id);
      return row && parseState(row);
    },
    sessions(page?: { limit: number; after?: SessionCursor }): Session[] {
      if (!page) return allSessions.all().map(parseState);
      const { after, limit } = page;
      const rows = after ? pageAfter.all(after.lastActivityAt, after.id, limit) : firstPage.all(limit);
      return rows.map(parseState);
    },
    events(sessionId: string, after: number, limit: number): StoredEvent[] {
      return events.all(sessionId, after, limit).map((r) => {
        const event = JSON.parse(r.event) as StoredEvent;
        rememberEventJson(event, r.event);
        return event;
      });
    },
    batchKey(sessionId: string, key: string): KeyedBatch | undefined {
      const row = batchKey.get(sessionId, key);
      return row && { fingerprint: row.fingerprint, firstSeq: row.first_seq, lastSeq: row.last_seq };
    },
    createKey(key: string): { fingerprint: string; sessionId: string } | undefined {
      const row = createKey.get(key);
      return row && { fingerprint: row.fingerprint, sessionId: row.session_id };
    },
  };
}

export type SqliteReads = ReturnType<typeof prepareReads>;
