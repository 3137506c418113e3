import type { ConnectionState } from '../../shared/connection/connectionState.ts';

/**
 * Whether the live connection failed because the server refused this browser's token (missing,
 * expired or revoked) — a sign-in fixes that. FORBIDDEN is not this: the token is fine, its role is not.
 */
export function isUnauthorizedFailure(s: ConnectionState): boolean {
  return s.status === 'failed' && s.error.startsWith('UNAUTHORIZED');
}
