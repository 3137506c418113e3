import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { LIMITS } from '../shared/limits.ts';
import { isLivetrailError, LivetrailError, type LivetrailErrorCode } from '../shared/livetrailError.ts';
import { hasPermission, type Permission } from '../shared/roles.ts';
import { TRANSPORT_TIMING } from '../shared/transportTiming.ts';
import { appendBudgetKey, type Context, tooManyEventsMessage } from './context.ts';
import { type Follow, followerToGenerator, type Sink } from './hub/sink.ts';
import { publicError } from './publicError.ts';
import type { RouterContext } from './routerContext.ts';

const TRPC_CODES: Record<LivetrailErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  // 5xx-class, so SSE clients reconnect by themselves instead of giving up.
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** The one place a LivetrailError becomes a TRPCError; anything else passes through. */
export function toTRPCError(err: unknown): unknown {
  if (isLivetrailError(err))
    return new TRPCError({ code: TRPC_CODES[err.code], message: err.message, cause: err });
  return err;
}

interface Issue {
  path?: readonly (PropertyKey | { key: PropertyKey })[];
  message: string;
}

function hasIssues(cause: unknown): cause is { issues: Issue[] } {
  return typeof cause === 'object' && cause !== null && Array.isArray((cause as { issues?: unknown }).issues);
}

/** One line per problem, each naming its field: `events.0.callId: Invalid input: expected string`. */
function describeIssues(issues: Issue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      // Control characters in a key are shown escaped, as JSON would write them.
      const keys = (i.path ?? []).map((p) =>
        String(typeof p === 'object' ? p.key : p).replace(
          // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
          /[\u0000-\u001f]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        ),
      );
      // A path 64 levels deep says no more than its first few steps.
      const path = keys.length > 8 ? `${keys.slice(0, 6).join('.')}.…` : keys.join('.');
      return `${path || 'input'}: ${i.message}`;
    })
    .join('; ');
}

const t = initTRPC.context<RouterContext>().create({
  sse: {
    ping: { enabled: true, intervalMs: TRANSPORT_TIMING.ssePingMs },
    client: { reconnectAfterInactivityMs: TRANSPORT_TIMING.sseInactivityMs },
  },
  errorFormatter({ shape, error, ctx, path }) {
    // Stacks are for our logs, not for callers.
    const { stack: _stack, ...data } = shape.data;
    const cause = error.cause;
    let message = shape.message;
    if (error.code === 'BAD_REQUEST' && hasIssues(cause)) message = describeIssues(cause.issues);
    else if (error.code === 'PARSE_ERROR') message = 'the request is not valid JSON';
    else if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
      // Driver messages, addresses and engine errors stay in our log, under the ref the client sees.
      message = publicError(
        isLivetrailError(cause) ? cause : (cause ?? error),
        ctx?.log,
        path ?? 'trpc',
      ).message;
    }
    const retryAfterMs = isLivetrailError(cause) ? cause.retryAfterMs : undefined;
    return { ...shape, message, data: { ...data, ...(retryAfterMs !== undefined && { retryAfterMs }) } };
  },
});

/** Maps domain and store errors of queries and mutations to their tRPC codes. */
const mapErrors = t.middleware(async function mapLivetrailErrors({ next }) {
  const result = await next();
  if (!result.ok && isLivetrailError(result.error.cause)) {
    return { ...result, error: toTRPCError(result.error.cause) as TRPCError };
  }
  return result;
});

/**
 * A subscription our own transports can drive without iterating it: `follow` writes each item
 * straight into the transport's sink (the SSE responder). tRPC's WebSocket handler and in-process
 * callers iterate it like any async generator.
 */
export interface FollowableSubscription<U> extends AsyncIterable<U> {
  follow(sink: Sink<U>): Promise<void>;
}

/** Whether a procedure's result can be followed into a sink. */
export function isFollowable(value: unknown): value is FollowableSubscription<unknown> {
  return typeof (value as { follow?: unknown } | null)?.follow === 'function';
}

const NEVER = new AbortController().signal;

/**
 * Sends a domain stream to one subscriber: each item shaped for the wire by `toWire` (skipped when it
 * returns undefined), sent only once the subscriber has room, with domain errors mapped to their tRPC
 * codes; counted in `/metrics` under the caller's transport. Pass the resolver's options.
 */
export function toSubscription<T, U>(
  opts: { ctx: Context; signal: AbortSignal | undefined; path: string },
  follow: Follow<T>,
  toWire: (item: T) => U | undefined,
): FollowableSubscription<U> {
  const sub: Subscription<T, U> = { ...opts, signal: opts.signal ?? NEVER, follow, toWire };
  // Methods, not inner functions: nothing per subscriber but this object.
  return {
    follow(sink) {
      return runSubscription(sub, sink, sub.signal);
    },
    [Symbol.asyncIterator]() {
      // Over WebSocket the items go straight to the socket; tRPC only waits for the end.
      const direct = sub.ctx.directSink?.();
      if (direct) return followUntilDone((s) => runSubscription(sub, direct as Sink<U>, s), sub.signal);
      return iterateSubscription(sub);
    },
  };
}

interface Subscription<T, U> {
  ctx: Context;
  signal: AbortSignal;
  path: string;
  follow: Follow<T>;
  toWire: (item: T) => U | undefined;
}

