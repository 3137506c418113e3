import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Held by the server that owns a data directory; SQLite locks it through the OS (fcntl). */
export const LOCK_FILE = 'livetrail.lock';
/** Who holds the lock, for the message a second server prints. Informational only. */
export const PID_FILE = 'livetrail.pid';

/** Another process (or another store in this one) owns the data directory. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `data directory ${dir} is in use by ${pid ? `another livetrail server (pid ${pid})` : 'another livetrail server'}: stop it, or set LIVETRAIL_DATA_DIR to another directory`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Takes the data directory's writer lock: an exclusive SQLite lock on `livetrail.lock`, held by an
 * open connection. The OS drops it when the process dies in any way (SIGKILL included), so there is
 * no stale lock to clean up; a live holder makes this throw DataDirInUseError at once.
 */
export function lockDataDir(dir: string): { release(): void } {
  const db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
  try {
    // No journal file beside the lock (better-sqlite3's defensive mode refuses journal_mode = OFF).
    db.pragma('journal_mode = MEMORY');
    // In exclusive locking mode the lock taken by the first write is kept until the connection closes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUseError(dir, holder(dir));
    throw err;
  }
  const pidFile = join(dir, PID_FILE);
  writeFileSync(pidFile, `${process.pid}\n`);
  return {
    release() {
      if (!db.open) return;
      rmSync(pidFile, { force: true });
      db.close();
    },
  };
}

function holder(dir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, PID_FILE), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
