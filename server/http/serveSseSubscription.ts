import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyRouter } from '@trpc/server';
import {
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAbortError,
  isAsyncIterable,
  isTrackedEnvelope,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import { TRANSPORT_TIMING } from '../../shared/transportTiming.ts';
import type { Context } from '../context.ts';
import { isFollowable } from '../trpc.ts';
import { drainedOf } from './drainedOf.ts';
import { jsonOnce, sseDataFrame, sseTrackedFrame } from './encodeOnce.ts';

/** Whether `path` (e.g. `events.onEvents`) names one of the router's subscriptions. */
export function isSubscriptionPath(router: AnyRouter, path: string): boolean {
  const procedure = (router._def.procedures as Record<string, { _def?: { type?: string } } | undefined>)[
    path
  ];
  return procedure?._def?.type === 'subscription';
}

/** What `serveSseSubscription` reports per stream (metrics, logs). */
export interface SseStreamHooks {
  onError?: (opts: { error: TRPCError; path: string; ctx: Context | undefined }) => void;
}

const PING_FRAME = Buffer.from('event: ping\ndata: \n\n');
const RETURN_FRAME = Buffer.from('event: return\ndata: \n\n');
const CONNECTED_FRAME = Buffer.from(
  `event: connected\ndata: ${JSON.stringify({ reconnectAfterInactivityMs: TRANSPORT_TIMING.sseInactivityMs })}\n\n`,
);
const HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  vary: 'trpc-accept, accept',
};

/** One open SSE subscription: the response and what its frames need to know. */
interface SseStream {
  res: ServerResponse;
  lastWriteAt: number;
  /** The response closed: a plain flag for the per-event check (`signal.aborted` costs more). */
  closed: boolean;
  /** The last tracked id sent (or resumed from), for untracked items after it. */
  trackedId: string | null;
  push(item: unknown): boolean;
  drained(signal: AbortSignal): Promise<void>;
}

/** Writes one item's frame to the stream; false when the socket is full. */
function pushFrame(stream: SseStream, item: unknown): boolean {
  if (stream.closed) return false;
  const { res } = stream;
  stream.lastWriteAt = performance.now();
  if (isTrackedEnvelope(item)) {
    const [id, data] = item as unknown as [string, unknown];
    stream.trackedId = id;
    const frame = sseTrackedFrame(id, data);
    if (!Array.isArray(frame)) return res.write(frame);
    // One write to the socket for the subscriber's id line and the shared frame.
    res.cork();
    res.write(frame[0]);
    const room = res.write(frame[1]);
    res.uncork();
    return room;
  }
  if (stream.trackedId === null) return res.write(sseDataFrame(item));
  // Untracked after tracked: clear the id for this item, then restore the last one.
  return res.write(`data: ${jsonOnce(item)}\nid: \n\nevent: restore-id\ndata: \nid: ${stream.trackedId}\n\n`);
}

/** The input with the resume position merged in, as tRPC's HTTP handler does. */
function withLastEventId(input: unknown, lastEventId: string | null): unknown {
  if (!lastEventId) return input;
  if (typeof input === 'object' && input !== null) return { ...input, lastEventId };
  return input ?? { lastEventId };
}

/**
 * tRPC v11 subscriptions over SSE, answered by our own responder writing straight to Node's `res`
 * instead of tRPC's Web-Streams pipeline (a ReadableStream, a TransformStream and a TextEncoderStream
 * per subscriber, and a JSON encoding per subscriber per event). It speaks exactly the wire format the
 * stock `httpSubscriptionLink` reads (tRPC's `sseStreamProducer`):
 * - `event: connected` with the client options first; HTTP status is always 200;
 * - `id: <tracked id>` + `data: <json>` per item; an untracked item after a tracked one is sent with
 *   an empty `id:` followed by `event: restore-id` carrying the last id, as tRPC does;
 * - `event: ping` on a stream idle for half the ping interval (checked by one timer for all streams);
 * - `event: serialized-error` with the router's error shape (our errorFormatter), then the end;
 * - `event: return` when the subscription ends.
 * The procedure itself is called through the router (`callProcedure`): input parsing, context,
 * middleware (roles) and error mapping are unchanged; `Last-Event-ID` (or `?lastEventId=`) is merged
 * into the input exactly as tRPC's HTTP handler does. Items are encoded once for all subscribers
 * (`encodeOnce.ts`); a full socket pauses this stream until it drains.
 */
