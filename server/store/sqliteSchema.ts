import type { Database } from 'better-sqlite3';

/** The database file inside the data directory. */
export const DB_FILE = 'livetrail.db';

/**
 * Schema versions, oldest first: migration `i` takes the database from version `i` to `i + 1`.
 * Append only — a released migration is never edited.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    -- The whole derived Session as JSON, rewritten with every batch.
    state TEXT NOT NULL,
    last_activity_at TEXT NOT NULL
  ) WITHOUT ROWID;
  -- listSessions: most recently active first, ties by id descending, paged by (time, id).
  CREATE INDEX sessions_by_activity ON sessions (last_activity_at DESC, id DESC);

  CREATE TABLE events (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    -- The StoredEvent as JSON, exactly as delivered.
    event TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
  );

  -- Idempotency keys of appends: a retry answers the original seqs.
  CREATE TABLE batch_keys (
    session_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (session_id, key)
  ) WITHOUT ROWID;

  -- Idempotency keys of session creation.
  CREATE TABLE create_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    session_id TEXT NOT NULL
  ) WITHOUT ROWID;
  -- deleteSession removes a session's creation key.
  CREATE INDEX create_keys_by_session ON create_keys (session_id);

  -- Scratch space: while writes fail, a probe writes and removes a row here to see when they can
  -- succeed again (needs free space like a real append would).
  CREATE TABLE write_probe (data BLOB);
  `,
];

/** The version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to SCHEMA_VERSION, each step in its own transaction. A database written by a
 * newer livetrail is refused rather than guessed at.
 */
export function migrate(db: Database): { from: number; to: number } {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare<[], { version: number }>('SELECT version FROM schema_version').get();
  const from = row?.version ?? 0;
  if (from > SCHEMA_VERSION) {
    throw new Error(
      `${DB_FILE} has schema version ${from}, newer than this livetrail (${SCHEMA_VERSION}): upgrade livetrail`,
    );
  }
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.exec('DELETE FROM schema_version');
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
    })();
  }
  return { from, to: SCHEMA_VERSION };
}

/**
 * Connection settings every livetrail connection uses. WAL lets readers run beside the writer;
 * `synchronous = FULL` makes a commit durable (the WAL is fsynced) before it returns.
 */
export function configure(db: Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
}
