import type { StoredEvent } from '@livetrail/client';
import { type BatchRecord, eventText } from './failoverProducer.ts';
import { seqProblem, textOf } from './readAllEvents.ts';

/** What a failover run left behind, counted over every session. */
export interface FailoverTally {
  eventsAcked: number;
  /** Acknowledged events missing from the session after the run. */
  lost: number;
  /** Events stored more than once (same text at two seqs), counting each extra copy. */
  duplicated: number;
  /** Acknowledged events present, but not at the seq the acknowledgement named. */
  misplaced: number;
  /** Events of calls that reported an error yet were stored (allowed: the outcome was unknown). */
  storedThoughFailed: number;
  /** Per session: null when its seqs are 1..N, else the problem (or the read error). */
  seqProblems: string[];
  examples: string[];
}

/** Compares what producers were told with what each session holds. */
export function checkFailover(
  records: readonly BatchRecord[],
  stored: ReadonlyMap<string, readonly StoredEvent[] | Error>,
): FailoverTally {
  const t: FailoverTally = {
    eventsAcked: 0,
    lost: 0,
    duplicated: 0,
    misplaced: 0,
    storedThoughFailed: 0,
    seqProblems: [],
    examples: [],
  };
  const where = new Map<string, number[]>();
  for (const [sessionId, events] of stored) {
    if (events instanceof Error) {
      t.seqProblems.push(`session ${sessionId}: read failed: ${events.message}`);
      continue;
    }
    const problem = seqProblem(events);
    if (problem) t.seqProblems.push(`session ${sessionId}: ${problem}`);
    for (const e of events) {
      const key = `${sessionId} ${textOf(e)}`;
      where.set(key, [...(where.get(key) ?? []), e.seq]);
    }
  }
  for (const [key, seqs] of where) {
    if (seqs.length < 2) continue;
    t.duplicated += seqs.length - 1;
    if (t.examples.length < 5) t.examples.push(`duplicated: ${key} at seqs ${seqs.join(', ')}`);
  }
  for (const r of records) {
    for (let j = 0; j < r.size; j++) {
      const seqs = where.get(`${r.sessionId} ${eventText(r.batchId, j)}`);
      if (!r.ack) {
        if (seqs && r.error !== undefined) t.storedThoughFailed++;
        continue;
      }
      t.eventsAcked++;
      if (!seqs) {
        t.lost++;
        if (t.examples.length < 5)
          t.examples.push(
            `lost: ${eventText(r.batchId, j)} acknowledged at seq ${r.ack.seqs[j]} (${r.sessionId})`,
          );
      } else if (!seqs.includes(r.ack.seqs[j]!)) {
        t.misplaced++;
        if (t.examples.length < 5)
          t.examples.push(
            `misplaced: ${eventText(r.batchId, j)} acknowledged at seq ${r.ack.seqs[j]}, stored at ${seqs.join(', ')}`,
          );
      }
    }
  }
  return t;
}
