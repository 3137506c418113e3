import type { StoredEvent } from '@livetrail/client';
import type { EventStore } from '../../../server/store/eventStore.ts';

const PAGE = 1_000;

/** Every stored event of a session, read back a page at a time with `readEvents`. */
export async function readAllEvents(store: EventStore, sessionId: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (;;) {
    const page = await store.readEvents(sessionId, { after: all.at(-1)?.seq ?? 0, limit: PAGE });
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

/** Where `events` (in read order) break from 1, 2, 3 …: null when gap-free, else the first problem. */
export function seqProblem(events: readonly StoredEvent[]): string | null {
  for (let i = 0; i < events.length; i++) {
    const seq = events[i]!.seq;
    if (seq === i + 1) continue;
    const prev = i === 0 ? 0 : events[i - 1]!.seq;
    if (seq === prev) return `seq ${seq} stored twice (read positions ${i} and ${i + 1}, from 1)`;
    if (seq > prev + 1) {
      const missing = seq - 1 === prev + 1 ? `seq ${seq - 1}` : `seqs ${prev + 1}..${seq - 1}`;
      return `gap: ${missing} missing (next stored is ${seq})`;
    }
    return `out of order: seq ${seq} after ${prev}`;
  }
  return null;
}

/** The text of an event that has one (thought, message, error), else undefined. */
export function textOf(event: StoredEvent): string | undefined {
  return 'text' in event ? event.text : 'message' in event ? event.message : undefined;
}
