import { sessionIdSchema } from '../../shared/session.ts';

/**
 * A session id from a URL path segment (the plain SSE route, the export route): percent-decoded,
 * then checked like every procedure's `sessionId`. The error is the 400's message, naming the field.
 */
export function parseSessionIdParam(raw: string): { id: string } | { error: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { error: 'sessionId: malformed percent-encoding' };
  }
  const id = sessionIdSchema.safeParse(decoded);
  return id.success ? { id: id.data } : { error: `sessionId: ${id.error.issues[0]!.message}` };
}
