import { randomBytes } from 'node:crypto';

/**
 * A fresh session id: 128 random bits, base64url (22 URL-safe characters), never starting with `-`
 * (an id like `-gX…` would read as an option to the CLI and most shell tools; the first character
 * then carries 5.98 random bits instead of 6).
 */
export function newSessionId(): string {
  const id = randomBytes(16).toString('base64url');
  return id.startsWith('-') ? `_${id.slice(1)}` : id;
}
