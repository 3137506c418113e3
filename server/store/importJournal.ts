import { renameSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { readJournal } from './fileJournal.ts';
import type { JournalRecord } from './journal.ts';
import { configure, migrate } from './sqliteSchema.ts';
import { prepareApply, type SqliteWrite } from './sqliteWrites.ts';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Imports the legacy NDJSON journal into a new database at `dbPath`, in one transaction, by the
 * journal's own replay rules (a batch for an unknown session or out of sequence is skipped with a
 * warning, a torn last line is left out). The database is built beside the target and renamed into
 * place only once committed, so a crash mid-import leaves the journal in charge and the next start
 * imports again. The journal is then renamed aside, never deleted.
 */
export async function importJournal(
  journalPath: string,
  dbPath: string,
  log: { info(message: string): void; warn(message: string): void },
): Promise<{ sessions: number; events: number; keptAs: string }> {
  const building = `${dbPath}.importing`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  const size = statSync(journalPath).size;
  log.info(`importing ${journalPath} (${mb(size)}) into ${basename(dbPath)}`);

  const db = new Database(building);
  configure(db);
  migrate(db);
  const apply = prepareApply(db);
  const sessions = new Map<string, Session>();
  const keys = new Set<string>();
  let events = 0;
  let reported = Date.now();

  function toWrite(record: JournalRecord): SqliteWrite | undefined {
    if (record.op === 'delete') {
      sessions.delete(record.sessionId);
      return { op: 'delete', sessionId: record.sessionId };
    }
    const key =
      record.key && record.fingerprint ? { key: record.key, fingerprint: record.fingerprint } : undefined;
    const slot = record.op === 'session' ? `create\u0000${key?.key}` : `${record.sessionId}\u0000${key?.key}`;
    const fresh = key && !keys.has(slot) ? key : undefined;
    if (fresh) keys.add(slot);
    if (record.op === 'session') {
      const session = initialSession(record.session);
      if (sessions.has(session.id)) return warnSkip(`session ${session.id} created twice`);
      sessions.set(session.id, session);
      const state = JSON.stringify(session);
      return {
        op: 'session',
        id: session.id,
        state,
        lastActivityAt: session.lastActivityAt,
        ...(fresh && { key: fresh }),
      };
    }
    let session = sessions.get(record.sessionId);
    if (!session) return warnSkip(`events for unknown session ${record.sessionId}`);
    for (const e of record.events) {
      if (e.seq !== session.lastSeq + 1)
        return warnSkip(`batch for ${record.sessionId} out of sequence at seq ${e.seq}`);
      session = reduceSession(session, e);
    }
    sessions.set(session.id, session);
    events += record.events.length;
    return {
      op: 'events',
      sessionId: session.id,
      events: record.events.map((e) => ({ seq: e.seq, json: JSON.stringify(e) })),
      state: JSON.stringify(session),
      lastActivityAt: session.lastActivityAt,
      ...(fresh && { key: fresh }),
    };
  }

  function warnSkip(what: string): undefined {
    log.warn(`journal import: ${what}, skipped`);
    return undefined;
  }

  db.exec('BEGIN');
  try {
    const { torn } = await readJournal(
      journalPath,
      (m) => log.warn(`journal import: ${m}`),
      (record, bytesRead) => {
        const write = toWrite(record);
        if (write) apply(write);
        if (Date.now() - reported >= 2_000) {
          reported = Date.now();
          log.info(
            `importing journal: ${mb(bytesRead)} of ${mb(size)} (${Math.floor((bytesRead / size) * 100)}%)`,
          );
        }
      },
    );
    if (torn.length > 0) log.warn(`journal import: torn last line (${torn.length} bytes) left out`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
    rmSync(building, { force: true });
    throw err;
  }
  db.close();
  renameSync(building, dbPath);
  const keptAs = `${journalPath}.imported-${Date.now()}`;
  renameSync(journalPath, keptAs);
  log.info(
    `imported ${sessions.size} sessions and ${events} events from ${basename(journalPath)} into ${basename(dbPath)}; the journal is kept as ${keptAs} (delete it once you no longer need it)`,
  );
  return { sessions: sessions.size, events, keptAs };
}
