import type { IncomingHttpHeaders } from 'node:http';
import { IDEMPOTENCY_KEY_RULE, isIdempotencyKey } from '../../shared/idempotencyKey.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';

/**
 * The idempotency key of a write: from its input, or from the request's `Idempotency-Key` header
 * (for plain HTTP callers). A malformed header, or a header and an input key that disagree, is
 * BAD_REQUEST naming which.
 */
export function requestKey(inputKey: string | undefined, header: string | undefined): string | undefined {
  if (header === undefined) return inputKey;
  if (!isIdempotencyKey(header))
    throw new LivetrailError('BAD_REQUEST', `Idempotency-Key header: ${IDEMPOTENCY_KEY_RULE}`);
  if (inputKey !== undefined && inputKey !== header) {
    throw new LivetrailError(
      'BAD_REQUEST',
      'idempotencyKey: differs from the Idempotency-Key header; send one of them',
    );
  }
  return header;
}

/** The raw `Idempotency-Key` header; sent twice, it is joined, so it is refused as malformed. */
export function idempotencyKeyHeader(headers: IncomingHttpHeaders): string | undefined {
  const key = headers['idempotency-key'];
  return Array.isArray(key) ? key.join(',') : key;
}
