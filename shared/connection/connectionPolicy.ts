/** Tunables of the reconnect policy. */
export interface ConnectionPolicy {
  /** Smallest backoff delay. @default 500 */
  floorMs: number;
  /** Largest backoff delay. @default 25000 */
  capMs: number;
  /** A connection that stays up this long resets the attempt counter. @default 5000 */
  stableAfterMs: number;
  /** Consecutive SSE failures that move an `auto` connection to WebSocket. @default 2 */
  sseFailuresBeforeFallback: number;
  /** After this long on WebSocket, an `auto` connection tries SSE again. @default 120000 */
  sseRetryAfterMs: number;
  /**
   * While the server does not answer, `GET /healthz` this often, and reconnect as soon as it
   * answers 200 (instead of waiting out the backoff). @default 1000
   */
  reachabilityProbeMs: number;
}

/** The default policy: full-jitter backoff between 0.5 s and 25 s, the server probed every second. */
export const DEFAULT_POLICY: ConnectionPolicy = {
  floorMs: 500,
  capMs: 25_000,
  stableAfterMs: 5_000,
  sseFailuresBeforeFallback: 2,
  sseRetryAfterMs: 120_000,
  reachabilityProbeMs: 1_000,
};

/** Full-jitter exponential backoff: uniform in [floor, min(cap, floor·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  random: number,
  policy: ConnectionPolicy = DEFAULT_POLICY,
): number {
  const ceiling = Math.min(policy.capMs, policy.floorMs * 2 ** Math.min(attempt, 16));
  return Math.round(policy.floorMs + random * (ceiling - policy.floorMs));
}
