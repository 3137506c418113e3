import { LivetrailError } from '../../shared/livetrailError.ts';
import type { Session } from '../../shared/session.ts';
import type { SessionCursor } from '../store/eventStore.ts';

/**
 * The session list's order: most recently active first, ties by id descending, so every session
 * has exactly one place and pages never skip or repeat one.
 */
export function compareSessions(a: SessionCursor, b: SessionCursor): number {
  if (a.lastActivityAt !== b.lastActivityAt) return a.lastActivityAt > b.lastActivityAt ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/** The opaque `nextCursor` of `sessions.list`: where the page after `last` starts. */
export function encodeSessionCursor(last: Pick<Session, 'lastActivityAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([last.lastActivityAt, last.id])).toString('base64url');
}

const BAD_CURSOR = 'cursor: not a cursor from sessions.list (pass its nextCursor back unchanged)';

/** Reads a cursor back; anything not made by `encodeSessionCursor` is BAD_REQUEST. */
export function decodeSessionCursor(text: string): SessionCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new LivetrailError('BAD_REQUEST', BAD_CURSOR);
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'string' ||
    typeof value[1] !== 'string' ||
    Number.isNaN(Date.parse(value[0])) ||
    !/^[A-Za-z0-9_-]{1,64}$/.test(value[1])
  ) {
    throw new LivetrailError('BAD_REQUEST', BAD_CURSOR);
  }
  return { lastActivityAt: value[0], id: value[1] };
}
