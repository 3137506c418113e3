import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { LIMITS } from '../../shared/limits.ts';
import { type MessageAppender, streamMessage } from '../../shared/streamMessage.ts';
import { settle } from '../support/settle.ts';

/** A client that records its appends; each takes `latencyMs`, and append number `failAt` fails. */
function fakeClient(opts: { latencyMs?: number; failAt?: number; error?: unknown } = {}) {
  const appends: { event: AgentEvent; idempotencyKey: string; at: number }[] = [];
  const stats = { inFlight: 0, maxInFlight: 0 };
  const mutate: MessageAppender['events']['append']['mutate'] = async (input) => {
    expect(input.events).toHaveLength(1);
    const index = appends.length;
    appends.push({ event: input.events[0]!, idempotencyKey: input.idempotencyKey, at: Date.now() });
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    try {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      if (index === opts.failAt) throw opts.error;
      return { seqs: [index + 1] };
    } finally {
      stats.inFlight--;
    }
  };
  return {
    api: { events: { append: { mutate } } },
    appends,
    stats,
    types: () => appends.map((a) => a.event.type),
    deltas: () => appends.flatMap((a) => (a.event.type === 'message_delta' ? [a.event.text] : [])),
  };
}

/** A source fed by hand: chunks, then `end()` or `fail(error)`; `state.returned` once told to finish. */
function channel() {
  const ready: Promise<IteratorResult<string>>[] = [];
  const waiting: ((r: Promise<IteratorResult<string>>) => void)[] = [];
  const state = { returned: false };
  const deliver = (r: Promise<IteratorResult<string>>) => {
    r.catch(() => {});
    const wake = waiting.shift();
    if (wake) wake(r);
    else ready.push(r);
  };
  const iterator: AsyncIterator<string> = {
    next: () => ready.shift() ?? new Promise((resolve) => waiting.push(resolve)),
    return: async () => {
      state.returned = true;
      return { done: true, value: undefined };
    },
  };
  return {
    source: { [Symbol.asyncIterator]: () => iterator },
    state,
    push: (text: string) => deliver(Promise.resolve({ done: false, value: text })),
    end: () => deliver(Promise.resolve({ done: true, value: undefined })),
    fail: (error: unknown) => deliver(Promise.reject(error)),
  };
}

async function* chunks(...texts: string[]): AsyncGenerator<string> {
  yield* texts;
}

const base = { sessionId: 's1', role: 'assistant' as const };
const tick = () => vi.advanceTimersByTimeAsync(0);

