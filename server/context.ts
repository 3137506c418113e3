import type { Authenticator, Principal } from './auth/createAuthenticator.ts';
import type { AbuseLimits } from './config.ts';
import type { RateLimiter } from './domain/createRateLimiter.ts';
import type { Hub } from './hub/createHub.ts';
import type { Sink } from './hub/sink.ts';
import type { Logger } from './logger.ts';
import type { Metrics, Transport } from './metrics/createMetrics.ts';
import type { EventStore } from './store/eventStore.ts';

/** What the server shares with every request and socket. */
export interface ServerContext {
  store: EventStore;
  hub: Hub;
  log: Logger;
  auth: Authenticator;
  limits: AbuseLimits;
  /** Events appended per principal (or per client IP with auth off). */
  appendLimiter: RateLimiter;
  /** Counters for `/metrics`; absent in-process (tests, server-side callers). */
  metrics?: Metrics;
}

/** Whose append budget a write spends: the token's, or with auth off the client address's. */
export function appendBudgetKey(
  authEnabled: boolean,
  principal: Principal | undefined,
  clientIp: string,
): string {
  return principal && authEnabled ? principal.label : `ip:${clientIp}`;
}

/** The one text of a refused append: the limit, the burst, and how long to wait. */
export function tooManyEventsMessage(limits: AbuseLimits, retryAfterMs: number): string {
  return `too many events: at most ${limits.appendRatePerSec}/s (burst ${limits.appendBurst}); retry in ${Math.ceil(retryAfterMs / 1000)} s`;
}

/** Counts one WebSocket's open subscriptions against its cap. */
export interface SubscriptionSlots {
  /** Takes a slot; throws RATE_LIMITED when all are in use. */
  acquire(): void;
  release(): void;
}

/** What every procedure can reach: the store, the hub, the logger, and who is calling. */
export interface Context extends ServerContext {
  /** The caller's token's role; undefined when auth is on and no valid token came. */
  principal: Principal | undefined;
  /** The caller's address (from `X-Forwarded-For` only when the proxy is trusted). */
  clientIp: string;
  /** The request's `Idempotency-Key` header as sent (validated where a write uses it). */
  idempotencyKeyHeader?: string;
  /** How the caller is connected, for metrics (tRPC over HTTP/SSE, or WebSocket). */
  transport?: Transport;
  /** Over WebSocket: resolves when the socket can take more (see createSocketGate). */
  waitForCapacity?: (signal?: AbortSignal) => Promise<void>;
  /** Over WebSocket: the socket's subscription cap. */
  subscriptionSlots?: SubscriptionSlots;
  /**
   * Over WebSocket: a sink writing straight to the socket for the subscription tRPC has just
   * started, or undefined (then the subscription is iterated by tRPC as usual).
   */
  directSink?: () => Sink<unknown> | undefined;
}

// The router is built on RouterContext (see routerContext.ts), which this makes the full Context.
declare module './routerContext.ts' {
  interface RouterContext extends Context {}
}
