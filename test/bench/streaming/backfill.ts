import { EventSource } from 'eventsource';
import type { Browser } from 'playwright-core';
import { sessionPath } from '../../../client/state/sessionRoute.ts';
import type { AgentEvent } from '../../../shared/agentEvent.ts';
import { createLivetrailClient, type LivetrailClient } from '../../../shared/createLivetrailClient.ts';
import { epochNow } from './liveStreams.ts';
import { type CaughtUpProbe, installCaughtUpProbe } from './pageProbes.ts';

/** The stored backfill session: where its last message starts, and the tokens that bound its text. */
export interface BackfillSession {
  sessionId: string;
  messages: number;
  lastMessageId: string;
  lastStartSeq: number;
  firstToken: string;
  lastToken: string;
}

/** The `d`th 8-character delta of message `m`: `m07d123 `. */
const delta = (m: number, d: number) => `m${String(m).padStart(2, '0')}d${String(d).padStart(3, '0')} `;

/** Stores a session of `messages` finished messages of `deltas` 8-character deltas each (batches of 1000). */
export async function seedBackfill(
  client: LivetrailClient,
  opts: { messages: number; deltas: number },
): Promise<BackfillSession> {
  const { id } = await client.api.sessions.create.mutate({ title: 'streaming backfill', agent: 'bench' });
  const events: AgentEvent[] = [];
  for (let m = 0; m < opts.messages; m++) {
    const messageId = `msg-${m}`;
    events.push({ type: 'message_start', messageId, role: 'assistant' });
    for (let d = 0; d < opts.deltas; d++)
      events.push({ type: 'message_delta', messageId, text: delta(m, d) });
    events.push({ type: 'message_end', messageId });
  }
  for (let i = 0; i < events.length; i += 1000) {
    await client.api.events.append.mutate({ sessionId: id, events: events.slice(i, i + 1000) });
  }
  const last = opts.messages - 1;
  return {
    sessionId: id,
    messages: opts.messages,
    lastMessageId: `msg-${last}`,
    lastStartSeq: 1 + last * (opts.deltas + 2),
    firstToken: delta(last, 0).trim(),
    lastToken: delta(last, opts.deltas - 1).trim(),
  };
}

/** What a late joiner received until the last message arrived. */
export interface JoinResult {
  frames: number;
  bytes: number;
  /** Request sent → first byte (plain SSE) / first frame (tRPC), ms. */
  firstMs: number;
  /** First byte / first frame → the frame that carries the last message, ms. */
  caughtUpMs: number;
}

/** Whether a frame's event is the one that finishes the last message: its compacted frame, or its raw end. */
function finishes(
  event: { type: string; messageId?: string },
  s: BackfillSession,
  compact: boolean,
): boolean {
  return (
    event.messageId === s.lastMessageId && event.type === (compact ? 'assistant_message' : 'message_end')
  );
}

/**
 * Joins over the plain SSE route with fetch (`?compact=0` for raw deltas) and reads until the frame
 * finishing the last message: frames are `\n\n`-separated blocks other than comments and `retry:`;
 * bytes are the response body's.
 */
export async function joinPlainSse(url: string, s: BackfillSession, compact: boolean): Promise<JoinResult> {
  const abort = new AbortController();
  const t0 = epochNow();
  const path = `/api/sessions/${encodeURIComponent(s.sessionId)}/events/stream${compact ? '' : '?compact=0'}`;
  const res = await fetch(new URL(path, url), { signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`plain SSE: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let firstAt = 0;
  let bytes = 0;
  let frames = 0;
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('plain SSE ended before the last message');
      if (firstAt === 0) firstAt = epochNow();
      bytes += value.byteLength;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      let start = 0;
      while (end !== -1) {
        const frame = buffer.slice(start, end);
        start = end + 2;
        end = buffer.indexOf('\n\n', start);
        const lines = frame.split('\n');
        if (lines.every((l) => l.startsWith(':') || l.startsWith('retry:'))) continue;
        frames++;
        const data = lines.find((l) => l.startsWith('data: '));
        if (data?.includes(s.lastMessageId) && finishes(JSON.parse(data.slice(6)), s, compact)) {
          return { frames, bytes, firstMs: firstAt - t0, caughtUpMs: epochNow() - firstAt };
        }
      }
      buffer = buffer.slice(start);
    }
  } finally {
    abort.abort();
  }
}

/**
 * Joins over tRPC SSE (`events.onEvents`, `compact` true/false) with a Node client whose
 * EventSource counts the response body's bytes; frames are `onData` calls.
 */
export async function joinTrpc(url: string, s: BackfillSession, compact: boolean): Promise<JoinResult> {
  let bytes = 0;
  const countingFetch = async (input: string | URL, init?: RequestInit) => {
    const res = await fetch(input, init);
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        bytes += chunk.byteLength;
        out.enqueue(chunk);
      },
    });
    return {
      body: res.body?.pipeThrough(counter) ?? null,
      url: res.url,
      status: res.status,
      redirected: res.redirected,
      headers: res.headers,
    };
  };
  class CountingEventSource extends EventSource {
    constructor(input: string | URL, init?: ConstructorParameters<typeof EventSource>[1]) {
      super(input, { ...init, fetch: countingFetch });
    }
  }
  const client = createLivetrailClient({ url, EventSource: CountingEventSource });
  const t0 = epochNow();
  let firstAt = 0;
  let frames = 0;
  try {
    return await new Promise<JoinResult>((resolve, reject) => {
      const sub = client.api.events.onEvents.subscribe(
        { sessionId: s.sessionId, compact },
        {
          onData(item) {
            if (firstAt === 0) firstAt = epochNow();
            frames++;
            // Events come tracked ({ id, data }); a reset comes bare.
            const message = 'data' in item ? item.data : item;
            if (message.kind === 'event' && finishes(message.event, s, compact)) {
              sub.unsubscribe();
              resolve({ frames, bytes, firstMs: firstAt - t0, caughtUpMs: epochNow() - firstAt });
            }
          },
          onError: reject,
        },
      );
    });
  } finally {
    client.close();
  }
}

/** Opens the session in a fresh context and times (from navigation) the last message's full text. */
export async function joinChromium(
  browser: Browser,
  url: string,
  s: BackfillSession,
): Promise<CaughtUpProbe> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(installCaughtUpProbe, {
      startSeq: s.lastStartSeq,
      firstToken: s.firstToken,
      lastToken: s.lastToken,
    });
    await page.goto(new URL(sessionPath(s.sessionId), url).href);
    await page.waitForFunction(
      () => window.__ltCaughtUp?.fullTextAt != null && window.__ltCaughtUp.connectedAt != null,
      null,
      { timeout: 120_000 },
    );
    return (await page.evaluate(() => window.__ltCaughtUp))!;
  } finally {
    await context.close();
  }
}
