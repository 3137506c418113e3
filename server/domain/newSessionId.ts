import { randomBytes } from 'node:crypto';

/** A fresh session id: 128 random bits, base64url (22 URL-safe characters). */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}
