/**
 * A session's page in the web app, e.g. `http://127.0.0.1:3000/sessions/<id>`: the path the SPA routes
 * (client/state/sessionRoute.ts), on the server the demo talks to. Terminals make it clickable.
 */
export function sessionUrl(baseUrl: string, sessionId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/sessions/${encodeURIComponent(sessionId)}`;
}
