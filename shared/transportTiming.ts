/** Timings shared by the server's SSE producer and the clients' stall detection. */
export const TRANSPORT_TIMING = {
  /** The server sends an SSE ping when a stream has been idle this long. */
  ssePingMs: 5_000,
  /** An SSE stream silent this long is considered stalled and reconnected. */
  sseInactivityMs: 12_000,
} as const;
