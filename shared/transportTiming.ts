/**
 * Every timing the transports agree on, server and clients alike, with the rules that bind them
 * (checked by `transportTimingProblems`, which a unit test runs):
 * - `ssePingMs` < `sseInactivityMs`: the server pings an idle stream before the client gives up on it
 *   (tRPC refuses to start otherwise).
 * - `connectWindowMs` > `ssePingMs`: a connect attempt waits longer than one ping interval, or a
 *   healthy but quiet stream behind a proxy would be mistaken for a buffering one.
 * - `wsPongWaitMs` < `wsPingMs`: a dead WebSocket is found before the next ping is due.
 */
export const TRANSPORT_TIMING = {
  /** The server sends an SSE ping when a stream has been idle this long. */
  ssePingMs: 5_000,
  /** An SSE stream silent this long is considered stalled and reconnected. */
  sseInactivityMs: 12_000,
  /** A client attempt that is not open after this long counts as failed (queued or buffered). */
  connectWindowMs: 6_000,
  /** The server pings each WebSocket this often… */
  wsPingMs: 10_000,
  /** …and drops it if no pong comes back within this long. */
  wsPongWaitMs: 5_000,
} as const;

/** The rules above that `timing` breaks, one line each (empty when all hold). */
export function transportTimingProblems(timing: Record<keyof typeof TRANSPORT_TIMING, number>): string[] {
  const problems: string[] = [];
  if (!(timing.ssePingMs < timing.sseInactivityMs)) problems.push('ssePingMs must be below sseInactivityMs');
  if (!(timing.connectWindowMs > timing.ssePingMs)) problems.push('connectWindowMs must exceed ssePingMs');
  if (!(timing.wsPongWaitMs < timing.wsPingMs)) problems.push('wsPongWaitMs must be below wsPingMs');
  return problems;
}
