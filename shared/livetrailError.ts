/** Every error code livetrail reports; 4xx-class are caller mistakes, UNAVAILABLE is ours. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'UNAVAILABLE',
] as const;

export type LivetrailErrorCode = (typeof ERROR_CODES)[number];

/** The one coded error type of livetrail; the transport layer maps it to its own error shape. */
export class LivetrailError extends Error {
  readonly code: LivetrailErrorCode;
  /** For RATE_LIMITED: how long to wait before trying again. */
  readonly retryAfterMs?: number;

  constructor(
    code: LivetrailErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'LivetrailError';
    this.code = code;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Narrows an unknown thrown value to a LivetrailError. */
export function isLivetrailError(err: unknown): err is LivetrailError {
  return err instanceof LivetrailError;
}

/** The one NOT_FOUND error for a session id, naming the field like every input error. */
export function sessionNotFound(sessionId: string): LivetrailError {
  return new LivetrailError('NOT_FOUND', `sessionId: no session ${sessionId}`);
}
