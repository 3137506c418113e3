/** What the bench runs on each server, and for how long at most. */
export interface BenchPlan {
  /** A and B: subscribers on one session. */
  subscribers: number;
  /** A: up to `reps` runs, no new one once `budgetMs` went on A (a slow server gets fewer). */
  burst: { events: number; window: number; reps: number; capMs: number; budgetMs: number };
  /** B: events/s; one paced run per rate. */
  rates: number[];
  pacedSeconds: number;
  /** B and D: how long after the last publish deliveries may still come. */
  drainMs: number;
  idle: { subscribers: number; batch: number; settleMs: number };
  /** D: one viewer on each of `sessions` sessions, one event per second each. */
  spread: { sessions: number; seconds: number };
}

/** The full run (~6 minutes for all six servers) or `--quick` (a smoke run). */
export function benchPlan(opts: { quick: boolean; subscribers: number; idle: number }): BenchPlan {
  return {
    subscribers: opts.subscribers,
    burst: {
      events: 100,
      window: 4,
      reps: opts.quick ? 1 : 3,
      capMs: opts.quick ? 5_000 : 8_000,
      budgetMs: 16_000,
    },
    rates: [20, 50],
    pacedSeconds: opts.quick ? 2 : 5,
    drainMs: opts.quick ? 2_000 : 3_000,
    idle: { subscribers: opts.idle, batch: 200, settleMs: 2_000 },
    spread: { sessions: opts.subscribers, seconds: opts.quick ? 3 : 10 },
  };
}
