import { createTally } from './createTally.ts';

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Delivery numbers of one phase. */
export interface DeliverySummary {
  sent: number;
  delivered: number;
  /** Appended (or still in flight) but not seen by the follower in time. */
  lost: number;
  /** Appends the server refused or that failed, by status or error. */
  failed: string;
  failedCount: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Pairs the publisher's sends with the follower's receipts by event text, one tracker per phase, so
 * that a straggler from an earlier phase is not counted in the next one.
 */
export function createDeliveryTracker() {
  const sentAt = new Map<string, number>();
  const delivered = new Set<string>();
  const latencies: number[] = [];
  const failed = createTally();
  return {
    sent(text: string, at: number): void {
      sentAt.set(text, at);
    },
    received(text: string, at: number): void {
      const t = sentAt.get(text);
      if (t === undefined || delivered.has(text)) return;
      delivered.add(text);
      latencies.push(at - t);
    },
    failed(reason: string): void {
      failed.add(reason);
    },
    outstanding(): number {
      return sentAt.size - delivered.size - failed.total();
    },
    summary(): DeliverySummary {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        sent: sentAt.size,
        delivered: delivered.size,
        lost: Math.max(0, sentAt.size - delivered.size - failed.total()),
        failed: failed.format(),
        failedCount: failed.total(),
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? Number.NaN,
      };
    },
  };
}

/** A tracker made by `createDeliveryTracker`. */
export type DeliveryTracker = ReturnType<typeof createDeliveryTracker>;
