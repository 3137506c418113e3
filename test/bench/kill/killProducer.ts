import { performance } from 'node:perf_hooks';
import type { AgentEvent } from '@livetrail/client';
import { postTrpc } from './postTrpc.ts';

/** One batch a producer sent, and what became of it. */
export interface SentBatch {
  sessionId: string;
  /** Idempotency key, and the prefix of its events' texts (`<key>#<j> …`). */
  key: string;
  size: number;
  /** The answer: seqs and whether the key had already stored it (a retry after a kill). */
  ack?: { seqs: number[]; duplicate: boolean };
  /** Refused for good (4xx): should never happen here. */
  refused?: string;
  /** Times it was sent (1 = answered at the first try). */
  tries: number;
}

/** What all producers share: the server's current URL and the tallies. */
export interface ProducerContext {
  url: () => string;
  running: () => boolean;
  batches: SentBatch[];
  /** Unanswered tries by cause (ECONNREFUSED, ECONNRESET, 503 …). */
  failures: Map<string, number>;
  /** Calls in flight right now (read at each kill). */
  inFlight: { count: number };
  maxBatch: number;
  /** Each acknowledged call's latency, the retries included, ms. */
  latencies: number[];
}

/** A context with empty tallies, reading the server's URL and whether to go on from the caller. */
export function producerContext(
  url: () => string,
  running: () => boolean,
  maxBatch: number,
): ProducerContext {
  return { url, running, batches: [], failures: new Map(), inFlight: { count: 0 }, maxBatch, latencies: [] };
}

/** Pause between tries of a batch the server did not answer, ms. */
const RETRY_MS = 25;
/** Characters of each event's text. */
const TEXT_CHARS = 120;

export const eventText = (key: string, j: number) => `${key}#${j} `.padEnd(TEXT_CHARS, '·');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One producer: appends batches of 1..maxBatch thought events to `sessionId`, one call at a time,
 * each under its own idempotency key, until told to stop. A try without an answer (the server was
 * killed, is restarting) is resent with the same key and the same events until answered, so every
 * batch is acknowledged exactly once, unless refused for good.
 */
export async function runProducer(ctx: ProducerContext, sessionId: string, tag: string): Promise<void> {
  for (let n = 0; ctx.running(); n++) {
    const key = `${tag}-${n}`;
    const size = 1 + Math.floor(Math.random() * ctx.maxBatch);
    const events: AgentEvent[] = Array.from({ length: size }, (_, j) => ({
      type: 'thought',
      text: eventText(key, j),
    }));
    const batch: SentBatch = { sessionId, key, size, tries: 0 };
    ctx.batches.push(batch);
    const t0 = performance.now();
    for (;;) {
      batch.tries++;
      ctx.inFlight.count++;
      const out = await postTrpc<{ seqs: number[]; duplicate: boolean }>(ctx.url(), 'events.append', key, {
        sessionId,
        events,
      });
      ctx.inFlight.count--;
      if (out.ok) {
        batch.ack = { seqs: out.data.seqs, duplicate: out.data.duplicate };
        ctx.latencies.push(performance.now() - t0);
        break;
      }
      if (!out.retry) {
        batch.refused = out.why;
        break;
      }
      const cause = out.why.split(' ')[0]!;
      ctx.failures.set(cause, (ctx.failures.get(cause) ?? 0) + 1);
      await sleep(RETRY_MS);
    }
  }
}
