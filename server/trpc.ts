import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { isLivetrailError, type LivetrailErrorCode } from '../shared/livetrailError.ts';
import { TRANSPORT_TIMING } from '../shared/transportTiming.ts';
import type { Context } from './context.ts';

const TRPC_CODES: Record<LivetrailErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
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
      const path = (i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
      return `${path || 'input'}: ${i.message}`;
    })
    .join('; ');
}

const t = initTRPC.context<Context>().create({
  sse: {
    ping: { enabled: true, intervalMs: TRANSPORT_TIMING.ssePingMs },
    client: { reconnectAfterInactivityMs: TRANSPORT_TIMING.sseInactivityMs },
  },
  errorFormatter({ shape, error }) {
    // Stacks are for our logs, not for callers.
    const { stack: _stack, ...data } = shape.data;
    const message =
      error.code === 'BAD_REQUEST' && hasIssues(error.cause)
        ? describeIssues(error.cause.issues)
        : shape.message;
    return { ...shape, message, data };
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
 * Sends a domain stream to one subscriber: each item shaped for the wire by `toWire` (skipped when it
 * returns undefined), sent only once the subscriber's socket has room, with domain errors mapped to
 * their tRPC codes.
 */
export async function* toSubscription<T, U>(
  ctx: Context,
  signal: AbortSignal | undefined,
  source: AsyncIterable<T>,
  toWire: (item: T) => U | undefined,
): AsyncGenerator<U> {
  try {
    for await (const item of source) {
      const out = toWire(item);
      if (out === undefined) continue;
      await ctx.waitForCapacity?.(signal);
      yield out;
    }
  } catch (err) {
    throw toTRPCError(err);
  }
}

export const router = t.router;
/** Every procedure goes through error mapping. */
export const procedure = t.procedure.use(mapErrors);
