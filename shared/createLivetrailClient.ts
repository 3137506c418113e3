import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import type { AppRouter } from '../server/routers/_app.ts';

/** The subscription transports: SSE over HTTP, or WebSocket on the same port at /ws. */
export type Transport = 'sse' | 'ws';

/** Options of `createLivetrailClient`. */
export interface LivetrailClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:3000` (in a browser, `location.origin`). */
  url: string;
  /** Which transport carries subscriptions. @default 'sse' */
  transport?: Transport;
  /** EventSource class, for runtimes without a global one (Node 20: the `eventsource` package). */
  EventSource?: unknown;
  /** WebSocket class, for runtimes without a global one (Node 20: the `ws` package). */
  WebSocket?: unknown;
  /** Delay before resubscribing after the n-th failure (0-based). @default full jitter, 0.5 s–20 s */
  retryDelayMs?: (attempt: number) => number;
}

/** A typed livetrail client and the function that closes its connections. */
export interface LivetrailClient {
  api: TRPCClient<AppRouter>;
  transport: Transport;
  close(): void;
}

/** Full-jitter exponential backoff between 0.5 s and 20 s. */
export function defaultRetryDelayMs(attempt: number): number {
  const cap = Math.min(20_000, 500 * 2 ** Math.min(attempt, 10));
  return 500 + Math.random() * (cap - 500);
}

/** Whether a failed subscription is worth retrying: not when the server said the request is wrong. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return true;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status === undefined || status >= 500;
}

/**
 * A tRPC client for livetrail, typed from the server's router (a type-only import). Queries and
 * mutations go over HTTP (batched); subscriptions over SSE or WebSocket, resuming after the last
 * tracked id on every reconnect.
 */
export function createLivetrailClient(opts: LivetrailClientOptions): LivetrailClient {
  const base = opts.url.replace(/\/+$/, '');
  const transport = opts.transport ?? 'sse';
  const retryDelayMs = opts.retryDelayMs ?? defaultRetryDelayMs;
  let wsClient: ReturnType<typeof createWSClient> | undefined;
  let subscriptionLink: TRPCLink<AppRouter>;
  if (transport === 'ws') {
    wsClient = createWSClient({
      url: `${base.replace(/^http/, 'ws')}/ws`,
      WebSocket: opts.WebSocket as typeof WebSocket | undefined,
      retryDelayMs,
    });
    subscriptionLink = wsLink<AppRouter>({ client: wsClient });
  } else {
    subscriptionLink = httpSubscriptionLink<AppRouter, typeof EventSource>({
      url: `${base}/trpc`,
      EventSource: opts.EventSource as typeof EventSource | undefined,
    });
  }
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: [
          retryLink({
            retry: ({ op, error }) => op.type === 'subscription' && isRetryable(error),
            retryDelayMs,
          }),
          subscriptionLink,
        ],
        false: httpBatchLink({ url: `${base}/trpc` }),
      }),
    ],
  });
  return {
    api,
    transport,
    close() {
      wsClient?.close();
    },
  };
}
