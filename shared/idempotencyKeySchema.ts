import { z } from 'zod';
import { IDEMPOTENCY_KEY_RULE, KEY_PATTERN } from './idempotencyKey.ts';

/**
 * A client-chosen key that makes a write safe to retry: the same key with the same input is applied
 * once and answered with the original result; the same key with different input is CONFLICT.
 * (Apart from idempotencyKey.ts so that the web app's bundle has no zod.)
 */
export const idempotencyKeySchema = z.string().regex(KEY_PATTERN, IDEMPOTENCY_KEY_RULE);
