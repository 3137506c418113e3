import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { buildSync } from 'esbuild';
import { configure } from './sqliteSchema.ts';
import { prepareProbe, prepareWriter, type SqliteWrite } from './sqliteWrites.ts';

/** The one writer of a livetrail database. */
export interface SqliteWriter {
  /** Commits `writes` in one transaction (durable when it resolves); rejects with a SqliteWriteError. */
  write(writes: SqliteWrite[]): Promise<void>;
  /** Tries a small write that needs free space; rejects like `write` while storage is failing. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** A failed commit: SQLite's result code (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`, …) and message. */
export class SqliteWriteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SqliteWriteError';
  }
}

export type WriterRequest =
  | { type: 'write'; id: number; writes: SqliteWrite[] }
  | { type: 'probe'; id: number }
  | { type: 'close' };
export type WriterReply = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

export interface WriterOptions {
  /**
   * `thread` (default) commits on a worker thread, so an fsync never blocks the event loop;
   * `inline` commits on the calling thread (tests that inject faults into the connection).
   */
  mode?: 'thread' | 'inline';
  /** SQLite's `max_page_count`: makes the database "full" at that size, for disk-full tests. */
  maxPageCount?: number;
}

/** Starts the writer for the database at `path` (already migrated). */
export async function startSqliteWriter(path: string, options: WriterOptions = {}): Promise<SqliteWriter> {
  return options.mode === 'inline' ? inlineWriter(path, options) : threadWriter(path, options);
}

function inlineWriter(path: string, options: WriterOptions): SqliteWriter {
  const db = new Database(path);
  configure(db);
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
  const writeGroup = prepareWriter(db);
  const probe = prepareProbe(db);
  const run = async (f: () => void) => {
    try {
      f();
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new SqliteWriteError(e.code ?? 'ERROR', e.message);
    }
  };
  return {
    write: (writes) => run(() => writeGroup(writes)),
    probe: () => run(probe),
    async close() {
      db.close();
    },
  };
}

let bundled: string | undefined;

/**
 * The writer thread's code: sqliteWriterWorker.ts and what it imports, bundled once per process
 * by esbuild into one CommonJS string. A worker does not inherit tsx's loader on Node 20, and
 * registering tsx inside it costs a second loader thread (~400 ms and ~30 MiB per start).
 */
function workerSource(): string {
  bundled ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./sqliteWriterWorker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return bundled;
}

async function threadWriter(path: string, options: WriterOptions): Promise<SqliteWriter> {
  const worker = new Worker(workerSource(), {
    eval: true,
    workerData: { path, maxPageCount: options.maxPageCount, from: import.meta.url },
  });
  const waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;

  const settleAll = (err: Error) => {
    dead = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    waiting.set(0, { resolve, reject });
    worker.on('message', (reply: WriterReply) => {
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.ok) w?.resolve();
      else w?.reject(new SqliteWriteError(reply.code, reply.message));
    });
    worker.on('error', (err) =>
      settleAll(new SqliteWriteError('WRITER_DIED', `writer thread failed: ${err.message}`)),
    );
    worker.on('exit', () => settleAll(new SqliteWriteError('WRITER_CLOSED', 'writer thread exited')));
  });

  const send = (request: Exclude<WriterRequest, { type: 'close' }>) =>
    new Promise<void>((resolve, reject) => {
      if (dead) return reject(dead);
      waiting.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  return {
    write: (writes) => send({ type: 'write', id: nextId++, writes }),
    probe: () => send({ type: 'probe', id: nextId++ }),
    async close() {
      if (dead) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ type: 'close' } satisfies WriterRequest);
      await exited;
    },
  };
}
