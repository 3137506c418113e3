/** The characters and length of an idempotency key. */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** What a key must look like, said the same way wherever one is refused. */
export const IDEMPOTENCY_KEY_RULE = 'must be 1–128 of A–Z a–z 0–9 _ -';

/** Whether `value` is a well-formed idempotency key. */
export function isIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && KEY_PATTERN.test(value);
}

/**
 * A fresh random key (128 bits, base64url). Uses `getRandomValues`, which browsers also offer on
 * plain-HTTP pages, where `randomUUID` is missing.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
