import { performance } from 'node:perf_hooks';
import type { LivetrailClient } from '@livetrail/client';

/** One `events.append` call a producer made (the typed client keys it and retries it). */
export interface BatchRecord {
  sessionId: string;
  /** Unique per batch; event j of the batch has text `<batchId>#<j>`. */
  batchId: string;
  size: number;
  /** Acknowledged: the seqs the server answered, and whether it said `duplicate`. */
  ack?: { seqs: number[]; duplicate: boolean };
  /** Reached the caller as an error after the client's retries. */
  error?: string;
  ms: number;
}

export const eventText = (batchId: string, j: number) => `${batchId}#${j}`;

/**
 * A producer: appends keyed batches of 1–3 thought events (sizes cycle) to `sessionId`, one after
 * another, until `running()` is false; each call's outcome goes into `records`. A failed call is
 * not retried by the producer (the client already did); it moves on to a new batch.
 */
export async function produce(opts: {
  client: LivetrailClient;
  sessionId: string;
  tag: string;
  running: () => boolean;
  records: BatchRecord[];
}): Promise<void> {
  for (let n = 0; opts.running(); n++) {
    const batchId = `${opts.tag}-${n}`;
    const size = 1 + (n % 3);
    const events = Array.from({ length: size }, (_, j) => ({
      type: 'thought' as const,
      text: eventText(batchId, j),
    }));
    const record: BatchRecord = { sessionId: opts.sessionId, batchId, size, ms: 0 };
    opts.records.push(record);
    const t = performance.now();
    try {
      const { seqs, duplicate } = await opts.client.api.events.append.mutate({
        sessionId: opts.sessionId,
        events,
      });
      record.ack = { seqs, duplicate };
    } catch (err) {
      record.error = (err as Error).message;
    }
    record.ms = performance.now() - t;
  }
}
