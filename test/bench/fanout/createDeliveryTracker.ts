import { eventText, phaseMarker, readSentAt } from './eventText.ts';

let phases = 0;

/**
 * Counts one phase's deliveries across every subscriber (and keeps each one's publish→delivery
 * latency); frames of other phases, pings and control frames do not carry the phase's marker and
 * are ignored. Each tracker is a new phase.
 */
export function createDeliveryTracker() {
  const phase = ++phases;
  const marker = phaseMarker(phase);
  const latencies: number[] = [];
  const sentAts: number[] = [];
  let delivered = 0;
  let lastAt = 0;
  let waiting: { count: number; resolve: () => void } | undefined;
  return {
    /** The text of an event of this phase sent at `sentAt` (performance.now()). */
    eventText: (sentAt: number) => eventText(phase, sentAt),
    /** `text` is a whole SSE frame, a WebSocket message or a Socket.IO event's text; `at` its arrival. */
    received(text: string, at: number): void {
      const sentAt = readSentAt(text, marker);
      if (sentAt === undefined) return;
      delivered++;
      lastAt = at;
      latencies.push(at - sentAt);
      sentAts.push(sentAt);
      if (waiting && delivered >= waiting.count) waiting.resolve();
    },
    /** Resolves true once `count` deliveries arrived, false if `deadline` (performance.now()) comes first. */
    waitFor(count: number, deadline: number): Promise<boolean> {
      if (delivered >= count) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
        waiting = {
          count,
          resolve: () => {
            clearTimeout(timer);
            waiting = undefined;
            resolve(true);
          },
        };
      });
    },
    get delivered() {
      return delivered;
    },
    /** performance.now() of the latest delivery (0 before the first). */
    get lastAt() {
      return lastAt;
    },
    /** Every delivery's latency, in arrival order (the array itself: sorting it is the caller's call). */
    latencies: () => latencies,
    /** The median latency of the deliveries of events sent in [from, to). */
    medianSentBetween(from: number, to: number): number | null {
      const picked = latencies
        .filter((_, i) => sentAts[i]! >= from && sentAts[i]! < to)
        .sort((a, b) => a - b);
      return picked.length === 0 ? null : picked[Math.floor(picked.length / 2)]!;
    },
  };
}

/** A tracker made by `createDeliveryTracker`. */
export type DeliveryTracker = ReturnType<typeof createDeliveryTracker>;
