import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { configure } from './sqliteSchema.ts';
import type { WriterReply, WriterRequest } from './sqliteWriter.ts';
import { prepareProbe, prepareWriter } from './sqliteWrites.ts';

/**
 * The writer thread: owns the one write connection, so commits (and their fsync, and WAL
 * checkpoints) never block the server's event loop. It runs as one bundled CommonJS string (see
 * sqliteWriter.ts), so the driver is loaded from the writer module's own location.
 */
const { path, maxPageCount, from } = workerData as { path: string; maxPageCount?: number; from: string };
const Database = createRequire(from)('better-sqlite3') as typeof BetterSqlite3;
const db = new Database(path);
configure(db);
if (maxPageCount !== undefined) db.pragma(`max_page_count = ${maxPageCount}`);
const writeGroup = prepareWriter(db);
const probe = prepareProbe(db);

parentPort!.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply = { id: request.id, ok: true };
  try {
    if (request.type === 'write') writeGroup(request.writes);
    else probe();
  } catch (err) {
    const e = err as Error & { code?: string };
    reply = { id: request.id, ok: false, code: e.code ?? 'ERROR', message: e.message };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ id: 0, ok: true } satisfies WriterReply);
