import { createTRPCClient, type Operation, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rateLimitRetryLink, rateLimitWaitMs } from '../../shared/connection/rateLimitRetryLink.ts';
import { fakeLinkServer } from '../support/fakeLinkServer.ts';
import { settle } from '../support/settle.ts';

const t = initTRPC.create();
const appRouter = t.router({
  ping: t.procedure.query(() => 'pong'),
  save: t.procedure.mutation(() => 'saved'),
  feed: t.procedure.subscription(async function* () {
    yield 1;
  }),
});
type AppRouter = typeof appRouter;
type ClientError = TRPCClientError<AppRouter>;

/** The error a server answer with this HTTP status (and data) turns into on the client. */
function serverError(httpStatus: number, extra: Record<string, unknown> = {}): ClientError {
  return TRPCClientError.from<AppRouter>({
    error: {
      message: `failed with ${httpStatus}`,
      code: httpStatus === 429 ? -32029 : -32600,
      data: { code: httpStatus === 429 ? 'TOO_MANY_REQUESTS' : 'BAD_REQUEST', httpStatus, ...extra },
    },
  });
}

const tooMany = (retryAfterMs?: number) =>
  serverError(429, retryAfterMs === undefined ? {} : { retryAfterMs });

function client(maxRetries: number, failures: ClientError[]) {
  const server = fakeLinkServer<AppRouter>(failures);
  const api = createTRPCClient<AppRouter>({
    links: [rateLimitRetryLink<AppRouter>({ maxRetries }), server.link],
  });
  return { api, calls: server.calls };
}

describe('rateLimitRetryLink', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes a call that succeeds straight through', async () => {
    const { api, calls } = client(3, []);
    await expect(api.ping.query()).resolves.toBe('ok');
    expect(calls).toHaveLength(1);
  });

  it('retries a query after exactly the wait a 429 asked for', async () => {
    const { api, calls } = client(3, [tooMany(500), tooMany(500)]);
    const result = settle(api.ping.query());
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(result.value).toBe('ok');
    expect(calls).toHaveLength(3);
  });

  it('retries a mutation too, with the same operation', async () => {
    const { api, calls } = client(3, [tooMany(200)]);
    const result = settle(api.save.mutate());
    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(result.value).toBe('ok');
    expect(calls.map((op) => [op.type, op.path])).toEqual([
      ['mutation', 'save'],
      ['mutation', 'save'],
    ]);
    expect(calls[1]).toBe(calls[0]);
  });

  it('succeeds after exactly maxRetries refusals', async () => {
    const { api, calls } = client(2, [tooMany(100), tooMany(100)]);
    const result = settle(api.ping.query());
    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(result.value).toBe('ok');
    expect(calls).toHaveLength(3);
  });

  it('gives up with the 429 after maxRetries + 1 refusals', async () => {
    const last = tooMany(100);
    const { api, calls } = client(2, [tooMany(100), tooMany(100), last]);
    const result = settle(api.ping.query());
    await vi.advanceTimersByTimeAsync(200);
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(result.error).toBe(last);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(3);
  });

  it('does not retry at all with maxRetries 0', async () => {
    const { api, calls } = client(0, [tooMany(100)]);
    const result = settle(api.ping.query());
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toMatchObject({ data: { httpStatus: 429 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 413, 500, 503])('does not retry a %d', async (status) => {
    const err = serverError(status);
    const { api, calls } = client(3, [err]);
    const result = settle(api.ping.query());
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toBe(err);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
  });

  it('does not retry a network failure', async () => {
    const err = TRPCClientError.from<AppRouter>(new Error('fetch failed'));
    const { api, calls } = client(3, [err]);
    await expect(api.ping.query()).rejects.toBe(err);
    expect(calls).toHaveLength(1);
  });

  it('does not retry a subscription refused with 429', async () => {
    const { api, calls } = client(3, [tooMany(100)]);
    const onError = vi.fn();
    const onData = vi.fn();
    api.feed.subscribe(undefined, { onError, onData });
    await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce());
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ data: { httpStatus: 429 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    expect(onData).not.toHaveBeenCalled();
  });

  it('waits 1 s when a 429 names no wait', async () => {
    const { api, calls } = client(3, [tooMany()]);
    settle(api.ping.query());
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it('cancels the pending retry when the caller unsubscribes during the wait', async () => {
    const server = fakeLinkServer<AppRouter>([tooMany(500)]);
    const next = server.link({});
    const op: Operation = { id: 1, type: 'query', path: 'ping', input: undefined, context: {}, signal: null };
    const link = rateLimitRetryLink<AppRouter>({ maxRetries: 3 })({});
    const onNext = vi.fn();
    const sub = link({ op, next: (o) => next({ op: o, next: () => observable(() => {}) }) }).subscribe({
      next: onNext,
    });
    expect(server.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(499);
    sub.unsubscribe();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.calls).toHaveLength(1);
    expect(onNext).not.toHaveBeenCalled();
  });
});

describe('rateLimitWaitMs', () => {
  it('is the wait a 429 asks for', () => {
    expect(rateLimitWaitMs(tooMany(1234))).toBe(1234);
  });

  it('is at least 100 ms: 100 stays 100 and 99 becomes 100', () => {
    expect(rateLimitWaitMs(tooMany(100))).toBe(100);
    expect(rateLimitWaitMs(tooMany(101))).toBe(101);
    expect(rateLimitWaitMs(tooMany(99))).toBe(100);
    expect(rateLimitWaitMs(tooMany(0))).toBe(100);
  });

  it('is at most 30 s: 30000 stays and 30001 becomes 30000', () => {
    expect(rateLimitWaitMs(tooMany(30_000))).toBe(30_000);
    expect(rateLimitWaitMs(tooMany(29_999))).toBe(29_999);
    expect(rateLimitWaitMs(tooMany(30_001))).toBe(30_000);
  });

  it('is 1 s when the 429 names no wait', () => {
    expect(rateLimitWaitMs(tooMany())).toBe(1000);
  });

  it('is undefined for anything but a 429 client error', () => {
    expect(rateLimitWaitMs(serverError(400, { retryAfterMs: 500 }))).toBeUndefined();
    expect(rateLimitWaitMs(serverError(503, { retryAfterMs: 500 }))).toBeUndefined();
    expect(rateLimitWaitMs(TRPCClientError.from(new Error('fetch failed')))).toBeUndefined();
    expect(rateLimitWaitMs(new Error('429'))).toBeUndefined();
    expect(rateLimitWaitMs({ data: { httpStatus: 429, retryAfterMs: 500 } })).toBeUndefined();
    expect(rateLimitWaitMs(undefined)).toBeUndefined();
  });
});
