import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { initTRPC, TRPCError, tracked } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Context } from '../../server/context.ts';
import { createSseResponder } from '../../server/http/serveSseSubscription.ts';
import { TRANSPORT_TIMING } from '../../shared/transportTiming.ts';

/**
 * The responder must be indistinguishable from tRPC's own SSE pipeline to the stock
 * `httpSubscriptionLink`: the same router is served by tRPC's standalone handler and by ours, and the
 * two streams must carry the same events (type, data, id) — field order and blank lines aside.
 */
const t = initTRPC.create({
  // No stacks in error shapes: they name the call site, which differs between the two pipelines.
  isDev: false,
  sse: {
    ping: { enabled: false },
    client: { reconnectAfterInactivityMs: TRANSPORT_TIMING.sseInactivityMs },
  },
});
const testRouter = t.router({
  mixed: t.procedure
    .input(z.object({ lastEventId: z.string().optional() }).optional())
    .subscription(async function* mixed({ input }) {
      yield tracked('1', { a: 1, lastEventId: input?.lastEventId ?? null });
      yield { b: 2, text: 'line one\nline two' };
      yield tracked('2', { c: 'x' });
    }),
  untrackedFirst: t.procedure.subscription(async function* untrackedFirst() {
    yield { u: 1 };
    yield tracked('9', { v: 2 });
  }),
  failsMidway: t.procedure.subscription(async function* failsMidway() {
    yield tracked('1', { ok: true });
    throw new TRPCError({ code: 'NOT_FOUND', message: 'sessionId: no session x' });
  }),
  needsInput: t.procedure
    .input(z.object({ sessionId: z.string().min(3) }))
    .subscription(async function* needsInput({ input }) {
      yield tracked('1', input);
    }),
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An SSE body as its events: one object per block, e.g. `{ event: 'connected', data: '…' }`. */
function parseSse(body: string): Record<string, string>[] {
  return body
    .split(/\n\n+/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon);
        fields[name] = line.slice(colon + 1).replace(/^ /, '');
      }
      return fields;
    });
}

let stock: Server;
let ours: Server;
let stockUrl: string;
let oursUrl: string;
const responder = createSseResponder({
  router: testRouter,
  createContext: () => ({}) as Context,
});

beforeAll(async () => {
  const handler = createHTTPHandler({ router: testRouter, basePath: '/trpc/' });
  stock = createServer((req, res) => handler(req, res));
  ours = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void responder.serveSseSubscription(req, res, url.pathname.slice('/trpc/'.length), url);
  });
  stockUrl = await listen(stock);
  oursUrl = await listen(ours);
});

afterAll(async () => {
  responder.close();
  stock.closeAllConnections();
  ours.closeAllConnections();
  await Promise.all([stock, ours].map((s) => new Promise((r) => s.close(r))));
});

async function bothStreams(pathAndQuery: string, headers: Record<string, string> = {}) {
  const read = async (base: string) => {
    const res = await fetch(`${base}/trpc/${pathAndQuery}`, {
      headers: { accept: 'text/event-stream', ...headers },
    });
    return { status: res.status, type: res.headers.get('content-type'), events: parseSse(await res.text()) };
  };
  return { stock: await read(stockUrl), ours: await read(oursUrl) };
}

describe("our SSE responder against tRPC's own", () => {
  it('sends the same connected, tracked, untracked (with restore-id) and return events', async () => {
    const { stock, ours } = await bothStreams('mixed');
    expect(ours.events).toEqual(stock.events);
    expect(ours.status).toBe(200);
    expect(ours.type).toMatch(/^text\/event-stream/);
    // The comparison is only worth something if the stream has every kind of frame in it.
    expect(ours.events.map((e) => e.event ?? 'message')).toEqual([
      'connected',
      'message',
      'message',
      'restore-id',
      'message',
      'return',
    ]);
  });

  it('merges Last-Event-ID into the input and restores it after an untracked item', async () => {
    const { stock, ours } = await bothStreams('mixed', { 'last-event-id': '7' });
    expect(ours.events).toEqual(stock.events);
    expect(JSON.parse(ours.events[1]!.data!)).toMatchObject({ lastEventId: '7' });
  });

  it('takes lastEventId from the query string too', async () => {
    const { stock, ours } = await bothStreams('mixed?lastEventId=5');
    expect(ours.events).toEqual(stock.events);
    expect(JSON.parse(ours.events[1]!.data!)).toMatchObject({ lastEventId: '5' });
  });

  it('sends an untracked first item without an id', async () => {
    const { stock, ours } = await bothStreams('untrackedFirst');
    expect(ours.events).toEqual(stock.events);
    expect(ours.events[1]).toEqual({ data: '{"u":1}' });
  });

  it('ends a failing subscription with the same serialized error', async () => {
    const { stock, ours } = await bothStreams('failsMidway');
    expect(ours.events).toEqual(stock.events);
    expect(ours.events.at(-1)?.event).toBe('serialized-error');
    expect(JSON.parse(ours.events.at(-1)!.data!)).toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('answers invalid and unparsable input in-stream, as tRPC does', async () => {
    const bad = await bothStreams(`needsInput?input=${encodeURIComponent('{"sessionId":"x"}')}`);
    expect(bad.ours.events).toEqual(bad.stock.events);
    expect(JSON.parse(bad.ours.events[1]!.data!)).toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const garbled = await bothStreams('needsInput?input=%7Bnot-json');
    expect(garbled.ours.events.map((e) => e.event)).toEqual(garbled.stock.events.map((e) => e.event));
    expect(JSON.parse(garbled.ours.events[1]!.data!)).toMatchObject({ data: { code: 'PARSE_ERROR' } });
  });
});
