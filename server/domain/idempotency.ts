import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_RULE, isIdempotencyKey } from '../../shared/idempotencyKey.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';

/** What a store remembers of a keyed batch: what it was (by digest) and which seqs it got. */
export interface KeyedBatch {
  fingerprint: string;
  firstSeq: number;
  lastSeq: number;
}

/** A digest of a request's input, so a retry can be told from a different request under the same key. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}

/** Refuses a malformed key (stores are reachable in-process too, not only through the schemas). */
export function assertIdempotencyKey(key: string): void {
  if (!isIdempotencyKey(key))
    throw new LivetrailError('BAD_REQUEST', `idempotencyKey: ${IDEMPOTENCY_KEY_RULE}`);
}

/** The answer to a key reused for a different request. */
export function keyReused(key: string): LivetrailError {
  return new LivetrailError(
    'CONFLICT',
    `idempotencyKey: ${key} was already used for a different request; use a new key for new input`,
  );
}
