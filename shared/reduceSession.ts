import type { CompactedMessage, StreamEvent, StreamedRole } from './agentEvent.ts';
import { isCompacted } from './isCompacted.ts';
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
export function reduceSession(session: Session, event: StreamEvent): Session {
  if (isCompacted(event)) return reduceCompacted(session, event);
  const next: Session = { ...session, lastSeq: event.seq, lastActivityAt: event.ts };
  switch (event.type) {
    case 'message_start':
      next.openMessages = [
        ...(session.openMessages ?? []),
        { messageId: event.messageId, role: event.role, startSeq: event.seq, chars: 0 },
      ];
      return next;
    case 'message_delta':
      next.openMessages = session.openMessages?.map((m) =>
        m.messageId === event.messageId ? { ...m, chars: m.chars + event.text.length } : m,
      );
      return next;
    case 'message_end': {
      const open = session.openMessages?.filter((m) => m.messageId !== event.messageId) ?? [];
      if (open.length > 0) next.openMessages = open;
      else delete next.openMessages;
      return next;
    }
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
    case 'interrupt':
      // The first request is the one that counts: a person pressing Stop again changes nothing here.
      next.interruptRequested ??= {
        seq: event.seq,
        at: event.ts,
        ...(event.reason !== undefined && { reason: event.reason }),
      };
      return next;
    case 'complete':
      next.status = event.status;
      next.agentState = 'idle';
      next.llmCallsInFlight = 0;
      next.toolCallsInFlight = 0;
      if (event.summary !== undefined) next.summary = event.summary;
      // `complete` ends every message still open (a viewer shows them as incomplete).
      delete next.openMessages;
      return next;
    default:
      return next;
  }
}

/**
 * A compacted message stands in for the start, deltas (and end) it covers: a finished one leaves the
 * session's open messages as they were, an open one is open with its text so far. Its seq may be
 * below events already folded (it is sent where its compaction ends), so the position only grows.
 */
function reduceCompacted(session: Session, event: CompactedMessage): Session {
  const next: Session =
    event.seq > session.lastSeq
      ? { ...session, lastSeq: event.seq, lastActivityAt: event.ts }
      : { ...session };
  if (event.open) {
    next.openMessages = [
      ...(session.openMessages ?? []),
      {
        messageId: event.messageId,
        role: (event.type === 'assistant_message' ? 'assistant' : 'thought') as StreamedRole,
        startSeq: event.startSeq,
        chars: event.text.length,
      },
    ].sort((a, b) => a.startSeq - b.startSeq);
  }
  return next;
}
