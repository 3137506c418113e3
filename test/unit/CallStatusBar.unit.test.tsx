import { cleanup, render, screen } from '@solidjs/testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { CallStatusBar } from '../../client/components/CallStatusBar.tsx';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';

function folded(events: AgentEvent[]) {
  const start = initialSession({ id: 's1', title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' });
  return events.reduce(
    (s, e, i) => reduceSession(s, { ...e, sessionId: 's1', seq: i + 1, ts: '2026-01-01T00:00:01.000Z' }),
    start,
  );
}

function stat(name: string): string | null | undefined {
  return screen.getByTestId('call-status').querySelector(`[data-stat=${name}]`)?.textContent;
}

afterEach(cleanup);

describe('CallStatusBar', () => {
  it('shows agent state, calls in flight, cost and token totals', () => {
    const session = folded([
      { type: 'cost', usd: 0.0123, inputTokens: 1000, outputTokens: 200 },
      { type: 'cost', usd: 0.002, inputTokens: 500, outputTokens: 50 },
      { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 2, toolCallsInFlight: 1 },
    ]);
    render(() => <CallStatusBar session={session} />);
    expect(stat('agent-state')).toBe('calling tool');
    expect(stat('llm-in-flight')).toBe('2');
    expect(stat('tools-in-flight')).toBe('1');
    expect(stat('cost')).toBe('$0.0143');
    expect(stat('tokens-in')).toBe('1,500');
    expect(stat('tokens-out')).toBe('250');
    expect(stat('llm-calls')).toBe('2');
    expect(stat('tool-calls')).toBe('1');
  });

  it('shows costs from a dollar up with two decimals', () => {
    render(() => (
      <CallStatusBar session={folded([{ type: 'cost', usd: 12.345, inputTokens: 0, outputTokens: 0 }])} />
    ));
    expect(stat('cost')).toBe('$12.35');
  });

  it('says waiting for you when the agent waits for the user', () => {
    const session = folded([
      { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
    ]);
    render(() => <CallStatusBar session={session} />);
    expect(stat('agent-state')).toBe('waiting for you');
  });

  it("says catching up while replaying, and shows the live list's session instead of the replayed past", () => {
    const replayed = folded([
      { type: 'cost', usd: 0.0055, inputTokens: 10, outputTokens: 1 },
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 0, toolCallsInFlight: 1 },
    ]);
    const current = folded([
      { type: 'cost', usd: 1.1, inputTokens: 100, outputTokens: 10 },
      { type: 'state', agentState: 'idle', llmCallsInFlight: 0, toolCallsInFlight: 0 },
    ]);
    render(() => <CallStatusBar session={replayed} behind={1234} current={current} />);
    expect(stat('agent-state')).toBe('catching up · 1,234 to go');
    expect(screen.getByTestId('call-status').dataset.catchingUp).toBe('true');
    expect(stat('cost')).toBe('$1.10');
    expect(stat('tools-in-flight')).toBe('0');
  });

  it('shows no stale numbers while catching up without a listed session, nor before the head is known', () => {
    const replayed = folded([
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 1, toolCallsInFlight: 1 },
    ]);
    render(() => <CallStatusBar session={replayed} behind="unknown" />);
    expect(stat('agent-state')).toBe('catching up…');
    expect(stat('llm-in-flight')).toBe('–');
    expect(stat('tools-in-flight')).toBe('–');
  });

  it('shows the fold again once caught up', () => {
    const session = folded([
      { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
    ]);
    render(() => <CallStatusBar session={session} behind={0} current={folded([])} />);
    expect(stat('agent-state')).toBe('thinking');
    expect(stat('llm-in-flight')).toBe('1');
    expect(screen.getByTestId('call-status').dataset.catchingUp).toBe('false');
  });

  it('says "writing…" while the agent streams a message, and not once it ended', () => {
    const start = { type: 'message_start', messageId: 'm1', role: 'assistant' } as const;
    const writing = folded([start, { type: 'message_delta', messageId: 'm1', text: 'hi' }]);
    const view = render(() => <CallStatusBar session={writing} />);
    expect(screen.getByTestId('writing').textContent).toBe(' · writing…');
    expect(stat('agent-state')).toBe('idle');
    view.unmount();
    render(() => <CallStatusBar session={folded([start, { type: 'message_end', messageId: 'm1' }])} />);
    expect(screen.queryByTestId('writing')).toBeNull();
  });

  it('says "writing…" while catching up only from the live list, not from the replayed past', () => {
    const past = folded([{ type: 'message_start', messageId: 'm1', role: 'thought' }]);
    const view = render(() => <CallStatusBar session={past} behind={10} />);
    expect(screen.queryByTestId('writing')).toBeNull();
    view.unmount();
    render(() => <CallStatusBar session={folded([])} behind={10} current={past} />);
    expect(screen.getByTestId('writing')).toBeTruthy();
  });
});
