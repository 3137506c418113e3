import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  wsLink,
} from '@trpc/client';
import type { AppRouter } from '../../server/routers/_app.ts';
import type { Transport } from '../createLivetrailClient.ts';

/** A tRPC client whose subscriptions use exactly one transport, with no retries of its own. */
export interface TransportApi {
  api: TRPCClient<AppRouter>;
  close(): void;
}

/**
 * Builds a client for one connection attempt: subscriptions over SSE or over a fresh WebSocket,
 * queries and mutations over HTTP. The connection manager owns every retry, so the WebSocket's own
 * reconnect is pushed far out and the client is closed when the attempt ends.
 */
export function createTransportApi(opts: {
  url: string;
  transport: Transport;
  EventSource?: unknown;
  WebSocket?: unknown;
}): TransportApi {
  const base = opts.url.replace(/\/+$/, '');
  const http = httpBatchLink<AppRouter>({ url: `${base}/trpc` });
  if (opts.transport === 'ws') {
    const ws = createWSClient({
      url: `${base.replace(/^http/, 'ws')}/ws`,
      WebSocket: opts.WebSocket as typeof WebSocket | undefined,
      retryDelayMs: () => 3_600_000,
    });
    const api = createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: wsLink<AppRouter>({ client: ws }),
          false: http,
        }),
      ],
    });
    return { api, close: () => void ws.close() };
  }
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink<AppRouter, typeof EventSource>({
          url: `${base}/trpc`,
          EventSource: opts.EventSource as typeof EventSource | undefined,
        }),
        false: http,
      }),
    ],
  });
  return { api, close: () => {} };
}
