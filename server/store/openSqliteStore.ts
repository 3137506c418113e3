import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { lockDataDir } from './dataDirLock.ts';
import type { EventStore } from './eventStore.ts';
import { JOURNAL_FILE } from './fileJournal.ts';
import { importJournal } from './importJournal.ts';
import { recoverDatabase } from './sqliteRecover.ts';
import { configure, DB_FILE, migrate } from './sqliteSchema.ts';
import { createSqliteStore, type SqliteStoreParts, type StoreLog } from './sqliteStore.ts';
import { startSqliteWriter, type WriterOptions } from './sqliteWriter.ts';

export interface OpenSqliteOptions {
  /** The data directory: holds livetrail.db, its WAL, and the writer lock. */
  dir: string;
  log: StoreLog & { warn(message: string): void };
  /** Start from a damaged database by keeping what is readable (LIVETRAIL_RECOVER=1). */
  recover?: boolean;
  writer?: WriterOptions;
  store?: Pick<SqliteStoreParts, 'now' | 'probeIntervalMs' | 'tailCacheBytes'>;
}

/** The database cannot be used as it is; the message says what to do. */
export class DamagedDatabaseError extends Error {
  constructor(path: string, problem: string) {
    super(
      `${path} is damaged (${problem}): restore a backup (npm run backup makes one), or start once with LIVETRAIL_RECOVER=1 to keep what is readable`,
    );
    this.name = 'DamagedDatabaseError';
  }
}

/**
 * Opens the embedded store in `dir`: takes the writer lock (a second server fails here), imports a
 * legacy journal.ndjson on first start, checks the database (`PRAGMA quick_check`) and refuses a
 * damaged one unless `recover`, migrates the schema, and starts the writer thread.
 */
export async function openSqliteStore(opts: OpenSqliteOptions): Promise<EventStore> {
  mkdirSync(opts.dir, { recursive: true });
  const lock = lockDataDir(opts.dir);
  let db: Database.Database | string | undefined;
  try {
    const path = join(opts.dir, DB_FILE);
    const journal = join(opts.dir, JOURNAL_FILE);
    if (!existsSync(path) && existsSync(journal)) await importJournal(journal, path, opts.log);
    else if (existsSync(journal)) {
      opts.log.warn(
        `${journal} is ignored: ${DB_FILE} exists (the journal was imported before, or move it away)`,
      );
    }
    db = checkedOpen(path);
    if (typeof db === 'string') {
      if (!opts.recover) throw new DamagedDatabaseError(path, db);
      opts.log.warn(`sqlite: ${path} is damaged (${db}); recovering what is readable`);
      const report = recoverDatabase(path, opts.log);
      opts.log.warn(`sqlite: recovered ${report.summary}; the damaged file is kept as ${report.damagedCopy}`);
      db = checkedOpen(path);
      if (typeof db === 'string') throw new DamagedDatabaseError(path, `still after recovery: ${db}`);
    }
    const reader = db;
    migrate(reader);
    const writer = await startSqliteWriter(path, opts.writer);
    return createSqliteStore({
      db: reader,
      writer,
      log: opts.log,
      onClose: () => lock.release(),
      ...opts.store,
    });
  } catch (err) {
    if (db && typeof db !== 'string') db.close();
    lock.release();
    throw err;
  }
}

/** Opens and checks the database; answers the problem instead when it is damaged. */
function checkedOpen(path: string): Database.Database | string {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    configure(db);
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((p) => p !== 'ok');
    if (problems.length === 0) return db;
    db.close();
    return `${problems.length} problem${problems.length === 1 ? '' : 's'}, first: ${problems[0]}`;
  } catch (err) {
    db?.close();
    const code = (err as { code?: string }).code ?? '';
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return (err as Error).message;
    throw err;
  }
}
