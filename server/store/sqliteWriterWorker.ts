import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configure } from './sqliteSchema.ts';
import type { WriterReply, WriterRequest } from './sqliteWriter.ts';
import { prepareProbe, prepareWriter } from './sqliteWrites.ts';

/**
 * The writer thread: owns the one write connection, so commits (and their fsync, and WAL
 * checkpoints) never block the server's event loop.
 */
const { path, maxPageCount } = workerData as { path: string; maxPageCount?: number };
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
