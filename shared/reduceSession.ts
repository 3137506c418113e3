import type { StoredEvent } from './agentEvent.ts';
import type { Session } from './session.ts';

/** A brand-new session with nothing derived yet. */
export function initialSession(meta: {
  id: string;
  title: string;
  agent: string;
  createdAt: string;
}): Session {
  return {
    ...meta,
    status: 'running',
    lastSeq: 0,
    lastActivityAt: meta.createdAt,
    totals: { costUsd: 0, inputTokens: 0, outputTokens: 0, llmCalls: 0, toolCalls: 0 },
    agentState: 'idle',
    llmCallsInFlight: 0,
    toolCallsInFlight: 0,
  };
}

/**
 * Folds one stored event into a session's derived state. Pure: the server and the SPA both use it,
 * so a viewer that folds the whole trail arrives at exactly the server's session.
 */
export function reduceSession(session: Session, event: StoredEvent): Session {
  const next: Session = { ...session, lastSeq: event.seq, lastActivityAt: event.ts };
  switch (event.type) {
    case 'state':
      next.agentState = event.agentState;
      next.llmCallsInFlight = event.llmCallsInFlight;
      next.toolCallsInFlight = event.toolCallsInFlight;
      next.status = event.agentState === 'waiting_for_user' ? 'waiting_for_user' : 'running';
      return next;
    case 'cost':
      next.totals = {
        ...session.totals,
        // Rounded to a micro-dollar so sums of many small floats stay readable and identical everywhere.
        costUsd: Math.round((session.totals.costUsd + event.usd) * 1e6) / 1e6,
        inputTokens: session.totals.inputTokens + event.inputTokens,
        outputTokens: session.totals.outputTokens + event.outputTokens,
        llmCalls: session.totals.llmCalls + 1,
      };
      return next;
    case 'tool_call':
      next.totals = { ...session.totals, toolCalls: session.totals.toolCalls + 1 };
      return next;
    case 'complete':
      next.status = event.status;
      next.agentState = 'idle';
      next.llmCallsInFlight = 0;
      next.toolCallsInFlight = 0;
      if (event.summary !== undefined) next.summary = event.summary;
      return next;
    default:
      return next;
  }
}
