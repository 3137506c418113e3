import { createTRPCClient, TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { idempotentRetryLink, retryJitterMs } from '../../shared/connection/idempotentRetryLink.ts';
import { fakeLinkServer } from '../support/fakeLinkServer.ts';

const t = initTRPC.create();
const input = z.object({ text: z.string(), idempotencyKey: z.string().optional() });
const appRouter = t.router({
  events: t.router({ append: t.procedure.input(input).mutation(() => 'ok') }),
  sessions: t.router({
    create: t.procedure.input(input).mutation(() => 'ok'),
    sendMessage: t.procedure.input(input).mutation(() => 'ok'),
    complete: t.procedure.input(input).mutation(() => 'ok'),
    delete: t.procedure.input(input).mutation(() => 'ok'),
  }),
  other: t.procedure.input(input).mutation(() => 'ok'),
  read: t.procedure.input(input).query(() => 'ok'),
});
type AppRouter = typeof appRouter;

function serverError(httpStatus: number) {
  return TRPCClientError.from<AppRouter>({
    error: { message: `failed with ${httpStatus}`, code: -32600, data: { httpStatus } },
  });
}

function clientWith(failures: unknown[], maxRetries = 3) {
  const server = fakeLinkServer<AppRouter>(failures);
  const api = createTRPCClient<AppRouter>({
    links: [idempotentRetryLink<AppRouter>({ maxRetries, delayMs: () => 1 }), server.link],
  });
  const keys = () => server.calls.map((c) => (c.input as { idempotencyKey?: string }).idempotencyKey);
  return { api, calls: server.calls, keys };
}

const networkError = () => new TRPCClientError('fetch failed');

describe('idempotentRetryLink', () => {
  it('gives a keyed write one fresh key and resends it with that key after network errors and 5xx', async () => {
    const { api, keys } = clientWith([networkError(), serverError(503)]);
    await expect(api.events.append.mutate({ text: 'x' })).resolves.toBe('ok');
    expect(keys()).toHaveLength(3);
    expect(new Set(keys()).size).toBe(1);
    expect(keys()[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('keys every write the server applies once', async () => {
    const { api, keys } = clientWith([]);
    await api.sessions.create.mutate({ text: 'x' });
    await api.sessions.sendMessage.mutate({ text: 'x' });
    await api.sessions.complete.mutate({ text: 'x' });
    expect(keys()).toHaveLength(3);
    for (const key of keys()) expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('waits a full-jitter pause before a retry by default', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    try {
      const server = fakeLinkServer<AppRouter>([networkError()]);
      const api = createTRPCClient<AppRouter>({ links: [idempotentRetryLink<AppRouter>(), server.link] });
      const done = api.events.append.mutate({ text: 'x' });
      await vi.advanceTimersByTimeAsync(249);
      expect(server.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(done).resolves.toBe('ok');
      expect(server.calls).toHaveLength(2);
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });

  it("keeps the caller's own key", async () => {
    const { api, keys } = clientWith([networkError()]);
    await api.events.append.mutate({ text: 'x', idempotencyKey: 'mine' });
    expect(keys()).toEqual(['mine', 'mine']);
  });

  it('does not retry a verdict on the request (4xx), and stops after maxRetries', async () => {
    const refused = clientWith([serverError(409), serverError(503)]);
    await expect(refused.api.events.append.mutate({ text: 'x' })).rejects.toThrow('failed with 409');
    expect(refused.calls).toHaveLength(1);
    const down = clientWith([networkError(), networkError(), networkError()], 2);
    await expect(down.api.events.append.mutate({ text: 'x' })).rejects.toThrow('fetch failed');
    expect(down.calls).toHaveLength(3);
  });

  it('resends a delete as it is after network errors and 5xx, but not after a 4xx', async () => {
    const { api, calls, keys } = clientWith([networkError(), serverError(503)]);
    await expect(api.sessions.delete.mutate({ text: 'x' })).resolves.toBe('ok');
    expect(calls).toHaveLength(3);
    expect(keys()).toEqual([undefined, undefined, undefined]);
    const gone = clientWith([serverError(404)]);
    await expect(gone.api.sessions.delete.mutate({ text: 'x' })).rejects.toThrow('failed with 404');
    expect(gone.calls).toHaveLength(1);
  });

  it('leaves other mutations and queries alone: no key, no retry', async () => {
    const other = clientWith([networkError()]);
    await expect(other.api.other.mutate({ text: 'x' })).rejects.toThrow('fetch failed');
    const read = clientWith([networkError()]);
    await expect(read.api.read.query({ text: 'x' })).rejects.toThrow('fetch failed');
    expect([...other.keys(), ...read.keys()]).toEqual([undefined, undefined]);
  });

  it('spreads retries with full jitter that doubles and is capped', () => {
    expect(retryJitterMs(0, 1)).toBe(250);
    expect(retryJitterMs(3, 1)).toBe(2000);
    expect(retryJitterMs(10, 1)).toBe(8000);
    expect(retryJitterMs(3, 0)).toBe(0);
  });
});
