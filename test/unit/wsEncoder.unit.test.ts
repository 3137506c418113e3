import { tracked } from '@trpc/server';
import { jsonEncoder } from '@trpc/server/adapters/ws';
import { describe, expect, it } from 'vitest';
import type { Context } from '../../server/context.ts';
import { createWsEncoder, createWsSink, takeStartedSubscription } from '../../server/http/wsEncoder.ts';
import type { Sink } from '../../server/hub/sink.ts';
import { toSubscription } from '../../server/trpc.ts';

const encoder = createWsEncoder(jsonEncoder);

describe('createWsEncoder', () => {
  it('encodes data replies exactly as JSON.stringify would', () => {
    const payload = { kind: 'event', event: { seq: 3, text: 'a "quoted"\nline' } };
    const trackedReply = { id: 4, result: { type: 'data', id: '3', data: { id: '3', data: payload } } };
    expect(JSON.parse(encoder.encode(trackedReply) as string)).toEqual(trackedReply);
    const plain = { id: 'x', jsonrpc: '2.0', result: { type: 'data', data: { kind: 'reset' } } };
    expect(JSON.parse(encoder.encode(plain) as string)).toEqual(plain);
    const other = { id: null, method: 'reconnect' };
    expect(encoder.encode(other)).toBe(JSON.stringify(other));
  });

  it("notes a subscription's started reply for the iterator asked for in the same turn, once", async () => {
    encoder.encode({ id: 9, jsonrpc: '2.0', result: { type: 'started' } });
    expect(takeStartedSubscription()).toEqual({ id: 9, jsonrpc: true });
    expect(takeStartedSubscription()).toBeUndefined();
    encoder.encode({ id: 10, result: { type: 'started' } });
    await Promise.resolve();
    expect(takeStartedSubscription()).toBeUndefined();
  });
});

describe('createWsSink', () => {
  it("writes items in tRPC's envelope and is full above the high-water mark", () => {
    const sent: string[] = [];
    const ws = { readyState: 1, bufferedAmount: 0, send: (d: string) => sent.push(d) };
    const sink = createWsSink(
      ws,
      { id: 5, jsonrpc: false },
      { highWaterBytes: 10, waitForCapacity: async () => {} },
    );
    expect(sink.push(tracked('7', { kind: 'event' }))).toBe(true);
    expect(JSON.parse(sent[0]!)).toEqual({
      id: 5,
      result: { type: 'data', id: '7', data: { id: '7', data: { kind: 'event' } } },
    });
    ws.bufferedAmount = 11;
    expect(sink.push({ kind: 'reset' })).toBe(false);
    expect(JSON.parse(sent[1]!)).toEqual({ id: 5, result: { type: 'data', data: { kind: 'reset' } } });
    ws.readyState = 3;
    expect(sink.push({ kind: 'late' })).toBe(false);
    expect(sent).toHaveLength(2);
  });
});

describe('toSubscription over WebSocket', () => {
  it('writes into the direct sink and lets tRPC wait for the end without yielding', async () => {
    const pushed: unknown[] = [];
    const direct: Sink<unknown> = {
      push: (m) => pushed.push(m) > 0,
      drained: async () => {},
    };
    const ctx = { directSink: () => direct } as unknown as Context;
    const sub = toSubscription(
      { ctx, signal: undefined, path: 'events.onEvents' },
      async (sink) => {
        sink.push(1);
        sink.push(2);
      },
      (n: number) => tracked(String(n), { n }),
    );
    const iterator = sub[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(pushed.map((m) => (m as unknown[])[1])).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('stops the follower when tRPC returns the iterator', async () => {
    let stopped = false;
    const direct: Sink<unknown> = { push: () => true, drained: async () => {} };
    const ctx = { directSink: () => direct } as unknown as Context;
    const sub = toSubscription(
      { ctx, signal: undefined, path: 'events.onEvents' },
      (_sink, signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            stopped = true;
            resolve();
          }),
        ),
      (n: number) => n,
    );
    const iterator = sub[Symbol.asyncIterator]();
    const next = iterator.next();
    await iterator.return?.();
    expect(stopped).toBe(true);
    expect(await next).toEqual({ done: true, value: undefined });
  });
});
