import { isLivetrailError } from '../../shared/livetrailError.ts';
import { formatStreamCursor, parseStreamCursor, type StreamCursor } from '../../shared/streamCursor.ts';
import {
  type FeedCursor,
  listedSessions,
  parseFeedCursor,
  type TabFeedMessage,
} from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import { batchCatchUp } from './batchCatchUp.ts';
import type { Hub } from './createHub.ts';
import { followSessionEvents } from './followSessionEvents.ts';
import { feedListMessage, feedSessionMessage } from './sharedMessages.ts';
import { iterableToFollower, type Sink } from './sink.ts';
import { streamSessionList } from './streamSessionList.ts';

/** A feed message with the cursor to track it by (after it is applied). */
export interface TrackedFeedMessage {
  cursor: FeedCursor;
  message: TabFeedMessage;
}

/** Options of one tab's feed. */
export interface TabFeedOptions {
  store: EventStore;
  hub: Hub;
  sessionId?: string | null;
  lastEventId?: string | null;
  signal?: AbortSignal;
  /** Compact streamed messages in the trail's backfill (see followSessionEvents). @default true */
  compact?: boolean;
  /** Send the trail's catch-up in `session_batch` messages (see batchCatchUp). @default false */
  batch?: boolean;
}

/**
 * One browser tab's live view over ONE connection (browsers allow ~6 per origin), written into
 * `sink`: the session list and, when `sessionId` is given, that session's trail — two followers
 * writing into the same sink, each message tagged with the cursor that includes it. The tracked id
 * encodes both positions, so a reconnect — by EventSource itself or by the client — resumes both
 * exactly. A missing session — unknown, or deleted while followed — is reported in-stream
 * (`session_missing`; the list sends its `remove`) and the list stays live; the feed ends only when
 * the signal aborts or a follower fails (the other one is stopped first).
 */
export async function followTabFeed(opts: TabFeedOptions, out: Sink<TrackedFeedMessage>): Promise<void> {
  const { store, hub, sessionId } = opts;
  const stop = new AbortController();
  const onRequestAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onRequestAbort);
  if (opts.signal?.aborted) stop.abort();
  const signal = stop.signal;
  const batcher = opts.batch ? batchCatchUp(out, signal) : undefined;
  const sink = batcher ?? out;
  const asked = parseFeedCursor(opts.lastEventId);
  // A malformed id resumes nothing: the session stream answers with a reset, the list with a snapshot.
  let session: StreamCursor = asked ? { seq: asked.seq, withheldFrom: asked.withheldFrom } : { seq: 0 };
  const cursor = { listMs: asked?.listMs };
  const sessionLastId = asked === null ? 'malformed' : asked ? formatStreamCursor(session) : undefined;
  const push = (message: TabFeedMessage) => sink.push({ cursor: { ...session, ...cursor }, message });
  const drained = (s: AbortSignal) => sink.drained(s);

  const list = iterableToFollower((s) =>
    streamSessionList({
      store,
      hub,
      lastEventId: cursor.listMs === undefined ? undefined : new Date(cursor.listMs).toISOString(),
      signal: s,
    }),
  );
  const followList = list(
    {
      push(message) {
        for (const s of listedSessions(message)) {
          cursor.listMs = Math.max(cursor.listMs ?? 0, Date.parse(s.lastActivityAt));
        }
        return push(feedListMessage(message));
      },
      drained,
    },
    signal,
  );

  async function followSession(id: string): Promise<void> {
    try {
      await followSessionEvents(
        {
          store,
          hub,
          sessionId: id,
          lastEventId: sessionLastId,
          signal,
          announceHead: true,
          compact: opts.compact,
        },
        {
          push(message) {
            if (message.kind === 'event') {
              // Only a compacting backfill sets a cursor: a live event is positioned by its seq alone.
              session =
                message.cursor === undefined
                  ? { seq: message.event.seq }
                  : (parseStreamCursor(message.cursor) ?? session);
            } else if (message.kind === 'reset') session = { seq: 0 };
            return push(feedSessionMessage(id, message));
          },
          drained,
        },
      );
    } catch (err) {
      if (!(isLivetrailError(err) && err.code === 'NOT_FOUND')) throw err;
      if (!push({ kind: 'session_missing', sessionId: id })) await sink.drained(signal);
    }
  }

  const followers = sessionId ? [followList, followSession(sessionId)] : [followList];
  try {
    // The first failure stops the other follower, then is thrown once both have finished.
    await Promise.all(
      followers.map((f) =>
        f.catch((err: unknown) => {
          stop.abort();
          throw err;
        }),
      ),
    );
  } finally {
    stop.abort();
    await Promise.allSettled(followers);
    batcher?.close();
    opts.signal?.removeEventListener('abort', onRequestAbort);
  }
}