export function createSseResponder(opts: {
  router: AnyRouter;
  createContext: (req: IncomingMessage) => Context;
  hooks?: SseStreamHooks;
}) {
  const { router, hooks } = opts;
  const open = new Set<SseStream>();
  const pingEveryMs = TRANSPORT_TIMING.ssePingMs / 2;
  const pinger = setInterval(function pingIdleStreams() {
    const idleSince = performance.now() - pingEveryMs;
    for (const stream of open) {
      if (stream.lastWriteAt > idleSince) continue;
      stream.lastWriteAt = performance.now();
      stream.res.write(PING_FRAME);
    }
  }, pingEveryMs);
  pinger.unref();

  async function serveSseSubscription(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    url: URL,
  ): Promise<void> {
    const abort = new AbortController();
    const { signal } = abort;
    const lastEventId = lastEventIdOf(req, url);
    const rawInput = url.searchParams.get('input');
    let input: unknown;
    res.writeHead(200, HEADERS);
    res.write(CONNECTED_FRAME);
    // One object per stream, its methods the sink: no per-subscriber closures beyond these.
    const stream: SseStream = {
      res,
      lastWriteAt: performance.now(),
      closed: false,
      trackedId: lastEventId && !/[\0\n\r]/.test(lastEventId) ? lastEventId : null,
      push(item) {
        return pushFrame(this, item);
      },
      // Backpressure: a reader that stops reading holds one socket buffer, and the stall watch cuts it.
      drained(waitSignal) {
        return drainedOf(res, waitSignal);
      },
    };
    res.once('close', () => {
      stream.closed = true;
      abort.abort();
    });
    open.add(stream);
    let ctx: Context | undefined;

    try {
      ctx = opts.createContext(req);
      const result: unknown = await callProcedure({
        router,
        path,
        getRawInput: async () => {
          input = withLastEventId(parseInput(rawInput), lastEventId);
          return input;
        },
        ctx,
        type: 'subscription',
        signal,
        batchIndex: 0,
      });
      if (isFollowable(result)) {
        // Our own subscriptions: items are pushed straight into this socket, live ones from the hub.
        await result.follow(stream);
      } else if (isAsyncIterable(result)) {
        for await (const item of result as AsyncIterable<unknown>) {
          if (!stream.push(item)) await stream.drained(signal);
          if (signal.aborted) break;
        }
      } else throw new Error(`subscription ${path} did not return an async iterable`);
      if (!signal.aborted) res.write(RETURN_FRAME);
    } catch (cause) {
      if (!signal.aborted && !isAbortError(cause)) {
        const error = getTRPCErrorFromUnknown(cause);
        hooks?.onError?.({ error, path, ctx });
        const shape = getErrorShape({
          config: router._def._config,
          ctx,
          error,
          input,
          path,
          type: 'subscription',
        });
        res.write(`event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n`);
      }
    } finally {
      open.delete(stream);
      abort.abort();
      res.end();
    }
  }

  return {
    serveSseSubscription,
    /** Open SSE subscription streams. */
    size: () => open.size,
    close() {
      clearInterval(pinger);
    },
  };
}

/** The resume position, as tRPC's HTTP handler reads it. */
function lastEventIdOf(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string') return header;
  return url.searchParams.get('lastEventId') ?? url.searchParams.get('Last-Event-Id');
}

/** `?input=` as tRPC reads it (no transformer): absent is undefined, otherwise JSON. */
function parseInput(raw: string | null): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: 'the input is not valid JSON', cause });
  }
}
