import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { isLivetrailError, LivetrailError } from '../../shared/livetrailError.ts';

/** MongoDB's duplicate-key error code. */
export const DUPLICATE_KEY = 11000;

/** Whether a driver error is a unique-index violation. */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoError && err.code === DUPLICATE_KEY;
}

/**
 * Maps a driver error to livetrail's: unreachable or failing storage is UNAVAILABLE (5xx-class, so
 * streaming clients retry), with a message that says storage is the problem.
 */
export function toStoreError(err: unknown): LivetrailError {
  if (isLivetrailError(err)) return err;
  if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) {
    return new LivetrailError('UNAVAILABLE', `storage unavailable: MongoDB unreachable (${err.message})`, {
      cause: err,
    });
  }
  // Anything else escaping the driver (a server error, or a socket error it did not wrap, such as a
  // bare ECONNRESET) is still a storage problem from the caller's point of view.
  const e = err as { code?: unknown; message?: string } | undefined;
  const code = e?.code === undefined ? '' : `${String(e.code)} `;
  return new LivetrailError(
    'UNAVAILABLE',
    `storage unavailable: MongoDB error ${code}(${e?.message ?? String(err)})`,
    {
      cause: err,
    },
  );
}

/** Server codes that mean "this member is not (or no longer) a writable primary". */
const NOT_PRIMARY_CODES = new Set([10107, 13435, 13436, 189, 91, 11600, 11602]);

/**
 * Whether a failed write stored nothing because no writable primary was reachable (an election,
 * a stepdown, a restart), so that trying again once one is elected is right. Network errors are
 * included: their outcome is unknown, which callers resolve by checking before they write again.
 */
export function isNoWritablePrimary(err: unknown): boolean {
  if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) return true;
  if (!(err instanceof MongoError)) return false;
  if (typeof err.code === 'number' && NOT_PRIMARY_CODES.has(err.code)) return true;
  return err.hasErrorLabel('RetryableWriteError');
}
