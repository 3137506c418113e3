/** What answers at a URL: a livetrail server, something else, or nothing. */
export type ServerProbe =
  | { kind: 'livetrail'; ok: boolean; store: string }
  | { kind: 'other'; detail: string }
  | { kind: 'none' };

/**
 * Asks `${url}/healthz` who is there: a livetrail server answers `{ ok, live, detail, store }` (200,
 * or 503 while its store is down); anything else that answers is someone else's; no answer within
 * `timeoutMs` is nobody.
 */
export async function probeServer(url: string, timeoutMs = 1000): Promise<ServerProbe> {
  let res: Response;
  try {
    res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return { kind: 'none' };
  }
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { ok?: unknown; store?: unknown } | null;
    if (typeof body?.ok === 'boolean' && typeof body.store === 'string') {
      return { kind: 'livetrail', ok: body.ok, store: body.store };
    }
  } catch {}
  return { kind: 'other', detail: `HTTP ${res.status} ${text.slice(0, 80).replace(/\s+/g, ' ')}`.trim() };
}

/**
 * Why the demo agents could not write to the livetrail server at `url` with `token`, or undefined
 * when they can: its `/api/auth` says whether it has access control and what the token's role is.
 */
export async function agentAccessProblem(
  url: string,
  token: string | undefined,
): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/api/auth`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(2000),
    });
    const body = (await res.json()) as { auth?: unknown; role?: unknown };
    if (body.auth !== 'on' || body.role === 'agent' || body.role === 'admin') return undefined;
    if (!token) return `the server on ${url} has access control: set LIVETRAIL_TOKEN to an agent token`;
    return `the server on ${url} does not accept LIVETRAIL_TOKEN as an agent or admin token (role: ${String(body.role)})`;
  } catch {
    // The agents will say what goes wrong; the probe itself is only a courtesy.
    return undefined;
  }
}
