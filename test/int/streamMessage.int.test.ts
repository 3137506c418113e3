import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { streamMessage } from '../../shared/streamMessage.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

const TEXT = 'Streaming a reply word by word, the way a model produces its tokens, into a live trail.';

/** Yields `text` word by word, pausing `ms` between words. */
async function* words(text: string, ms = 2): AsyncGenerator<string> {
  for (const word of text.match(/\s*\S+|\s+/g) ?? []) {
    await new Promise((r) => setTimeout(r, ms));
    yield word;
  }
}

async function* failingAfter(text: string, error: Error): AsyncGenerator<string> {
  yield text;
  throw error;
}

describe('streamMessage against a server', () => {
  const t = useServerAndClient('sse');

  async function stored(sessionId: string): Promise<StoredEvent[]> {
    return (await t.client.api.events.list.query({ sessionId, limit: 1000 })).events;
  }

  it('stores message_start, deltas that join to the source text, and message_end', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'stream' });
    const result = await streamMessage(
      t.client,
      { sessionId: s.id, role: 'assistant', flushMs: 5 },
      words(TEXT),
    );
    const events = await stored(s.id);
    expect(events.map((e) => e.seq)).toEqual(result.seqs);
    expect(events[0]).toMatchObject({
      type: 'message_start',
      messageId: result.messageId,
      role: 'assistant',
    });
    expect(events.at(-1)).toMatchObject({ type: 'message_end', messageId: result.messageId });
    const deltas = events.slice(1, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((e) => e.type === 'message_delta' && e.messageId === result.messageId)).toBe(true);
    expect(deltas.map((e) => (e.type === 'message_delta' ? e.text : '')).join('')).toBe(TEXT);
    expect(result.chars).toBe(TEXT.length);
    const session = await t.client.api.sessions.get.query({ sessionId: s.id });
    expect(session.openMessages ?? []).toEqual([]);
  });

  it('takes the api as well, and its keys make a repeated append a duplicate stored once', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'keys' });
    const opts = { sessionId: s.id, role: 'thought' as const, messageId: 'm1', idempotencyKey: 'think_1' };
    const result = await streamMessage(t.client.api, opts, words('one two three'));
    const again = await t.client.api.events.append.mutate({
      sessionId: s.id,
      events: [{ type: 'message_start', messageId: 'm1', role: 'thought' }],
      idempotencyKey: 'think_1-0',
    });
    expect(again).toEqual({ seqs: [result.seqs[0]], duplicate: true });
    expect((await stored(s.id)).map((e) => e.seq)).toEqual(result.seqs);
  });

  it('leaves the message open when the source throws, and rethrows its error', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'broken' });
    const boom = new Error('model crashed');
    const opts = { sessionId: s.id, role: 'assistant' as const, messageId: 'm1' };
    await expect(streamMessage(t.client, opts, failingAfter('half a rep', boom))).rejects.toBe(boom);
    expect((await stored(s.id)).map((e) => e.type)).toEqual(['message_start', 'message_delta']);
    const session = await t.client.api.sessions.get.query({ sessionId: s.id });
    expect(session.openMessages?.map((m) => m.messageId)).toEqual(['m1']);
  });

  it('rejects with the server’s CONFLICT when the messageId is already open', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'conflict' });
    const opts = { sessionId: s.id, role: 'assistant' as const, messageId: 'm1' };
    await expect(streamMessage(t.client, opts, failingAfter('open', new Error('x')))).rejects.toThrow('x');
    const error = await streamMessage(t.client, opts, words('again')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT' });
    expect((error as Error).message).toMatch(/already open/);
    expect((await stored(s.id)).map((e) => e.type)).toEqual(['message_start', 'message_delta']);
  });
});
