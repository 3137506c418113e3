import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../../server/store/sqliteSchema.ts';

/** Sizes of a data directory's files and what checking the database costs. */
export interface DatabaseCheck {
  dbBytes: number;
  walBytes: number;
  /** `PRAGMA quick_check` (what openSqliteStore runs at every start), ms. */
  quickCheckMs: number;
  /** `PRAGMA integrity_check` (also checks indexes against tables), ms. */
  integrityCheckMs: number;
  /** Both answered `ok`. */
  ok: boolean;
}

const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/**
 * Opens `dir`'s database on a connection of its own (no server may be running: nothing else holds
 * it) and times the two checks, each once. The OS page cache is as the seeding left it (warm).
 */
export function checkDatabase(dir: string): DatabaseCheck {
  const path = join(dir, DB_FILE);
  const dbBytes = size(path);
  const walBytes = size(`${path}-wal`);
  const db = new Database(path, { fileMustExist: true });
  try {
    const timed = (pragma: string) => {
      const t = performance.now();
      const rows = db.pragma(pragma) as Record<string, string>[];
      return { ms: performance.now() - t, ok: rows.length === 1 && Object.values(rows[0]!)[0] === 'ok' };
    };
    const quick = timed('quick_check');
    const full = timed('integrity_check');
    return { dbBytes, walBytes, quickCheckMs: quick.ms, integrityCheckMs: full.ms, ok: quick.ok && full.ok };
  } finally {
    db.close();
  }
}
