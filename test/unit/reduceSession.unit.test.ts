import { describe, expect, it } from 'vitest';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import { foldEvents } from '../support/foldEvents.ts';

const meta = { id: 's1', title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' };

const fold = foldEvents;

describe('reduceSession', () => {
  it('starts running, idle, with zero totals', () => {
    expect(initialSession(meta)).toMatchObject({ status: 'running', agentState: 'idle', lastSeq: 0 });
  });

  it('tracks lastSeq and lastActivityAt from every event', () => {
    const s = fold([
      { type: 'thought', text: 'a' },
      { type: 'user_message', text: 'b' },
    ]);
    expect(s.lastSeq).toBe(2);
    expect(s.lastActivityAt).toBe('2026-01-01T00:00:01.000Z');
  });

  it('sums cost, tokens and llm calls, and counts tool calls', () => {
    const s = fold([
      { type: 'cost', usd: 0.1, inputTokens: 100, outputTokens: 10 },
      { type: 'cost', usd: 0.2, inputTokens: 50, outputTokens: 5 },
      { type: 'tool_call', callId: 'c', tool: 't', args: null },
    ]);
    expect(s.totals).toEqual({ costUsd: 0.3, inputTokens: 150, outputTokens: 15, llmCalls: 2, toolCalls: 1 });
  });

  it('follows the agent state and maps waiting_for_user to the session status', () => {
    const waiting = fold([
      { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
    ]);
    expect(waiting.status).toBe('waiting_for_user');
    const busy = fold([
      { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 1, toolCallsInFlight: 2 },
    ]);
    expect(busy).toMatchObject({
      status: 'running',
      agentState: 'calling_tool',
      llmCallsInFlight: 1,
      toolCallsInFlight: 2,
    });
  });

  it('ends with the completion status, summary and nothing in flight', () => {
    const s = fold([
      { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 1 },
      { type: 'complete', status: 'failed', summary: 'gave up' },
    ]);
    expect(s).toMatchObject({
      status: 'failed',
      summary: 'gave up',
      agentState: 'idle',
      llmCallsInFlight: 0,
      toolCallsInFlight: 0,
    });
  });

  it('does not mutate the session it is given', () => {
    const start = initialSession(meta);
    const copy = structuredClone(start);
    reduceSession(start, {
      type: 'cost',
      usd: 1,
      inputTokens: 1,
      outputTokens: 1,
      sessionId: 's1',
      seq: 1,
      ts: 'x',
    });
    expect(start).toEqual(copy);
  });
});