/** Runs the follower into `sink` with the slot, metrics and error mapping of `toSubscription`. */
async function runSubscription<T, U>(
  sub: Subscription<T, U>,
  sink: Sink<U>,
  signal: AbortSignal,
): Promise<void> {
  const { ctx, toWire } = sub;
  try {
    ctx.subscriptionSlots?.acquire();
  } catch (err) {
    throw toTRPCError(err);
  }
  const transport = ctx.transport;
  const metrics = transport && ctx.metrics;
  const ended = metrics ? metrics.subscriptionStarted(transport, sub.path) : undefined;
  try {
    await sub.follow(
      {
        push(item) {
          const out = toWire(item);
          if (out === undefined) return true;
          if (metrics) metrics.delivered(transport);
          return sink.push(out);
        },
        drained(s) {
          return sink.drained(s);
        },
      },
      signal,
    );
  } catch (err) {
    throw toTRPCError(err);
  } finally {
    ended?.();
    ctx.subscriptionSlots?.release();
  }
}

/** The subscription as an async generator, waiting for the socket's capacity before each item. */
async function* iterateSubscription<T, U>(sub: Subscription<T, U>): AsyncGenerator<U> {
  for await (const out of followerToGenerator<U>((sink, s) => runSubscription(sub, sink, s), sub.signal)) {
    await sub.ctx.waitForCapacity?.(sub.signal);
    yield out;
  }
}

/**
 * An iterator that yields nothing: `next()` runs `follow` and resolves done when it ends (or rejects
 * with its error); `return()` stops it. For subscriptions that write their items themselves.
 */
function followUntilDone<U>(
  follow: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): AsyncIterator<U> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let running: Promise<void> | undefined;
  const finished = (): IteratorResult<U> => {
    signal.removeEventListener('abort', onAbort);
    return { done: true, value: undefined };
  };
  return {
    next() {
      if (stop.signal.aborted && !running) return Promise.resolve(finished());
      running ??= follow(stop.signal);
      return running.then(finished, (err: unknown) => {
        finished();
        throw err;
      });
    },
    async return() {
      stop.abort();
      await running?.catch(() => {});
      return finished();
    },
  };
}

/** The roles that grant each permission, as a FORBIDDEN answer names them. */
const ROLES_NEEDED: Record<Permission, string> = {
  read: 'any role',
  produce: 'agent or admin',
  act: 'viewer or admin',
  manage: 'admin',
};

/** Refuses a caller without a valid token (UNAUTHORIZED) or whose role lacks `permission` (FORBIDDEN). */
function requirePermission(permission: Permission) {
  return t.middleware(function checkPermission({ ctx, next }) {
    const who = ctx.principal;
    if (!who) {
      throw toTRPCError(
        new LivetrailError(
          'UNAUTHORIZED',
          'a valid access token is required (Authorization: Bearer <token>)',
        ),
      );
    }
    if (!hasPermission(who.role, permission)) {
      throw toTRPCError(
        new LivetrailError(
          'FORBIDDEN',
          `this needs ${ROLES_NEEDED[permission]}; the token's role is ${who.role}`,
        ),
      );
    }
    return next();
  });
}

/** The events a write will store, read from the raw input before any validation work. */
function eventCount(raw: unknown): number {
  const events = (raw as { events?: unknown } | null | undefined)?.events;
  return Array.isArray(events) ? events.length : 1;
}

/**
 * Charges a write to the caller's append budget (per token, or per client IP with auth off) before
 * its input is parsed, so a flood costs a counter, not validation. A batch over the limit is refused
 * here too, before zod looks at a single event.
 */
const limitWrites = t.middleware(async function limitWrites({ ctx, getRawInput, next }) {
  const n = eventCount(await getRawInput());
  if (n > LIMITS.batchEvents) {
    throw toTRPCError(
      new LivetrailError(
        'PAYLOAD_TOO_LARGE',
        `events: at most ${LIMITS.batchEvents} events per batch (got ${n})`,
      ),
    );
  }
  const key = appendBudgetKey(ctx.auth.enabled, ctx.principal, ctx.clientIp);
  const taken = ctx.appendLimiter.take(key, n);
  if (!taken.ok) {
    throw toTRPCError(
      new LivetrailError('RATE_LIMITED', tooManyEventsMessage(ctx.limits, taken.retryAfterMs), {
        retryAfterMs: taken.retryAfterMs,
      }),
    );
  }
  return next();
});

export const router = t.router;
/** Calls procedures in-process (tests, and any server-side caller), through every middleware. */
export const createCallerFactory = t.createCallerFactory;
/** Every procedure goes through error mapping. */
const procedure = t.procedure.use(mapErrors);
/** Lists, reads and subscriptions: any role. */
export const readProcedure = procedure.use(requirePermission('read'));
/** An agent's writes (create, append, complete): agent or admin, charged to the append budget. */
export const produceProcedure = procedure.use(requirePermission('produce')).use(limitWrites);
/** A person's actions (send a message): viewer or admin, charged to the append budget. */
export const actProcedure = procedure.use(requirePermission('act')).use(limitWrites);
/** An administrator's actions (delete a session): admin only, charged to the append budget. */
export const manageProcedure = procedure.use(requirePermission('manage')).use(limitWrites);
