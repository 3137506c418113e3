import type { StoredEvent } from '../../shared/agentEvent.ts';

interface Tail {
  events: StoredEvent[];
  bytes: number[];
  size: number;
}

/**
 * The newest events of the most recently written sessions, so a reconnecting viewer's catch-up (and
 * a new viewer of a live session) is served from memory. Bounded in bytes overall and in events per
 * session; least recently written sessions go first. A tail is always the session's true tail:
 * committed batches are added in seq order, and a session whose tail was evicted starts a new one.
 */
export function createTailCache(opts: { maxBytes: number; maxEventsPerSession: number }) {
  const tails = new Map<string, Tail>();
  let total = 0;

  function trim(tail: Tail): void {
    let drop = 0;
    while (tail.events.length - drop > opts.maxEventsPerSession) {
      tail.size -= tail.bytes[drop]!;
      total -= tail.bytes[drop]!;
      drop++;
    }
    if (drop > 0) {
      tail.events.splice(0, drop);
      tail.bytes.splice(0, drop);
    }
  }

  function drop(sessionId: string): void {
    const tail = tails.get(sessionId);
    if (!tail) return;
    tails.delete(sessionId);
    total -= tail.size;
  }

  return {
    /** Adds a committed batch (`bytes[i]` is the size of `events[i]`). */
    add(sessionId: string, events: readonly StoredEvent[], bytes: readonly number[]): void {
      const tail = tails.get(sessionId) ?? { events: [], bytes: [], size: 0 };
      tails.delete(sessionId);
      tails.set(sessionId, tail);
      tail.events.push(...events);
      tail.bytes.push(...bytes);
      for (const b of bytes) tail.size += b;
      for (const b of bytes) total += b;
      trim(tail);
      for (const [id, oldest] of tails) {
        if (total <= opts.maxBytes || id === sessionId) break;
        tails.delete(id);
        total -= oldest.size;
      }
      if (total > opts.maxBytes) drop(sessionId);
    },

    /** Events after `after` (at most `limit`) when the tail holds all of them, else undefined. */
    read(sessionId: string, after: number, limit: number): StoredEvent[] | undefined {
      const tail = tails.get(sessionId);
      const first = tail?.events[0];
      if (!tail || !first || after < first.seq - 1) return undefined;
      const start = after - (first.seq - 1);
      return tail.events.slice(start, start + limit);
    },

    drop,

    /** Bytes held, for tests. */
    bytes: () => total,
  };
}

export type TailCache = ReturnType<typeof createTailCache>;
