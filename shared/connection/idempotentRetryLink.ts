import type { TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { newIdempotencyKey } from '../idempotencyKey.ts';
import { isRetryableError } from '../isRetryableError.ts';
import { retryOperation } from './retryOperation.ts';

/** The writes the server applies at most once per idempotency key. */
export const KEYED_MUTATIONS: ReadonlySet<string> = new Set([
  'events.append',
  'sessions.create',
  'sessions.sendMessage',
  'sessions.complete',
  'sessions.interrupt',
]);

/**
 * Writes a repeat of which changes nothing, so they are retried as they are, without a key. A retry
 * of a delete whose earlier try went through (only its answer was lost) answers NOT_FOUND: either
 * way the session is gone.
 */
export const REPEATABLE_MUTATIONS: ReadonlySet<string> = new Set(['sessions.delete']);

/** Options of `idempotentRetryLink`. */
export interface IdempotentRetryOptions {
  /** Tries after the first. @default 5 */
  maxRetries?: number;
  /** Pause before the n-th retry (0-based). @default full jitter from 250 ms, doubling, capped at 8 s */
  delayMs?: (attempt: number) => number;
}

/** Full jitter: anywhere from 0 to 250 ms·2^attempt, at most 8 s. */
export function retryJitterMs(attempt: number, random = Math.random()): number {
  return random * Math.min(8_000, 250 * 2 ** attempt);
}

/**
 * Makes the keyed writes safe to retry and retries them: a call without an `idempotencyKey` gets a
 * fresh one (once, before the first try), and a try that failed without a verdict on the request —
 * a network error, or a 5xx such as 503 during a failover — is sent again with the same key after a
 * jittered pause. The server stores the write once however many tries reached it, and answers a
 * repeat with the original result (`duplicate: true`). The repeatable writes (a delete) are retried
 * the same way, as they are. Other calls pass through untouched.
 */
export function idempotentRetryLink<TRouter extends AnyRouter>(
  opts: IdempotentRetryOptions = {},
): TRPCLink<TRouter> {
  const maxRetries = opts.maxRetries ?? 5;
  const delayMs = opts.delayMs ?? ((attempt: number) => retryJitterMs(attempt));
  return () =>
    ({ op, next }) => {
      const input = op.input as Record<string, unknown> | undefined;
      const waitMs = (err: unknown, retries: number) =>
        retries >= maxRetries || !isRetryableError(err) ? undefined : delayMs(retries);
      if (op.type === 'mutation' && REPEATABLE_MUTATIONS.has(op.path))
        return retryOperation(next, op, waitMs);
      if (op.type !== 'mutation' || !KEYED_MUTATIONS.has(op.path) || typeof input !== 'object' || !input) {
        return next(op);
      }
      const keyed =
        input.idempotencyKey === undefined
          ? { ...op, input: { ...input, idempotencyKey: newIdempotencyKey() } }
          : op;
      return retryOperation(next, keyed, waitMs);
    };
}
