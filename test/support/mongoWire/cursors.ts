import { calculateObjectSize, Long } from 'bson';
import type { Doc } from './bsonValues.ts';
import type { ChangeStreamState } from './changeStreams.ts';
import { MAX_BATCH_BYTES } from './changeStreams.ts';
import { CommandError } from './commandError.ts';

/** A server-side cursor: a snapshot of query results, or an open change stream. */
export type Cursor =
  | { kind: 'find'; id: number; ns: string; docs: Doc[] }
  | { kind: 'changeStream'; id: number; ns: string; stream: ChangeStreamState; interrupt?: () => void };

type NewCursor =
  | { kind: 'find'; ns: string; docs: Doc[] }
  | { kind: 'changeStream'; ns: string; stream: ChangeStreamState };

/** Open cursors by id. Ids are never reused, so a getMore for a cursor lost in a restart gets CursorNotFound. */
export class CursorRegistry {
  private nextId = 1;
  private readonly cursors = new Map<number, Cursor>();

  /** Registers a cursor and returns it with its new id. */
  open(cursor: NewCursor): Cursor {
    const opened = { ...cursor, id: this.nextId++ } as Cursor;
    this.cursors.set(opened.id, opened);
    return opened;
  }

  /** The cursor with this id, or CursorNotFound (43). */
  get(id: number): Cursor {
    const cursor = this.cursors.get(id);
    if (!cursor) throw new CommandError(43, `cursor id ${id} not found`);
    return cursor;
  }

  /** Closes a cursor (interrupting a getMore waiting on it); false when it was not open. */
  kill(id: number): boolean {
    const cursor = this.cursors.get(id);
    if (!cursor) return false;
    this.cursors.delete(id);
    if (cursor.kind === 'changeStream') cursor.interrupt?.();
    return true;
  }

  /** Closes every cursor (a restarted mongod has none). */
  killAll(): void {
    for (const id of [...this.cursors.keys()]) this.kill(id);
  }

  /** How many change-stream cursors are open. */
  changeStreamCount(): number {
    return [...this.cursors.values()].filter((c) => c.kind === 'changeStream').length;
  }
}

/** Removes and returns the next batch: at most `limit` documents and about 16 MiB. */
export function takeBatch(docs: Doc[], limit: number): Doc[] {
  let bytes = 0;
  let n = 0;
  while (n < docs.length && n < limit && bytes < MAX_BATCH_BYTES) {
    bytes += calculateObjectSize(docs[n]!);
    n++;
  }
  return docs.splice(0, n);
}

/** A cursor reply; `id` 0 means the cursor is exhausted. Cursor ids are always Int64 on the wire. */
export function cursorReply(
  id: number,
  ns: string,
  field: 'firstBatch' | 'nextBatch',
  batch: Doc[],
  postBatchResumeToken?: Doc,
): Doc {
  const cursor: Doc = { [field]: batch };
  if (postBatchResumeToken) cursor.postBatchResumeToken = postBatchResumeToken;
  cursor.id = Long.fromNumber(id);
  cursor.ns = ns;
  return { cursor, ok: 1 };
}

/** A batch-size option as a count (absent or 0 for "no limit" only where MongoDB means that). */
export function batchLimit(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new CommandError(2, `batchSize must be non-negative, got ${String(value)}`);
  return n;
}
