import type { Database } from 'better-sqlite3';

/**
 * One change the SQLite writer makes. Everything is serialized by the store beforehand, so the writer
 * only binds strings (and a structured clone to the writer thread copies no object graphs).
 */
export type SqliteWrite =
  | {
      op: 'session';
      id: string;
      /** The new session's state as JSON. */
      state: string;
      lastActivityAt: string;
      key?: { key: string; fingerprint: string };
    }
  | {
      op: 'events';
      sessionId: string;
      /** Each event's seq and its JSON. */
      events: { seq: number; json: string }[];
      /** The session's state after the batch, as JSON. */
      state: string;
      lastActivityAt: string;
      key?: { key: string; fingerprint: string };
    }
  | { op: 'delete'; sessionId: string };

/**
 * Prepares the statements once and returns the group writer: all of `writes` in one transaction,
 * so a group is durable as a whole or not at all. Throws SQLite's error (with its `code`, e.g.
 * SQLITE_FULL) after rolling back.
 */
export function prepareWriter(db: Database): (writes: readonly SqliteWrite[]) => void {
  const apply = prepareApply(db);
  return db.transaction((writes: readonly SqliteWrite[]) => {
    for (const w of writes) apply(w);
  });
}

/** One write's statements, inside whatever transaction the caller has open. */
export function prepareApply(db: Database): (write: SqliteWrite) => void {
  const insertSession = db.prepare('INSERT INTO sessions (id, state, last_activity_at) VALUES (?, ?, ?)');
  const updateSession = db.prepare('UPDATE sessions SET state = ?, last_activity_at = ? WHERE id = ?');
  const insertEvent = db.prepare('INSERT INTO events (session_id, seq, event) VALUES (?, ?, ?)');
  const insertBatchKey = db.prepare(
    'INSERT INTO batch_keys (session_id, key, fingerprint, first_seq, last_seq) VALUES (?, ?, ?, ?, ?)',
  );
  const insertCreateKey = db.prepare(
    'INSERT INTO create_keys (key, fingerprint, session_id) VALUES (?, ?, ?)',
  );
  const deletes = [
    db.prepare('DELETE FROM events WHERE session_id = ?'),
    db.prepare('DELETE FROM batch_keys WHERE session_id = ?'),
    db.prepare('DELETE FROM create_keys WHERE session_id = ?'),
    db.prepare('DELETE FROM sessions WHERE id = ?'),
  ];

  function apply(w: SqliteWrite): void {
    switch (w.op) {
      case 'session':
        insertSession.run(w.id, w.state, w.lastActivityAt);
        if (w.key) insertCreateKey.run(w.key.key, w.key.fingerprint, w.id);
        return;
      case 'events': {
        // The store queues a delete after every append planned before it, and plans no append
        // after it: a session missing here is a bug, and the whole group fails rather than orphan events.
        if (updateSession.run(w.state, w.lastActivityAt, w.sessionId).changes === 0) {
          throw new Error(`events for session ${w.sessionId}, which is not stored`);
        }
        for (const e of w.events) insertEvent.run(w.sessionId, e.seq, e.json);
        if (w.key) {
          const first = w.events[0]!.seq;
          const last = w.events.at(-1)!.seq;
          insertBatchKey.run(w.sessionId, w.key.key, w.key.fingerprint, first, last);
        }
        return;
      }
      case 'delete':
        for (const statement of deletes) statement.run(w.sessionId);
        return;
    }
  }

  return apply;
}

/** A write that needs free space like an append, and leaves nothing behind. */
export function prepareProbe(db: Database): () => void {
  const add = db.prepare('INSERT INTO write_probe (data) VALUES (zeroblob(65536))');
  const remove = db.prepare('DELETE FROM write_probe');
  return db.transaction(() => {
    add.run();
    remove.run();
  });
}
