// Messages the transports give when they know nothing more than that the connection failed.
const UNINFORMATIVE = new Set(['Unknown error', 'Initialization error']);
const UNREACHABLE = /failed to fetch|fetch failed|networkerror|load failed/i;

/**
 * A readable one-line message for anything thrown or reported by a client, for a person or a log
 * line: "could not reach the server" for the many ways fetch says so, `fallback` for messages that
 * say nothing (an EventSource error event carries no details at all).
 */
export function describeError(err: unknown, fallback = 'something went wrong'): string {
  const raw =
    err instanceof Error
      ? err.message
      : typeof err === 'string'
        ? err
        : typeof (err as { message?: unknown } | null | undefined)?.message === 'string'
          ? (err as { message: string }).message
          : '';
  const message = raw.split('\n')[0] ?? '';
  if (UNREACHABLE.test(message)) return 'could not reach the server';
  if (!message || UNINFORMATIVE.has(message)) return fallback;
  return message;
}

/** The most specific system error code (`ECONNREFUSED`) in an error's cause chain, if any. */
export function networkErrorCode(err: unknown): string | undefined {
  let code: string | undefined;
  for (let e = err as { cause?: unknown; code?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) code = e.code;
  }
  return code;
}
