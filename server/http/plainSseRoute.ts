import type { IncomingMessage, ServerResponse } from 'node:http';
import { isCompacted, type StoredEvent, type StreamEvent } from '../../shared/agentEvent.ts';
import { isLivetrailError, sessionNotFound } from '../../shared/livetrailError.ts';
import { isFinished } from '../../shared/session.ts';
import { messagePosition } from '../../shared/streamMessages.ts';
import { TRANSPORT_TIMING } from '../../shared/transportTiming.ts';
import type { Context } from '../context.ts';
import { followSessionEvents } from '../hub/followSessionEvents.ts';
import { parseLastEventId } from '../hub/resumePoint.ts';
import { eventJson } from '../store/storedJson.ts';
import { drainedOf } from './drainedOf.ts';
import { parseSessionIdParam } from './parseSessionIdParam.ts';
import { sendError } from './sendJson.ts';

const frames = new WeakMap<StoredEvent, Buffer>();

/**
 * An event message's frame. A stored event's is built once for every subscriber (the hub hands them
 * all the same object); a compacted message, or an event a compacting backfill positions with a
 * cursor, is one subscriber's own.
 */
function plainFrame(message: { event: StreamEvent; cursor?: string }): Buffer | string {
  const { event } = message;
  if (message.cursor !== undefined || isCompacted(event)) {
    return `id: ${messagePosition(message)}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  }
  let frame = frames.get(event);
  if (!frame) {
    frame = Buffer.from(`id: ${event.seq}\nevent: ${event.type}\ndata: ${eventJson(event)}\n\n`);
    frames.set(event, frame);
  }
  return frame;
}

/** `/api/sessions/:id/events/stream` */
export const PLAIN_SSE_PATH = /^\/api\/sessions\/([^/]+)\/events\/stream$/;

/**
 * A session's trail as plain SSE for curl and other languages: `id: <position>`, `event: <type>`,
 * `data: <event JSON>`, events with seq > `from` (or after `Last-Event-ID`, which wins), ending
 * after `complete`. Streamed messages that end in the backfill come whole (`compact=0`: as raw
 * deltas); the position is the seq, or `<seq>~<from>` while a message is withheld (streamCursor.ts). A reconnect to a finished session with nothing left gets 204, which tells
 * EventSource to stop. A failure mid-stream (the session was deleted: NOT_FOUND) ends it with
 * `event: error`, `data: {code, message}`.
 */
export async function servePlainSse(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  rawId: string,
  query: URLSearchParams,
): Promise<void> {
  const param = parseSessionIdParam(rawId);
  // Registered before any await, so a client that leaves during a slow store read still ends it all.
  const abort = new AbortController();
  let closed = false;
  res.on('close', () => {
    closed = true;
    abort.abort();
  });
  if ('error' in param) return sendError(res, 400, 'BAD_REQUEST', param.error);
  const from = query.get('from');
  if (from !== null && (parseLastEventId(from) ?? null) === null) {
    return sendError(res, 400, 'BAD_REQUEST', 'from: must be a non-negative integer (a seq)');
  }
  const compactParam = query.get('compact');
  if (compactParam !== null && compactParam !== '0' && compactParam !== '1') {
    return sendError(res, 400, 'BAD_REQUEST', 'compact: must be 0 (raw deltas) or 1 (the default)');
  }
  const compact = compactParam !== '0';
  const header = req.headers['last-event-id'];
  const lastEventId = typeof header === 'string' && header !== '' ? header : (from ?? undefined);

  const session = await ctx.store.getSession(param.id);
  if (!session) return sendError(res, 404, 'NOT_FOUND', sessionNotFound(param.id).message);
  const resumeAt = parseLastEventId(lastEventId);
  if (isFinished(session.status) && typeof resumeAt === 'number' && resumeAt === session.lastSeq) {
    res.writeHead(204).end();
    return;
  }

  if (abort.signal.aborted) return;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Tells nginx-style proxies not to buffer this response.
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const ping = setInterval(() => res.write(': ping\n\n'), TRANSPORT_TIMING.ssePingMs);
  const ended = ctx.metrics?.subscriptionStarted('plain_sse', 'events.onEvents');
  try {
    // Live events are written from the hub callback (see followSessionEvents).
    await followSessionEvents(
      { ...ctx, session, sessionId: param.id, lastEventId, signal: abort.signal, compact },
      {
        push(message) {
          if (closed) return false;
          if (message.kind === 'head') return true;
          ctx.metrics?.delivered('plain_sse');
          return res.write(
            message.kind === 'event'
              ? plainFrame(message)
              : `event: reset\ndata: ${JSON.stringify(message)}\n\n`,
          );
        },
        // Backpressure: a reader that stops reading holds one socket buffer, not the whole trail.
        drained: (signal) => drainedOf(res, signal),
      },
    );
  } catch (err) {
    // A session deleted mid-stream ends here with NOT_FOUND; EventSource's reconnect then gets 404.
    const body = isLivetrailError(err)
      ? { code: err.code, message: err.message }
      : { message: 'internal error' };
    if (!isLivetrailError(err)) ctx.log.error({ err }, 'plain SSE stream failed');
    res.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
  } finally {
    ended?.();
    clearInterval(ping);
    res.end();
  }
}