describe('streamMessage', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('appends message_start, the text, then message_end, and resolves with the seqs', async () => {
    const c = fakeClient();
    const opts = { ...base, role: 'thought' as const, messageId: 'm1' };
    const result = await streamMessage(c.api, opts, chunks('Hi', ' there'));
    expect(c.appends.map((a) => a.event)).toEqual([
      { type: 'message_start', messageId: 'm1', role: 'thought' },
      { type: 'message_delta', messageId: 'm1', text: 'Hi there' },
      { type: 'message_end', messageId: 'm1' },
    ]);
    expect(result).toEqual({ messageId: 'm1', seqs: [1, 2, 3], chars: 8 });
  });

  it('generates a fresh URL-safe messageId when none is given; takes a LivetrailClient too', async () => {
    const c = fakeClient();
    const a = await streamMessage(c.api, base, chunks('x'));
    const b = await streamMessage({ api: c.api }, base, chunks('y'));
    expect(c.types().slice(3)).toEqual(['message_start', 'message_delta', 'message_end']);
    expect(a.messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b.messageId).not.toBe(a.messageId);
    expect(c.appends[0]!.event).toEqual({ type: 'message_start', messageId: a.messageId, role: 'assistant' });
  });

  it('sends pending text flushMs after it arrived, coalesced into one delta', async () => {
    const c = fakeClient();
    const ch = channel();
    const done = settle(streamMessage(c.api, { ...base, flushMs: 50 }, ch.source));
    await tick();
    ch.push('a');
    await vi.advanceTimersByTimeAsync(10);
    ch.push('b');
    await vi.advanceTimersByTimeAsync(10);
    ch.push('c');
    await vi.advanceTimersByTimeAsync(29);
    expect(c.deltas()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.deltas()).toEqual(['abc']);
    ch.push('d');
    await vi.advanceTimersByTimeAsync(49);
    expect(c.deltas()).toEqual(['abc']);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.deltas()).toEqual(['abc', 'd']);
    ch.end();
    await tick();
    expect(done.done).toBe(true);
    expect(c.types()).toEqual(['message_start', 'message_delta', 'message_delta', 'message_end']);
  });

  it('sends at once when flushChars are pending, without waiting for flushMs', async () => {
    const c = fakeClient();
    const ch = channel();
    settle(streamMessage(c.api, { ...base, flushMs: 10_000, flushChars: 5 }, ch.source));
    ch.push('ab');
    ch.push('cd');
    await tick();
    expect(c.deltas()).toEqual([]);
    ch.push('e');
    await tick();
    expect(c.deltas()).toEqual(['abcde']);
    ch.push('fghijkl');
    await tick();
    expect(c.deltas()).toEqual(['abcde', 'fghijkl']);
    ch.end();
  });

  it('never sends an empty delta', async () => {
    const c = fakeClient();
    await streamMessage(c.api, base, chunks('', '', ''));
    expect(c.types()).toEqual(['message_start', 'message_end']);
    const ch = channel();
    const done = settle(streamMessage(c.api, { ...base, flushMs: 50 }, ch.source));
    ch.push('');
    await vi.advanceTimersByTimeAsync(100);
    ch.push('a');
    ch.push('');
    await vi.advanceTimersByTimeAsync(100);
    ch.push('');
    await vi.advanceTimersByTimeAsync(100);
    ch.end();
    await vi.advanceTimersByTimeAsync(100);
    expect(done.done).toBe(true);
    expect(c.types().slice(2)).toEqual(['message_start', 'message_delta', 'message_end']);
    expect(c.deltas()).toEqual(['a']);
  });

  it('splits a chunk longer than LIMITS.textChars across deltas', async () => {
    const c = fakeClient();
    const text = 'x'.repeat(2 * LIMITS.textChars + 123);
    const result = await streamMessage(c.api, base, chunks(text));
    expect(c.deltas().map((d) => d.length)).toEqual([LIMITS.textChars, LIMITS.textChars, 123]);
    expect(c.deltas().join('')).toBe(text);
    expect(result.chars).toBe(text.length);
  });

  it('keeps each delta within LIMITS.eventBytes and never splits a surrogate pair', async () => {
    const c = fakeClient();
    const text = `a${'😀'.repeat(LIMITS.textChars)}${'€'.repeat(LIMITS.textChars)}`;
    const delta = (text: string) => ({ type: 'message_delta', messageId: 'm', text });
    await streamMessage(c.api, { ...base, messageId: 'm' }, chunks(text));
    const deltas = c.deltas();
    expect(deltas.join('')).toBe(text);
    expect(deltas.length).toBeGreaterThan(2);
    const bytes = (text: string) => new TextEncoder().encode(JSON.stringify(delta(text))).byteLength;
    for (const d of deltas) {
      expect(d.length).toBeLessThanOrEqual(LIMITS.textChars);
      expect(bytes(d)).toBeLessThanOrEqual(LIMITS.eventBytes);
      expect(/\p{Cs}/u.test(d)).toBe(false); // a lone surrogate
    }
  });

  it('derives one idempotency key per append from the prefix, the same on every run', async () => {
    const keysOf = async () => {
      const c = fakeClient();
      await streamMessage(c.api, { ...base, idempotencyKey: 'msg_1', flushChars: 1 }, chunks('a', 'b', 'c'));
      return c.appends.map((a) => a.idempotencyKey);
    };
    const first = await keysOf();
    expect(first).toEqual(['msg_1-0', 'msg_1-1', 'msg_1-2', 'msg_1-3', 'msg_1-4']);
    expect(await keysOf()).toEqual(first);
  });

  it('without a prefix, uses a fresh well-formed prefix per call and a unique key per append', async () => {
    const c = fakeClient();
    await streamMessage(c.api, { ...base, flushChars: 1 }, chunks('a', 'b'));
    await streamMessage(c.api, { ...base, flushChars: 1 }, chunks('a', 'b'));
    const keys = c.appends.map((a) => a.idempotencyKey);
    expect(new Set(keys).size).toBe(8);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{22}-\d$/);
    expect(keys[0]!.slice(0, 22)).not.toBe(keys[4]!.slice(0, 22));
  });

  it('refuses a prefix that is no idempotency key, before appending anything', async () => {
    const c = fakeClient();
    const refused = streamMessage(c.api, { ...base, idempotencyKey: 'a:b' }, chunks('x'));
    await expect(refused).rejects.toThrow(/idempotencyKey/);
    expect(c.appends).toEqual([]);
  });

  it('appends one at a time; text arriving meanwhile goes out in one delta right after', async () => {
    const c = fakeClient({ latencyMs: 100 });
    const ch = channel();
    const done = settle(streamMessage(c.api, { ...base, flushMs: 50, flushChars: 1000 }, ch.source));
    ch.push('a'); // due at 50, while message_start is still in flight (until 100)
    await vi.advanceTimersByTimeAsync(60);
    ch.push('b');
    await vi.advanceTimersByTimeAsync(60); // t=120: 'ab' sent at 100, in flight until 200
    ch.push('c');
    await vi.advanceTimersByTimeAsync(10);
    ch.push('d');
    ch.end();
    await vi.advanceTimersByTimeAsync(500);
    expect(done.done).toBe(true);
    expect(c.stats.maxInFlight).toBe(1);
    expect(c.appends.map((a) => [a.event.type, a.at])).toEqual([
      ['message_start', 0],
      ['message_delta', 100],
      ['message_delta', 200],
      ['message_end', 300],
    ]);
    expect(c.deltas()).toEqual(['ab', 'cd']);
  });

  it('if the source throws: sends what it read, no message_end, and rethrows its error', async () => {
    const c = fakeClient();
    const ch = channel();
    const done = settle(streamMessage(c.api, { ...base, flushMs: 1000 }, ch.source));
    ch.push('partial');
    await tick();
    const boom = new Error('model crashed');
    ch.fail(boom);
    await tick();
    expect(done.error).toBe(boom);
    expect(c.types()).toEqual(['message_start', 'message_delta']);
    expect(c.deltas()).toEqual(['partial']);
  });

  it('on abort: stops reading, sends what it read, no message_end, rejects with the reason', async () => {
    const c = fakeClient();
    const ch = channel();
    const ac = new AbortController();
    const done = settle(streamMessage(c.api, { ...base, flushMs: 1000, signal: ac.signal }, ch.source));
    ch.push('xy');
    await tick();
    const reason = new Error('stopped');
    ac.abort(reason);
    await tick();
    expect(done.error).toBe(reason);
    expect(ch.state.returned).toBe(true);
    expect(c.types()).toEqual(['message_start', 'message_delta']);
    expect(c.deltas()).toEqual(['xy']);
  });

  it('appends nothing when the signal is already aborted', async () => {
    const c = fakeClient();
    const reason = new Error('early');
    const refused = streamMessage(c.api, { ...base, signal: AbortSignal.abort(reason) }, chunks('x'));
    await expect(refused).rejects.toBe(reason);
    expect(c.appends).toEqual([]);
  });

  it('rejects with a failed append’s error and stops reading the source', async () => {
    const error = TRPCClientError.from({ error: { message: 'conflict', code: -32009, data: {} } });
    const c = fakeClient({ failAt: 1, error });
    const ch = channel();
    const done = settle(streamMessage(c.api, { ...base, flushChars: 1 }, ch.source));
    ch.push('a');
    await tick();
    ch.push('b');
    await tick();
    expect(done.error).toBe(error);
    expect(ch.state.returned).toBe(true);
    expect(c.types()).toEqual(['message_start', 'message_delta']);
  });

  it('rejects with the error of a failed message_start while the source is still silent', async () => {
    const error = new Error('unreachable');
    const c = fakeClient({ failAt: 0, error });
    const ch = channel();
    const done = settle(streamMessage(c.api, base, ch.source));
    await tick();
    expect(done.error).toBe(error);
    expect(ch.state.returned).toBe(true);
  });
});
