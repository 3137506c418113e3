import type { TRPCClient } from '@trpc/client';
import type { AppRouter } from '../server/routers/_app.ts';
import { backoffDelay } from './connection/connectionState.ts';
import { createTransportApi, type Transport } from './connection/createTransportApi.ts';
import type { IdempotentRetryOptions } from './connection/idempotentRetryLink.ts';

export type { Transport };

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
  /**
   * Access token for a server with access control, sent on every transport (`Authorization: Bearer`
   * over HTTP and SSE, a connection param over WebSocket). Browsers signed in by cookie need none.
   */
  token?: string;
  /** Delay before resubscribing after the n-th failure (0-based). @default full jitter, 0.5 s–25 s */
  retryDelayMs?: (attempt: number) => number;
  /**
   * How `events.append`, `sessions.create`, `sessions.sendMessage`, `sessions.complete` and
   * `sessions.interrupt` are retried: each call gets an idempotency key (unless it passes its own) and is resent with it
   * after network errors and 5xx. `sessions.delete` is resent the same way, without a key (a
   * repeat deletes nothing more). @default 5 retries, full jitter from 250 ms up to 8 s
   */
  writeRetry?: IdempotentRetryOptions;
}

/** A typed livetrail client and the function that closes its connections. */
export interface LivetrailClient {
  api: TRPCClient<AppRouter>;
  transport: Transport;
  close(): void;
}

/**
 * A tRPC client for livetrail, typed from the server's router (a type-only import). Queries and
 * mutations go over HTTP (batched); subscriptions over SSE or WebSocket, resuming after the last
 * tracked id on every reconnect. For a follower that also falls back between transports and reports
 * its connection state, use `followSession` (shared/connection/).
 */
export function createLivetrailClient(opts: LivetrailClientOptions): LivetrailClient {
  const transport = opts.transport ?? 'sse';
  const { api, close } = createTransportApi({
    url: opts.url,
    transport,
    EventSource: opts.EventSource,
    WebSocket: opts.WebSocket,
    token: opts.token,
    writeRetry: opts.writeRetry,
    retryDelayMs: opts.retryDelayMs ?? ((attempt) => backoffDelay(attempt, Math.random())),
  });
  return { api, transport, close };
}
