import { describeError } from '../../shared/describeError.ts';

/** The tRPC error code a client error carries in `data.code`. */
function errorCode(err: unknown): unknown {
  return (err as { data?: { code?: unknown } } | null)?.data?.code;
}

/** Why a message was not sent, readable after "Not sent:"; refusals of the token say what would work. */
export function sendErrorMessage(err: unknown): string {
  const code = errorCode(err);
  if (code === 'FORBIDDEN') return 'your token may not send messages (viewer or admin role needed)';
  if (code === 'UNAUTHORIZED')
    return 'the server no longer accepts your sign-in — reload the page to sign in again';
  return describeError(err);
}
