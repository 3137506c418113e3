import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { configure, migrate } from './sqliteSchema.ts';
import { prepareApply } from './sqliteWrites.ts';

const PAGE = 500;

/** Runs `read`; a damaged page answers `fallback` instead of an error. */
function tryRead<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * Rebuilds a damaged database from what can still be read, and swaps it in (the damaged file is kept
 * beside it). Per session it keeps the longest readable gap-free run of events from seq 1 and
 * recomputes the session from them. A session that lost events is marked `recovered` with the range
 * that was lost, so every subscriber resuming from inside it is reset — seqs are handed out again
 * from the kept end, but never silently to someone who saw the lost ones. Idempotency keys of kept
 * batches are kept; the rest are dropped (a retry of a lost batch stores it again).
 */
export function recoverDatabase(
  path: string,
  log: { warn(message: string): void },
): { summary: string; damagedCopy: string } {
  const building = `${path}.recovering`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  const old = new Database(path, { fileMustExist: true });
  const out = new Database(building);
  configure(out);
  migrate(out);
  const apply = prepareApply(out);
  const at = new Date().toISOString();

  const states = new Map<string, Partial<Session>>();
  tryRead(() => {
    for (const row of old
      .prepare<[], { id: string; state: string }>('SELECT id, state FROM sessions')
      .iterate()) {
      states.set(
        row.id,
        tryRead<Partial<Session>>(() => JSON.parse(row.state) as Session, {}),
      );
    }
  }, undefined);
  tryRead(() => {
    for (const row of old
      .prepare<[], { id: string }>('SELECT DISTINCT session_id AS id FROM events')
      .iterate()) {
      if (!states.has(row.id)) states.set(row.id, {});
    }
  }, undefined);
  const readPage = old.prepare<[string, number], { event: string }>(
    `SELECT event FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ${PAGE}`,
  );
  const readOne = old.prepare<[string, number], { event: string }>(
    'SELECT event FROM events WHERE session_id = ? AND seq = ?',
  );
  const maxSeq = old.prepare<[string], { m: number | null }>(
    'SELECT MAX(seq) AS m FROM events WHERE session_id = ?',
  );
  const keys = old.prepare<
    [string],
    { key: string; fingerprint: string; first_seq: number; last_seq: number }
  >('SELECT key, fingerprint, first_seq, last_seq FROM batch_keys WHERE session_id = ?');
  const createKey = old.prepare<[string], { key: string; fingerprint: string }>(
    'SELECT key, fingerprint FROM create_keys WHERE session_id = ?',
  );
  const insertKey = out.prepare(
    'INSERT INTO batch_keys (session_id, key, fingerprint, first_seq, last_seq) VALUES (?, ?, ?, ?, ?)',
  );

  let kept = 0;
  let affected = 0;
  out.transaction(() => {
    for (const [id, known] of states) {
      const events: StoredEvent[] = [];
      /** Takes rows while they continue the run; false at the first that does not. */
      const take = (rows: { event: string }[]) => {
        for (const row of rows) {
          const event = tryRead(() => JSON.parse(row.event) as StoredEvent, undefined);
          if (event?.seq !== events.length + 1) return false;
          events.push(event);
        }
        return true;
      };
      for (;;) {
        const rows = tryRead(() => readPage.all(id, events.length), undefined);
        if (rows) {
          if (!take(rows) || rows.length < PAGE) break;
          continue;
        }
        // A damaged page within this page's range: one event at a time, up to the damage.
        const start = events.length;
        while (events.length < start + PAGE) {
          const one = tryRead(() => readOne.get(id, events.length + 1), undefined);
          if (!one || !take([one])) break;
        }
        if (events.length < start + PAGE) break;
      }
      let session = initialSession({
        id,
        title: typeof known.title === 'string' ? known.title : '(recovered session)',
        agent: typeof known.agent === 'string' ? known.agent : 'unknown',
        createdAt: typeof known.createdAt === 'string' ? known.createdAt : (events[0]?.ts ?? at),
      });
      const keyRows = tryRead(() => keys.all(id), []);
      const highest = Math.max(
        events.length,
        typeof known.lastSeq === 'number' ? known.lastSeq : 0,
        tryRead(() => maxSeq.get(id)?.m ?? 0, 0),
        Number(known.recovered?.lostThrough) || 0,
        ...keyRows.map((k) => k.last_seq),
      );
      for (const e of events) session = reduceSession(session, e);
      if (highest > events.length) {
        session = { ...session, recovered: { keptThrough: events.length, lostThrough: highest, at } };
        affected++;
        log.warn(
          `recover: session ${id} keeps its first ${events.length} events; events ${events.length + 1}–${highest} were lost`,
        );
      }
      const created = tryRead(() => createKey.get(id), undefined);
      const state = JSON.stringify(session);
      apply({
        op: 'session',
        id,
        state,
        lastActivityAt: session.lastActivityAt,
        ...(created && { key: created }),
      });
      for (let i = 0; i < events.length; i += PAGE) {
        const page = events.slice(i, i + PAGE);
        apply({
          op: 'events',
          sessionId: id,
          events: page.map((e) => ({ seq: e.seq, json: JSON.stringify(e) })),
          state,
          lastActivityAt: session.lastActivityAt,
        });
      }
      for (const k of keyRows) {
        if (k.last_seq <= events.length) insertKey.run(id, k.key, k.fingerprint, k.first_seq, k.last_seq);
      }
      kept += events.length;
    }
  })();
  old.close();
  out.close();
  const damagedCopy = `${path}.damaged-${Date.now()}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, damagedCopy + suffix);
  }
  renameSync(building, path);
  return {
    summary: `${states.size} sessions and ${kept} events (${affected} session${affected === 1 ? '' : 's'} lost events and will reset their viewers)`,
    damagedCopy,
  };
}
