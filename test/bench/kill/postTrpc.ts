/** How one HTTP call to the server ended. */
export type CallOutcome<T> =
  | { ok: true; data: T }
  /** Worth retrying with the same key: no answer (connection refused/reset, timeout), 5xx or 429. */
  | { ok: false; retry: true; why: string }
  /** Refused for good (4xx): a retry would be refused too. */
  | { ok: false; retry: false; why: string };

/** Longest one call may take before it counts as unanswered. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * POSTs one tRPC mutation over plain HTTP (`/trpc/<path>`, JSON body, no batching) with an
 * `Idempotency-Key` header, and sorts the outcome: data, retryable, or refused.
 */
export async function postTrpc<T>(
  url: string,
  path: string,
  key: string,
  input: unknown,
): Promise<CallOutcome<T>> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${url}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, retry: true, why: cause ?? (err as Error).name };
  }
  if (res.ok) return { ok: true, data: (JSON.parse(text) as { result: { data: T } }).result.data };
  const retry = res.status >= 500 || res.status === 429;
  return { ok: false, retry, why: `${res.status} ${text.slice(0, 200)}` };
}
