import { createLivetrailClient, type LivetrailClient } from '../../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../../shared/nodeTransports.ts';
import { epochNow } from './liveStreams.ts';

/** One headless subscriber's receipts: when each delta `n` of its session first arrived (epoch ms). */
export interface FeedReceipts {
  sessionId: string;
  transport: 'sse' | 'ws';
  recvAt: number[];
}

const TOKEN = /w(\d+)/g;

/**
 * What a tab does over the wire, without a browser: `count` Node clients, each subscribed to
 * `live.onFeed` for one session (two per session in session order, the first over SSE and the
 * second over WebSocket, like the pages), noting when each delta's token first arrives — in a
 * `message_delta`, or inside a compacted message if the subscriber had to catch up.
 */
export function openFeedSubscribers(url: string, sessionIds: string[], count: number) {
  const clients: LivetrailClient[] = [];
  const receipts: FeedReceipts[] = [];
  const subs: { unsubscribe(): void }[] = [];
  for (let i = 0; i < count; i++) {
    const transport = i % 2 === 0 ? 'sse' : 'ws';
    const client = createLivetrailClient({ url, transport, ...nodeTransports });
    const r: FeedReceipts = {
      sessionId: sessionIds[Math.floor(i / 2) % sessionIds.length]!,
      transport,
      recvAt: [],
    };
    clients.push(client);
    receipts.push(r);
    subs.push(
      client.api.live.onFeed.subscribe(
        { sessionId: r.sessionId },
        {
          onData({ data }) {
            if (data.kind !== 'session' || data.message.kind !== 'event') return;
            const event = data.message.event;
            if (event.type !== 'message_delta' && event.type !== 'assistant_message') return;
            const at = epochNow();
            for (const match of event.text.matchAll(TOKEN)) r.recvAt[Number(match[1])] ??= at;
          },
        },
      ),
    );
  }
  return {
    receipts,
    close() {
      for (const s of subs) s.unsubscribe();
      for (const c of clients) c.close();
    },
  };
}
