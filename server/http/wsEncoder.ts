import type { jsonEncoder } from '@trpc/server/adapters/ws';
import { jsonOnce } from './encodeOnce.ts';

type Encoder = typeof jsonEncoder;

/** What tRPC's WebSocket handler sends for one subscription item (default transformer). */
interface DataReply {
  id: number | string | null;
  jsonrpc?: '2.0';
  result: { type: 'data'; id?: string; data: unknown };
}

function isDataReply(message: unknown): message is DataReply {
  const result = (message as { result?: { type?: unknown } } | null)?.result;
  return typeof result === 'object' && result !== null && result.type === 'data';
}

/**
 * tRPC's WebSocket encoder with the payload encoded once: a subscription item is sent as
 * `{"id":<subscription>,"result":{"type":"data","id":"<tracked id>","data":{"id":…,"data":<payload>}}}`
 * where `<payload>` is the shared message's JSON (`jsonOnce`), so per socket only the short envelope
 * around it is built. Everything else — replies to queries, errors, control messages — is plain
 * `JSON.stringify`. Decoding is tRPC's JSON.
 */
export function createWsEncoder(base: Encoder): Encoder {
  return {
    decode: base.decode,
    encode(message) {
      if (!isDataReply(message)) return JSON.stringify(message);
      const { id, jsonrpc, result } = message;
      const head = `{"id":${JSON.stringify(id)}${jsonrpc ? ',"jsonrpc":"2.0"' : ''},"result":{"type":"data"`;
      // A tracked item arrives as { id, data }: its payload is the inner data.
      const tracked = result.id !== undefined ? (result.data as { id: string; data: unknown }) : undefined;
      if (tracked) {
        const trackedId = JSON.stringify(result.id);
        return `${head},"id":${trackedId},"data":{"id":${trackedId},"data":${jsonOnce(tracked.data)}}}}`;
      }
      return `${head},"data":${jsonOnce(result.data)}}}`;
    },
  };
}
