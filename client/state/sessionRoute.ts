/** The path of a session's page: `/sessions/<id>`. */
export function sessionPath(sessionId: string): string {
  return `/sessions/${encodeURIComponent(sessionId)}`;
}

/** The session id in a `/sessions/<id>` path, or undefined for any other path. */
export function sessionIdFromPath(path: string): string | undefined {
  const match = /^\/sessions\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    // A malformed escape is just a path that names no session.
    return undefined;
  }
}
