import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import type { AppRouter } from '../../server/routers/_app.ts';
import { isRetryableError } from '../isRetryableError.ts';
import { type IdempotentRetryOptions, idempotentRetryLink } from './idempotentRetryLink.ts';
import { rateLimitRetryLink } from './rateLimitRetryLink.ts';

/** The subscription transports: SSE over HTTP, or WebSocket on the same port at /ws. */
export type Transport = 'sse' | 'ws';

/** A tRPC client whose subscriptions use exactly one transport, and how to close it. */
export interface TransportApi {
  api: TRPCClient<AppRouter>;
  close(): void;
}

/**
 * Builds a tRPC client: queries and mutations over HTTP (batched, retried after a 429's wait up to
 * three times; the keyed writes carry an idempotency key and are also retried through network errors
 * and 5xx, see idempotentRetryLink), subscriptions over SSE or WebSocket. With `retryDelayMs` the client retries subscriptions by itself, resuming after the last
 * tracked id; without it (the connection manager, which owns every retry) it never retries, and the
 * WebSocket's own reconnect is pushed far out.
 */
export function createTransportApi(opts: {
  url: string;
  transport: Transport;
  EventSource?: unknown;
  WebSocket?: unknown;
  retryDelayMs?: (attempt: number) => number;
  /** Access token, sent as `Authorization: Bearer` on HTTP and SSE and as a WS connection param. */
  token?: string;
  /** How keyed writes are retried (see idempotentRetryLink). */
  writeRetry?: IdempotentRetryOptions;
}): TransportApi {
  const base = opts.url.replace(/\/+$/, '');
  const { token } = opts;
  const authorization = token === undefined ? undefined : `Bearer ${token}`;
  let ws: ReturnType<typeof createWSClient> | undefined;
  let subscriptions: TRPCLink<AppRouter>;
  if (opts.transport === 'ws') {
    ws = createWSClient({
      url: `${base.replace(/^http/, 'ws')}/ws`,
      WebSocket: opts.WebSocket as typeof WebSocket | undefined,
      retryDelayMs: opts.retryDelayMs ?? (() => 3_600_000),
      // Browsers cannot set headers on a WebSocket; the token travels as tRPC's first message.
      ...(token !== undefined && { connectionParams: { token } }),
    });
    subscriptions = wsLink<AppRouter>({ client: ws });
  } else {
    subscriptions = httpSubscriptionLink<AppRouter, typeof EventSource>({
      url: `${base}/trpc`,
      EventSource: opts.EventSource as typeof EventSource | undefined,
      // The `eventsource` package reads headers through its fetch option; a browser's EventSource
      // ignores it and sends the sign-in cookie instead.
      ...(authorization !== undefined && {
        eventSourceOptions: {
          fetch: (input: string | URL, init?: RequestInit) =>
            fetch(input, {
              ...init,
              headers: { ...(init?.headers as Record<string, string>), authorization },
            }),
        } as EventSourceInit,
      }),
    });
  }
  const retry = opts.retryDelayMs
    ? [
        retryLink<AppRouter>({
          retry: ({ op, error }) => op.type === 'subscription' && isRetryableError(error),
          retryDelayMs: opts.retryDelayMs,
        }),
      ]
    : [];
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: [...retry, subscriptions],
        false: [
          // Outermost, so the key is chosen once and every retry below reuses it.
          idempotentRetryLink<AppRouter>(opts.writeRetry),
          rateLimitRetryLink<AppRouter>({ maxRetries: 3 }),
          httpBatchLink({
            url: `${base}/trpc`,
            // The server's default LIVETRAIL_MAX_BATCH: larger batches are split, never refused.
            maxItems: 10,
            ...(authorization !== undefined && { headers: { authorization } }),
          }),
        ],
      }),
    ],
  });
  return { api, close: () => void ws?.close() };
}
