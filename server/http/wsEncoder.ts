import type { jsonEncoder } from '@trpc/server/adapters/ws';
import { isTrackedEnvelope } from '@trpc/server/unstable-core-do-not-import';
import type { Sink } from '../hub/sink.ts';
import { jsonOnce } from './encodeOnce.ts';

type Encoder = typeof jsonEncoder;
type SubscriptionId = number | string;

/** What tRPC's WebSocket handler sends about one subscription (default transformer). */
interface Reply {
  id: SubscriptionId | null;
  jsonrpc?: '2.0';
  result: { type: string; id?: string; data?: unknown };
}

function isReply(message: unknown): message is Reply {
  const result = (message as { result?: { type?: unknown } } | null)?.result;
  return typeof result === 'object' && result !== null && typeof result.type === 'string';
}

/** `{"id":<subscription>,"result":{"type":"data"`: the part of an item's message that names its subscription. */
function wsHead(subscription: SubscriptionId, jsonrpc: boolean): string {
  return `{"id":${JSON.stringify(subscription)}${jsonrpc ? ',"jsonrpc":"2.0"' : ''},"result":{"type":"data"`;
}

/** `,"id":"<tracked id>","data":{"id":…,"data":<payload>}}}`: the rest, the same for every subscriber. */
function wsTail(trackedId: string | undefined, payload: unknown): string {
  if (trackedId === undefined) return `,"data":${jsonOnce(payload)}}}`;
  const id = JSON.stringify(trackedId);
  return `,"id":${id},"data":{"id":${id},"data":${jsonOnce(payload)}}}}`;
}

/**
 * One subscription item as tRPC's WebSocket client reads it. `<payload>` is the shared message's
 * JSON (`jsonOnce`), so per socket only the envelope is built.
 */
export function wsDataMessage(
  subscription: SubscriptionId,
  jsonrpc: boolean,
  trackedId: string | undefined,
  payload: unknown,
): string {
  return wsHead(subscription, jsonrpc) + wsTail(trackedId, payload);
}

/** The subscription whose `started` reply was encoded last, in this synchronous turn. */
let justStarted: { id: SubscriptionId; jsonrpc: boolean } | undefined;

/**
 * The subscription tRPC's WebSocket handler has just answered `started` for. tRPC encodes that reply
 * and then, in the same synchronous turn, asks the subscription for its iterator — which is where
 * this is read (once). That id lets a subscription write its items to the socket itself.
 */
export function takeStartedSubscription(): { id: SubscriptionId; jsonrpc: boolean } | undefined {
  const started = justStarted;
  justStarted = undefined;
  return started;
}

/**
 * tRPC's WebSocket encoder with subscription payloads encoded once (`wsDataMessage`); everything
 * else — replies to queries, errors, control messages — is plain `JSON.stringify`. It also notes each
 * `started` reply for `takeStartedSubscription`. Decoding is tRPC's JSON.
 */
export function createWsEncoder(base: Encoder): Encoder {
  return {
    decode: base.decode,
    encode(message) {
      if (!isReply(message) || message.id === null) return JSON.stringify(message);
      const { id, jsonrpc, result } = message;
      if (result.type === 'started') {
        justStarted = { id, jsonrpc: jsonrpc === '2.0' };
        // Only the iterator asked for in this same turn may take it.
        queueMicrotask(() => {
          justStarted = undefined;
        });
      }
      if (result.type !== 'data') return JSON.stringify(message);
      // A tracked item arrives as { id, data }: its payload is the inner data.
      if (result.id === undefined) return wsDataMessage(id, jsonrpc === '2.0', undefined, result.data);
      return wsDataMessage(id, jsonrpc === '2.0', result.id, (result.data as { data: unknown }).data);
    },
  };
}

/** The socket side a WebSocket sink needs. */
export interface WsSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Buffer, options?: { binary?: boolean }): void;
}

/**
 * A sink that writes one subscription's items straight to its WebSocket, in tRPC's envelope. Full
 * above `highWaterBytes` queued; `waitForCapacity` is the socket's gate (it also cuts stuck readers).
 */
export function createWsSink(
  ws: WsSocket,
  subscription: { id: SubscriptionId; jsonrpc: boolean },
  opts: { highWaterBytes: number; waitForCapacity: (signal?: AbortSignal) => Promise<void> },
): Sink<unknown> {
  // `{"id":7,"result":{"type":"data"` once per subscription; the rest of the message once per item
  // for every subscriber (`wsItemTail`): per socket, one copy of two buffers into a frame.
  const head = Buffer.from(wsHead(subscription.id, subscription.jsonrpc));
  // Extensions are settled at the handshake: whether raw frames are possible at all is known now.
  const raw = noExtensions(ws) ? (ws as unknown as WsInternals) : undefined;
  return {
    push(item) {
      if (ws.readyState !== 1) return false;
      const tail = isTrackedEnvelope(item)
        ? wsItemTail((item as unknown as [string, unknown])[0], (item as unknown as [string, unknown])[1])
        : wsItemTail(undefined, item);
      const socket = raw && idleSocketOf(raw);
      if (socket) socket.write(textFrame(head, tail));
      else ws.send(Buffer.concat([head, tail], head.length + tail.length), { binary: false });
      return ws.bufferedAmount <= opts.highWaterBytes;
    },
    drained: (signal) => opts.waitForCapacity(signal),
  };
}

const tails = new WeakMap<object, { trackedId: string | undefined; tail: Buffer }>();

/** `,"id":"<tracked id>","data":{"id":…,"data":<payload>}}}` as bytes, once per shared payload. */
function wsItemTail(trackedId: string | undefined, payload: unknown): Buffer {
  const cacheable = typeof payload === 'object' && payload !== null;
  const cached = cacheable ? tails.get(payload) : undefined;
  if (cached && cached.trackedId === trackedId) return cached.tail;
  const tail = Buffer.from(wsTail(trackedId, payload));
  if (cacheable && !cached) tails.set(payload, { trackedId, tail });
  return tail;
}

interface WsInternals {
  _socket?: { write(b: Buffer): boolean };
  _sender?: { _state: number; _queue: unknown[] };
  _extensions?: Record<string, unknown>;
}

/** Whether the socket negotiated no extension (we never enable permessage-deflate). */
function noExtensions(ws: WsSocket): boolean {
  const w = ws as unknown as WsInternals;
  return (
    typeof w._extensions === 'object' && w._extensions !== null && Object.keys(w._extensions).length === 0
  );
}

/**
 * ws's own socket, when a whole frame written to it directly cannot interleave with one ws is still
 * producing: its sender idle with nothing queued (it queues only while compressing or reading a
 * Blob). One write of one buffer per socket is what the bare `ws` floor does; `ws.send` writes a
 * header and a payload (a writev). Anything unexpected about those internals falls back to `ws.send`.
 */
function idleSocketOf(w: WsInternals): { write(b: Buffer): boolean } | undefined {
  const sender = w._sender;
  if (!w._socket || typeof w._socket.write !== 'function' || !sender) return undefined;
  if (sender._state !== 0 || !Array.isArray(sender._queue) || sender._queue.length > 0) return undefined;
  return w._socket;
}

/** One final, unmasked text frame (RFC 6455 §5.2) carrying `head` then `tail`, in one buffer. */
function textFrame(head: Buffer, tail: Buffer): Buffer {
  const length = head.length + tail.length;
  const headerBytes = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x81;
  if (headerBytes === 2) frame[1] = length;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  head.copy(frame, headerBytes);
  tail.copy(frame, headerBytes + head.length);
  return frame;
}
