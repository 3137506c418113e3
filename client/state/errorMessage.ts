// Messages the transports give when they know nothing more than that the connection failed.
const UNINFORMATIVE = new Set(['Unknown error', 'Initialization error']);
const UNREACHABLE = /failed to fetch|fetch failed|networkerror|load failed/i;

/**
 * A readable one-line message for anything thrown or reported by the client; `fallback` stands in
 * for messages that say nothing (an EventSource error event carries no details at all).
 */
export function errorMessage(err: unknown, fallback = 'something went wrong'): string {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  if (UNREACHABLE.test(message)) return 'could not reach the server';
  if (!message || UNINFORMATIVE.has(message)) return fallback;
  return message;
}
