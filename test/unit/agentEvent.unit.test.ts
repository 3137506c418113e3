import { describe, expect, it } from 'vitest';
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
    ];
    expect(valid.map((e) => e.type).sort()).toEqual([...AGENT_EVENT_TYPES].sort());
    for (const e of valid) expect(agentEventSchema.safeParse(e).success, e.type).toBe(true);
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
