import type { AgentState } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import { formatUsd } from '../state/formatUsd.ts';

const AGENT_STATES: Record<AgentState, string> = {
  idle: 'idle',
  thinking: 'thinking',
  calling_tool: 'calling tool',
  waiting_for_user: 'waiting for you',
};

const count = new Intl.NumberFormat('en-US');

/** What the agent is doing right now and what the session has cost so far. */
export function CallStatusBar(props: { session: Session }) {
  const totals = () => props.session.totals;
  return (
    <dl class="call-status" data-testid="call-status" aria-label="Call status">
      <div class="stat stat-state" data-agent-state={props.session.agentState}>
        <dt>Agent</dt>
        <dd data-stat="agent-state">{AGENT_STATES[props.session.agentState]}</dd>
      </div>
      <div class="stat">
        <dt>In flight</dt>
        <dd>
          <span data-stat="llm-in-flight">{props.session.llmCallsInFlight}</span>
          <span class="stat-unit"> LLM · </span>
          <span data-stat="tools-in-flight">{props.session.toolCallsInFlight}</span>
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
