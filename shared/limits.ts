/** Hard limits on what clients may send; enforced on the server, mirrored in the schemas. */
export const LIMITS = {
  /** Largest serialized single event, in bytes. */
  eventBytes: 256 * 1024,
  /**
   * Largest serialized batch, in bytes: well under MongoDB's 16 MiB document limit (a batch is one
   * document there), on every store alike.
   */
  batchBytes: 4 * 1024 * 1024,
  /** Most sessions in one `sessions.list` page. */
  sessionPage: 500,
  /** Most events in one `events.append` batch. */
  batchEvents: 1000,
  /** Longest text field (message, thought, error, summary), in characters. */
  textChars: 100_000,
  /**
   * Most messages one session may be streaming at once (`message_start` without its end yet). A
   * streamed message's whole text is held to `textChars`, so its compacted form is a valid message.
   */
  openMessages: 16,
  /** Largest HTTP request body or WebSocket message, in bytes. */
  bodyBytes: 2 * 1024 * 1024,
  /** Longest title, agent name, tool name or call id. */
  nameChars: 200,
  /**
   * Deepest nesting of tool args and output, counted in containers: a scalar alone is depth 0,
   * `{}` or `[]` is 1, `{"a":[]}` is 2.
   */
  jsonDepth: 64,
  /** Largest `usd` of one cost event, so that a session's running total stays finite. */
  costUsdPerEvent: 1_000_000,
  /** Most input or output tokens in one cost event, so that session totals stay exact for millions of events. */
  tokensPerEvent: 1_000_000_000,
} as const;
