import type { Document } from 'bson';

const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  4: 'NoSuchKey',
  6: 'HostUnreachable',
  7: 'HostNotFound',
  9: 'FailedToParse',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  28: 'PathNotViable',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  50: 'MaxTimeMSExpired',
  64: 'WriteConcernFailed',
  52: 'DollarPrefixedFieldName',
  53: 'InvalidIdField',
  59: 'CommandNotFound',
  63: 'StaleShardVersion',
  66: 'ImmutableField',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  89: 'NetworkTimeout',
  91: 'ShutdownInProgress',
  112: 'WriteConflict',
  133: 'FailedToSatisfyReadPreference',
  150: 'StaleEpoch',
  189: 'PrimarySteppedDown',
  225: 'TransactionTooOld',
  234: 'RetryChangeStream',
  237: 'CursorKilled',
  238: 'NotImplemented',
  216: 'ElectionInProgress',
  251: 'NoSuchTransaction',
  260: 'InvalidResumeToken',
  262: 'ExceededTimeLimit',
  280: 'ChangeStreamFatalError',
  286: 'ChangeStreamHistoryLost',
  352: 'UnsupportedOpQueryCommand',
  9001: 'SocketException',
  10107: 'NotWritablePrimary',
  11000: 'DuplicateKey',
  11600: 'InterruptedAtShutdown',
  11601: 'Interrupted',
  11602: 'InterruptedDueToReplStateChange',
  13388: 'StaleConfig',
  13435: 'NotPrimaryNoSecondaryOk',
  13436: 'NotPrimaryOrSecondary',
};

/** MongoDB's codeName for a numeric error code (`Location<code>` for codes without a registered name). */
export function codeNameOf(code: number): string {
  return CODE_NAMES[code] ?? `Location${code}`;
}

/** Codes a retryable write may be retried after (the server labels them `RetryableWriteError`). */
export const RETRYABLE_WRITE_CODES: ReadonlySet<number> = new Set([
  6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
]);

/**
 * Codes mongod labels `ResumableChangeStreamError` when a change stream's aggregate or getMore fails
 * with them (retriable, network and retargeting errors). CursorNotFound is not among them: the
 * driver resumes after it by itself.
 */
export const RESUMABLE_CHANGE_STREAM_CODES: ReadonlySet<number> = new Set([
  6, 7, 63, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436,
]);

/** Codes mongod labels `NonResumableChangeStreamError`, on any command. */
export const NON_RESUMABLE_CHANGE_STREAM_CODES: ReadonlySet<number> = new Set([280, 286]);

/** A command failure answered as `{ok: 0, code, codeName, errmsg, ...extra}`. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Document = {},
  ) {
    super(message);
    this.name = 'CommandError';
  }

  /** The reply document MongoDB sends for this error. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: codeNameOf(this.code), ...this.extra };
  }
}

/** Builds an error reply for any thrown value; non-command errors become InternalError (1). */
export function errorReply(err: unknown): Document {
  if (err instanceof CommandError) return err.toReply();
  const message = err instanceof Error ? err.message : String(err);
  return new CommandError(1, `mongo wire test server: ${message}`).toReply();
}
