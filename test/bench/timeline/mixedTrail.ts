import type { AgentEvent } from '../../../shared/agentEvent.ts';

const WORDS =
  'the agent reads the repository then runs the tests and looks at the failing parser before it edits a file'.split(
    ' ',
  );

/** Deterministic text of roughly `words` words, varied by `i`. */
function text(i: number, words: number): string {
  return Array.from({ length: words }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(' ');
}

/**
 * The `i`th event (0-based) of a realistic, repeating agent step: state, thought, cost, tool call and
 * result, state, cost, assistant message — with the odd user message. Over a long trail about half
 * the events are rows (state, cost and results joining their call are not).
 */
export function mixedEvent(i: number): AgentEvent {
  const step = Math.floor(i / 10);
  switch (i % 10) {
    case 0:
      return step % 5 === 0
        ? { type: 'user_message', text: `step ${step}: ${text(i, 12)}` }
        : { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 };
    case 1:
      return { type: 'thought', text: `${text(i, 20 + (i % 30))}\n${text(i + 1, 10)}` };
    case 2:
      return { type: 'cost', usd: 0.001 * (1 + (i % 7)), inputTokens: 1000 + i, outputTokens: 50 + (i % 90) };
    case 3:
      return { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 0, toolCallsInFlight: 1 };
    case 4:
      return {
        type: 'tool_call',
        callId: `call-${step}`,
        tool: 'bash',
        args: { cmd: `grep -rn step${step} src` },
      };
    case 5:
      return {
        type: 'tool_result',
        callId: `call-${step}`,
        tool: 'bash',
        ok: step % 9 !== 0,
        output: `src/file${step}.ts:${i}: ${text(i, 8)}`,
      };
    case 6:
      return { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 };
    case 7:
      return { type: 'assistant_message', text: `${text(i, 15 + (i % 60))}` };
    case 8:
      return { type: 'cost', usd: 0.002, inputTokens: 2000 + i, outputTokens: 120 };
    default:
      return step % 13 === 0
        ? { type: 'error', message: `tool timed out at step ${step}` }
        : { type: 'assistant_message', text: `step ${step} done: ${text(i, 6)}` };
  }
}

/** `n` mixed events, the `from`th (0-based) first. */
export function mixedEvents(n: number, from = 0): AgentEvent[] {
  return Array.from({ length: n }, (_, k) => mixedEvent(from + k));
}
