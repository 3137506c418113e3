import { randomBytes } from 'node:crypto';
import { isLivetrailError, type LivetrailErrorCode } from '../shared/livetrailError.ts';
import type { Logger } from './logger.ts';

/** A short id that ties a client's error message to the log line with the details. */
export function newErrorRef(): string {
  return randomBytes(6).toString('base64url');
}

/** What a client may be told about a failure. */
export interface PublicError {
  code: LivetrailErrorCode | 'INTERNAL';
  message: string;
}

/**
 * The stable text a client gets for `err`. Caller mistakes (4xx LivetrailErrors) keep their message,
 * which we wrote and which names the field. Storage trouble and anything unexpected become a fixed
 * message with a ref; the details (driver messages, addresses, stacks) go to the log under that ref.
 */
export function publicError(err: unknown, log: Logger | undefined, where: string): PublicError {
  if (isLivetrailError(err) && err.code !== 'UNAVAILABLE') return { code: err.code, message: err.message };
  const ref = newErrorRef();
  if (isLivetrailError(err)) {
    log?.warn({ ref, where, detail: err.message, err: err.cause }, 'storage unavailable');
    return { code: 'UNAVAILABLE', message: `storage unavailable (ref ${ref})` };
  }
  log?.error({ ref, where, err }, 'internal error');
  return { code: 'INTERNAL', message: `internal error (ref ${ref})` };
}
