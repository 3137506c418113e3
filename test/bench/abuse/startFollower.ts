import { performance } from 'node:perf_hooks';
import { EventSource } from 'eventsource';

/** The well-behaved follower of the bench. */
export interface Follower {
  /** Resolves when the stream is open. */
  opened: Promise<void>;
  /** `error` events so far (each is a drop that EventSource reconnects from). */
  readonly errors: number;
  close(): void;
}

/**
 * Follows a session over the plain SSE route with `eventsource` (sending the viewer's bearer token
 * through its `fetch` option) and reports each `assistant_message` text with the time it arrived,
 * taken before parsing so that the follower's own JSON work is not counted as server latency.
 */
export function startFollower(opts: {
  url: string;
  sessionId: string;
  token: string;
  onEvent: (text: string, at: number) => void;
}): Follower {
  const authorization = `Bearer ${opts.token}`;
  const es = new EventSource(`${opts.url}/api/sessions/${opts.sessionId}/events/stream?from=0`, {
    fetch: (u, init) => fetch(u, { ...init, headers: { ...init?.headers, authorization } }),
  });
  let errors = 0;
  es.addEventListener('error', () => {
    errors++;
  });
  es.addEventListener('assistant_message', (e) => {
    const at = performance.now();
    opts.onEvent((JSON.parse(e.data) as { text: string }).text, at);
  });
  const opened = new Promise<void>((resolve) => es.addEventListener('open', () => resolve(), { once: true }));
  return {
    opened,
    get errors() {
      return errors;
    },
    close: () => es.close(),
  };
}
