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

/**
 * One subscription item as tRPC's WebSocket client reads it:
 * `{"id":<subscription>,"result":{"type":"data","id":"<tracked id>","data":{"id":…,"data":<payload>}}}`.
 * `<payload>` is the shared message's JSON (`jsonOnce`), so per socket only the envelope is built.
 */
export function wsDataMessage(
  subscription: SubscriptionId,
  jsonrpc: boolean,
  trackedId: string | undefined,
  payload: unknown,
): string {
  const head = `{"id":${JSON.stringify(subscription)}${jsonrpc ? ',"jsonrpc":"2.0"' : ''},"result":{"type":"data"`;
  if (trackedId === undefined) return `${head},"data":${jsonOnce(payload)}}}`;
  const id = JSON.stringify(trackedId);
  return `${head},"id":${id},"data":{"id":${id},"data":${jsonOnce(payload)}}}}`;
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
  send(data: string): void;
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
  return {
    push(item) {
      if (ws.readyState !== 1) return false;
      if (isTrackedEnvelope(item)) {
        const [trackedId, data] = item as unknown as [string, unknown];
        ws.send(wsDataMessage(subscription.id, subscription.jsonrpc, trackedId, data));
      } else ws.send(wsDataMessage(subscription.id, subscription.jsonrpc, undefined, item));
      return ws.bufferedAmount <= opts.highWaterBytes;
    },
    drained: (signal) => opts.waitForCapacity(signal),
  };
}
