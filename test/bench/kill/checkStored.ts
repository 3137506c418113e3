import type { StoredEvent } from '@livetrail/client';
import { seqProblem, textOf } from '../append/readAllEvents.ts';
import type { SentBatch } from './killProducer.ts';

/** What the store holds compared with what the producers were told. */
export interface KillCheck {
  batchesAcked: number;
  eventsAcked: number;
  /** Acknowledged as `duplicate`: stored before a kill, answered only on a retry. */
  batchesAckedDuplicate: number;
  batchesRefused: number;
  eventsStored: number;
  /** Events of acknowledged batches that are not stored. */
  lostEvents: number;
  /** Batches with some but not all of their events stored. */
  partialBatches: number;
  /** Extra copies of an event (the same text stored more than once). */
  duplicateEvents: number;
  /** Acknowledged events stored at another seq than the acknowledgement said. */
  misplacedEvents: number;
  /** Whole batches whose events are not at consecutive seqs. */
  splitBatches: number;
  /** Stored events no producer sent. */
  unknownEvents: number;
  /** Per session: events stored, the session's own lastSeq, and the seq problem (null: 1..N). */
  sessions: { sessionId: string; stored: number; lastSeq: number | undefined; seqs: string | null }[];
}

/** The batch key of an event text `<key>#<j> ···`. */
const parse = (text: string) => {
  const hash = text.lastIndexOf('#');
  return { key: text.slice(0, hash), j: Number.parseInt(text.slice(hash + 1), 10) };
};

/** Compares every session's stored events (in seq order) with the producers' batches. */
export function checkStored(
  batches: readonly SentBatch[],
  stored: ReadonlyMap<string, { events: StoredEvent[]; lastSeq: number | undefined }>,
): KillCheck {
  /** Seqs each event text was stored at, by batch key then position. */
  const where = new Map<string, number[][]>();
  const byKey = new Map(batches.map((b) => [b.key, b]));
  let unknownEvents = 0;
  let duplicateEvents = 0;
  let eventsStored = 0;
  const sessions: KillCheck['sessions'] = [];
  for (const [sessionId, { events, lastSeq }] of stored) {
    eventsStored += events.length;
    sessions.push({ sessionId, stored: events.length, lastSeq, seqs: seqProblem(events) });
    for (const e of events) {
      const { key, j } = parse(textOf(e) ?? '');
      const batch = byKey.get(key);
      if (!batch || batch.sessionId !== sessionId || !(j >= 0 && j < batch.size)) {
        unknownEvents++;
        continue;
      }
      let slots = where.get(key);
      if (!slots) {
        slots = Array.from({ length: batch.size }, () => []);
        where.set(key, slots);
      }
      if (slots[j]!.length > 0) duplicateEvents++;
      slots[j]!.push(e.seq);
    }
  }
  const check: KillCheck = {
    batchesAcked: 0,
    eventsAcked: 0,
    batchesAckedDuplicate: 0,
    batchesRefused: 0,
    eventsStored,
    lostEvents: 0,
    partialBatches: 0,
    duplicateEvents,
    misplacedEvents: 0,
    splitBatches: 0,
    unknownEvents,
    sessions,
  };
  for (const b of batches) {
    if (b.refused) check.batchesRefused++;
    const slots = where.get(b.key);
    const present = slots ? slots.filter((s) => s.length > 0).length : 0;
    if (present > 0 && present < b.size) check.partialBatches++;
    if (present === b.size) {
      const first = slots!.map((s) => s[0]!);
      if (first.some((seq, j) => seq !== first[0]! + j)) check.splitBatches++;
    }
    if (!b.ack) continue;
    check.batchesAcked++;
    check.eventsAcked += b.size;
    if (b.ack.duplicate) check.batchesAckedDuplicate++;
    for (let j = 0; j < b.size; j++) {
      const seqs = slots?.[j] ?? [];
      if (seqs.length === 0) check.lostEvents++;
      else if (!seqs.includes(b.ack.seqs[j]!)) check.misplacedEvents++;
    }
  }
  return check;
}
