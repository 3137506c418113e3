import { Show } from 'solid-js';
import type { AgentState } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import { formatUsd } from '../state/formatUsd.ts';
import './CallStatusBar.css';

const AGENT_STATES: Record<AgentState, string> = {
  idle: 'idle',
  thinking: 'thinking',
  calling_tool: 'calling tool',
  waiting_for_user: 'waiting for you',
};

const count = new Intl.NumberFormat('en-US');

/**
 * What the agent is doing right now and what the session has cost so far. While this viewer is still
 * replaying the trail (`behind` > 0, or 'unknown' before the head is known), its fold describes the past: the bar says "catching up" instead
 * of an agent state, and shows the live list's session (`current`, when known) for the rest. While
 * the agent streams a message (the session has open messages) it says "writing…" beside the state.
 */
export function CallStatusBar(props: { session: Session; behind?: number | 'unknown'; current?: Session }) {
  const catchingUp = () => props.behind === 'unknown' || (props.behind ?? 0) > 0;
  const shown = () => (catchingUp() && props.current ? props.current : props.session);
  const totals = () => shown().totals;
  // A replayed fold's open messages are the past's; without the list's session, nothing is said.
  const writing = () => !(catchingUp() && !props.current) && (shown().openMessages?.length ?? 0) > 0;
  return (
    <dl
      class="call-status"
      data-testid="call-status"
      aria-label="Call status"
      data-catching-up={catchingUp()}
    >
      <div class="stat stat-state" data-agent-state={catchingUp() ? 'catching_up' : shown().agentState}>
        <dt>Agent</dt>
        <dd>
          <span data-stat="agent-state">
            {!catchingUp()
              ? AGENT_STATES[shown().agentState]
              : typeof props.behind === 'number'
                ? `catching up · ${count.format(props.behind)} to go`
                : 'catching up…'}
          </span>
          <Show when={writing()}>
            <span class="stat-writing" data-testid="writing">
              {' '}
              · writing…
            </span>
          </Show>
        </dd>
      </div>
      <div class="stat">
        <dt>In flight</dt>
        <dd>
          <span data-stat="llm-in-flight">
            {catchingUp() && !props.current ? '–' : shown().llmCallsInFlight}
          </span>
          <span class="stat-unit"> LLM · </span>
          <span data-stat="tools-in-flight">
            {catchingUp() && !props.current ? '–' : shown().toolCallsInFlight}
          </span>
          <span class="stat-unit"> tool</span>
        </dd>
      </div>
      <div class="stat">
        <dt>Cost</dt>
        <dd data-stat="cost">{formatUsd(totals().costUsd)}</dd>
      </div>
      <div class="stat">
        <dt>Tokens</dt>
        <dd>
          <span data-stat="tokens-in">{count.format(totals().inputTokens)}</span>
          <span class="stat-unit"> in · </span>
          <span data-stat="tokens-out">{count.format(totals().outputTokens)}</span>
          <span class="stat-unit"> out</span>
        </dd>
      </div>
      <div class="stat">
        <dt>Calls so far</dt>
        <dd>
          <span data-stat="llm-calls">{totals().llmCalls}</span>
          <span class="stat-unit"> LLM · </span>
          <span data-stat="tool-calls">{totals().toolCalls}</span>
          <span class="stat-unit"> tool</span>
        </dd>
      </div>
    </dl>
  );
}
