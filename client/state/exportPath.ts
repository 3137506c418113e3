/** Where the server serves a session as NDJSON (`GET /api/sessions/:id/export.ndjson`). */
export function exportPath(sessionId: string): string {
  return `/api/sessions/${encodeURIComponent(sessionId)}/export.ndjson`;
}
