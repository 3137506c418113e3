import { TRPCClientError } from '@trpc/client';

/**
 * Whether a failed call is worth trying again: the server never answered (a network error, not a
 * TRPCClientError with a status) or answered 5xx. A 4xx is the server's verdict on the request
 * itself — except 429, which `rateLimitWaitMs` (connection/rateLimitRetryLink.ts) handles.
 */
export function isRetryableError(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return true;
  const status = (err.data as { httpStatus?: number } | null | undefined)?.httpStatus;
  return status === undefined || status >= 500;
}
