import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AGENT_EVENT_TYPES, agentEventSchema } from '../../shared/agentEvent.ts';
import { LIMITS } from '../../shared/limits.ts';
import { createSessionInputSchema, sessionIdSchema } from '../../shared/session.ts';

describe('agent event schema', () => {
  it('accepts one valid event of every type', () => {
    const valid = [
      { type: 'user_message', text: 'hi' },
      { type: 'assistant_message', text: 'hello' },
      { type: 'thought', text: 'hmm' },
      { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls', flags: ['-l'] } },
      { type: 'tool_result', callId: 'c1', tool: 'bash', ok: false, output: 'boom' },
      { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
      { type: 'cost', usd: 0.01, inputTokens: 10, outputTokens: 2 },
      { type: 'error', message: 'oops' },
      { type: 'complete', status: 'succeeded', summary: 'ok' },
      { type: 'message_start', messageId: 'm1', role: 'assistant' },
      { type: 'message_delta', messageId: 'm1', text: 'Hel' },
      { type: 'message_end', messageId: 'm1' },
      { type: 'interrupt', reason: 'wrong branch' },
    ];
    expect(valid.map((e) => e.type).sort()).toEqual([...AGENT_EVENT_TYPES].sort());
    for (const e of valid) expect(agentEventSchema.safeParse(e).success, e.type).toBe(true);
  });

  it('rejects streamed-message events that name no message, an unknown role, or an empty delta', () => {
    const bad = [
      { type: 'message_start', role: 'assistant' },
      { type: 'message_start', messageId: 'm', role: 'user' },
      { type: 'message_start', messageId: '', role: 'thought' },
      { type: 'message_delta', messageId: 'm', text: '' },
      { type: 'message_delta', messageId: 'm', text: 'x'.repeat(LIMITS.textChars + 1) },
      { type: 'message_end', messageId: 'x'.repeat(LIMITS.nameChars + 1) },
    ];
    for (const e of bad)
      expect(agentEventSchema.safeParse(e).success, JSON.stringify(e).slice(0, 80)).toBe(false);
  });

  it('rejects an unknown type', () => {
    expect(agentEventSchema.safeParse({ type: 'telepathy', text: 'x' }).success).toBe(false);
  });

  it('rejects a tool_result without callId and names the field', () => {
    const r = agentEventSchema.safeParse({ type: 'tool_result', tool: 'bash', ok: true, output: '' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['callId']);
  });

  it('rejects negative counts, fractional tokens and non-finite cost', () => {
    const bad = [
      { type: 'state', agentState: 'thinking', llmCallsInFlight: -1, toolCallsInFlight: 0 },
      { type: 'cost', usd: 0.1, inputTokens: 1.5, outputTokens: 0 },
      { type: 'cost', usd: Number.POSITIVE_INFINITY, inputTokens: 1, outputTokens: 0 },
      { type: 'state', agentState: 'dancing', llmCallsInFlight: 0, toolCallsInFlight: 0 },
      { type: 'complete', status: 'done' },
    ];
    for (const e of bad) expect(agentEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(false);
  });

  it('rejects text longer than the limit', () => {
    const r = agentEventSchema.safeParse({ type: 'thought', text: 'x'.repeat(LIMITS.textChars + 1) });
    expect(r.success).toBe(false);
  });

  it('rejects tool args that are not JSON', () => {
    const r = agentEventSchema.safeParse({ type: 'tool_call', callId: 'c', tool: 't', args: () => 1 });
    expect(r.success).toBe(false);
  });

  it('rejects tool args nested half a million deep with the depth message', () => {
    const deep = JSON.parse(`${'['.repeat(500_000)}${']'.repeat(500_000)}`);
    let r: ReturnType<typeof agentEventSchema.safeParse> | undefined;
    expect(() => {
      r = agentEventSchema.safeParse({ type: 'tool_call', callId: 'c', tool: 't', args: deep });
    }).not.toThrow();
    expect(r!.success).toBe(false);
    expect(r!.error!.issues).toHaveLength(1);
    expect(r!.error!.issues[0]!.message).toBe('nesting deeper than 64 levels');
    expect(r!.error!.issues[0]!.path).toEqual(['args', ...Array(LIMITS.jsonDepth).fill(0)]);
  });

  it('returns tool args nested to the depth limit as the very same value', () => {
    const text = `${'{"a":['.repeat(LIMITS.jsonDepth / 2 - 1)}{"a":[1]}${']}'.repeat(LIMITS.jsonDepth / 2 - 1)}`;
    const args = JSON.parse(text);
    const r = agentEventSchema.safeParse({ type: 'tool_call', callId: 'c', tool: 't', args });
    expect(r.success).toBe(true);
    if (r.data?.type !== 'tool_call') throw new Error('expected a tool_call');
    expect(r.data.args).toBe(args);
    expect(r.data.args).toEqual(JSON.parse(text));
  });

  it('rejects a __proto__ key in tool args parsed from JSON', () => {
    const args = JSON.parse('{"x":{"__proto__":{"polluted":true}}}');
    const r = agentEventSchema.safeParse({ type: 'tool_call', callId: 'c', tool: 't', args });
    expect(r.error!.issues).toMatchObject([
      { code: 'custom', message: 'key "__proto__" is not allowed', path: ['args', 'x', '__proto__'] },
    ]);
  });

  it('reports a problem deep in tool output at its path inside the batch', () => {
    const output = JSON.parse('{"x":{"y":[0,1,2,1e999]}}');
    const r = z
      .object({ events: z.array(agentEventSchema) })
      .safeParse({ events: [{ type: 'tool_result', callId: 'c', tool: 't', ok: true, output }] });
    expect(r.error!.issues).toMatchObject([
      { message: 'number must be finite', path: ['events', 0, 'output', 'x', 'y', 3] },
    ]);
  });

  it('rejects a NUL character in a key of tool output', () => {
    const output = JSON.parse('{"rows":[{"a\\u0000":1}]}');
    const r = agentEventSchema.safeParse({ type: 'tool_result', callId: 'c', tool: 't', ok: true, output });
    expect(r.error!.issues).toMatchObject([
      { message: 'key contains a NUL character', path: ['output', 'rows', 0, 'a\u0000'] },
    ]);
  });

  it('accepts cost up to the per-event limits and rejects one past them', () => {
    const cost = (usd: number, inputTokens: number, outputTokens: number) =>
      agentEventSchema.safeParse({ type: 'cost', usd, inputTokens, outputTokens });
    const usd = LIMITS.costUsdPerEvent;
    const tokens = LIMITS.tokensPerEvent;
    expect(usd).toBe(1_000_000);
    expect(tokens).toBe(1_000_000_000);
    expect(cost(usd, tokens, tokens).success).toBe(true);
    expect(cost(usd + 1, 0, 0).error!.issues[0]!.path).toEqual(['usd']);
    expect(cost(0, tokens + 1, 0).error!.issues[0]!.path).toEqual(['inputTokens']);
    expect(cost(0, 0, tokens + 1).error!.issues[0]!.path).toEqual(['outputTokens']);
    expect(cost(1.7e308, 0, 0).success).toBe(false);
  });
});

describe('session schemas', () => {
  it('accepts url-safe ids and rejects anything else', () => {
    expect(sessionIdSchema.safeParse('aZ09_-').success).toBe(true);
    for (const bad of ['', 'a/b', 'a b', '../x', 'x'.repeat(65)]) {
      expect(sessionIdSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('trims titles and rejects empty ones', () => {
    expect(createSessionInputSchema.parse({ title: '  t  ' }).title).toBe('t');
    expect(createSessionInputSchema.safeParse({ title: '   ' }).success).toBe(false);
  });
});
