/** Every error code livetrail reports; 4xx-class are caller mistakes, UNAVAILABLE is ours. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
] as const;

export type LivetrailErrorCode = (typeof ERROR_CODES)[number];

/** The one coded error type of livetrail; the transport layer maps it to its own error shape. */
export class LivetrailError extends Error {
  readonly code: LivetrailErrorCode;

  constructor(code: LivetrailErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LivetrailError';
    this.code = code;
  }
}

/** Narrows an unknown thrown value to a LivetrailError. */
export function isLivetrailError(err: unknown): err is LivetrailError {
  return err instanceof LivetrailError;
}
