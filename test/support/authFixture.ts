import type { TokenEntry } from '../../server/config.ts';

/** One token per role, as a test server's LIVETRAIL_TOKENS would configure them. */
export const TEST_TOKENS = {
  admin: 'test-admin-token-0000001',
  agent: 'test-agent-token-0000001',
  viewer: 'test-viewer-token-000001',
} as const;

/** `TEST_TOKENS` as parsed config entries. */
export const TEST_TOKEN_ENTRIES: TokenEntry[] = (['admin', 'agent', 'viewer'] as const).map((role) => ({
  role,
  token: TEST_TOKENS[role],
  label: `${role}#1`,
}));

/** `TEST_TOKENS` as the LIVETRAIL_TOKENS variable of a server process. */
export const TEST_TOKENS_ENV = TEST_TOKEN_ENTRIES.map((t) => `${t.role}:${t.token}`).join(',');

/** Authorization headers for a token, or none. */
export function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** What a raw HTTP call to a tRPC procedure answered. */
export interface CallOutcome {
  status: number;
  /** The tRPC error code (`UNAUTHORIZED`…) when it failed. */
  code?: string;
  message?: string;
  body: unknown;
}

/** Calls a query (GET) or mutation (POST) over plain HTTP, the way curl or another language would. */
export async function callProcedure(
  baseUrl: string,
  kind: 'query' | 'mutation',
  path: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<CallOutcome> {
  const res =
    kind === 'query'
      ? await fetch(
          `${baseUrl}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
          { headers },
        )
      : await fetch(`${baseUrl}/trpc/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(input),
        });
  const body = (await res.json().catch(() => undefined)) as
    | { error?: { message?: string; data?: { code?: string } } }
    | undefined;
  return { status: res.status, code: body?.error?.data?.code, message: body?.error?.message, body };
}

/**
 * Opens an SSE stream with fetch and reads until its first meaningful frame: a data frame (the
 * subscription is serving) or a `serialized-error` (it was refused). Returns the outcome and closes.
 */
export async function firstSseFrame(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<{ status: number; kind: 'data' | 'error' | 'none'; code?: string; text: string }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
    if (!res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      return { status: res.status, kind: 'none', text: await res.text() };
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      for (const frame of text.split('\n\n').slice(0, -1)) {
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event === 'serialized-error' || event === 'error') {
          const code = (JSON.parse(data ?? '{}') as { data?: { code?: string } }).data?.code;
          return { status: res.status, kind: 'error', code, text };
        }
        if (data !== undefined && event !== 'connected') return { status: res.status, kind: 'data', text };
      }
    }
    return { status: res.status, kind: 'none', text };
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
