import { isLivetrailError } from '../../shared/livetrailError.ts';
import { type FeedCursor, parseFeedCursor, type TabFeedMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Hub } from './createHub.ts';
import { mergeStreams } from './mergeStreams.ts';
import { feedListMessage, feedSessionMessage } from './sharedMessages.ts';
import { streamSessionEvents } from './streamSessionEvents.ts';
import { streamSessionList } from './streamSessionList.ts';

/** A feed message with the cursor to track it by (after it is applied). */
export interface TrackedFeedMessage {
  cursor: FeedCursor;
  message: TabFeedMessage;
}

/**
 * One browser tab's live view over ONE connection (browsers allow ~6 per origin): the session list
 * and, when `sessionId` is given, that session's trail. The tracked id encodes both positions, so a
 * reconnect — by EventSource itself or by the client — resumes both exactly. A missing session is
 * reported in-stream and the list stays live.
 */
export async function* streamTabFeed(opts: {
  store: EventStore;
  hub: Hub;
  sessionId?: string | null;
  lastEventId?: string | null;
  signal?: AbortSignal;
}): AsyncGenerator<TrackedFeedMessage> {
  const { store, hub, sessionId } = opts;
  // The sources stop with the request, and also when the merge ends for any other reason (the merge
  // calls `stop` before it returns them: a source parked in a wait could not be returned otherwise).
  const stopSources = new AbortController();
  const onRequestAbort = () => stopSources.abort();
  opts.signal?.addEventListener('abort', onRequestAbort);
  const signal = stopSources.signal;
  const asked = parseFeedCursor(opts.lastEventId);
  // A malformed id resumes nothing: the session stream answers with a reset, the list with a snapshot.
  const cursor: FeedCursor = { seq: asked?.seq ?? 0, listMs: asked?.listMs };
  const sessionLastId = asked === null ? 'malformed' : asked ? String(asked.seq) : undefined;

  async function* list(): AsyncGenerator<TabFeedMessage> {
    const since = cursor.listMs === undefined ? undefined : new Date(cursor.listMs).toISOString();
    for await (const message of streamSessionList({ store, hub, lastEventId: since, signal })) {
      yield feedListMessage(message);
    }
  }

  async function* session(id: string): AsyncGenerator<TabFeedMessage> {
    try {
      const stream = streamSessionEvents({
        store,
        hub,
        sessionId: id,
        lastEventId: sessionLastId,
        signal,
        announceHead: true,
      });
      for await (const message of stream) yield feedSessionMessage(id, message);
    } catch (err) {
      if (isLivetrailError(err) && err.code === 'NOT_FOUND') yield { kind: 'session_missing', sessionId: id };
      else throw err;
    }
  }

  const sources = sessionId ? [list(), session(sessionId)] : [list()];
  try {
    yield* withCursors(
      mergeStreams(sources, () => stopSources.abort()),
      cursor,
    );
  } finally {
    opts.signal?.removeEventListener('abort', onRequestAbort);
  }
}

/** Tags each feed message with the cursor that includes it. */
async function* withCursors(
  messages: AsyncGenerator<TabFeedMessage>,
  cursor: FeedCursor,
): AsyncGenerator<TrackedFeedMessage> {
  for await (const message of messages) {
    if (message.kind === 'list') {
      const m = message.message;
      for (const s of m.kind === 'upsert' ? [m.session] : m.sessions) {
        cursor.listMs = Math.max(cursor.listMs ?? 0, Date.parse(s.lastActivityAt));
      }
    } else if (message.kind === 'session' && message.message.kind === 'event') {
      cursor.seq = message.message.event.seq;
    } else if (message.kind === 'session' && message.message.kind === 'reset') {
      cursor.seq = 0;
    }
    yield { cursor: { ...cursor }, message };
  }
}
