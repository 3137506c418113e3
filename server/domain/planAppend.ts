import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { findJsonProblem } from '../../shared/jsonValueSchema.ts';
import { LIMITS } from '../../shared/limits.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { reduceSession } from '../../shared/reduceSession.ts';
import { isFinished, type Session } from '../../shared/session.ts';

/** The outcome of a valid append: the stored events and the session after them. */
export interface AppendPlan {
  events: StoredEvent[];
  session: Session;
}

const encoder = new TextEncoder();

/**
 * The rules of appending, with no I/O: a finished session takes no more events, nothing may follow
 * `complete` in a batch, each event and the batch fit their size limits, every value can be stored
 * by every backend (no NUL or `$`-prefixed key, no nesting deeper than the limit), and seqs continue
 * gap-free from `lastSeq`; a streamed message is started once, takes deltas and its end only while
 * open, and stays within its text limit (`checkStreaming`). The schemas check the same on the way in; this holds for in-process
 * callers too, so a payload MongoDB would refuse never reaches a store.
 * Throws a LivetrailError naming the offending event; a thrown plan stores nothing.
 */
export function planAppend(session: Session, events: AgentEvent[], now: string): AppendPlan {
  if (events.length === 0) throw new LivetrailError('BAD_REQUEST', 'events: must contain at least one event');
  if (events.length > LIMITS.batchEvents) {
    throw new LivetrailError('PAYLOAD_TOO_LARGE', `events: at most ${LIMITS.batchEvents} events per batch`);
  }
  if (isFinished(session.status)) {
    throw new LivetrailError('CONFLICT', `session ${session.id} is already complete (${session.status})`);
  }
  let next = session;
  let batchBytes = 0;
  const stored: StoredEvent[] = [];
  events.forEach((event, i) => {
    if (isFinished(next.status)) {
      throw new LivetrailError('CONFLICT', `events.${i}: nothing may follow a complete event`);
    }
    // Walked first: serializing hostile nesting would overflow the stack before the limit is seen.
    for (const [field, value] of Object.entries(event)) {
      const problem = findJsonProblem(value);
      if (problem) {
        const where = [i, field, ...problem.path].join('.');
        throw new LivetrailError('BAD_REQUEST', `events.${where}: ${problem.message}`);
      }
    }
    const bytes = encoder.encode(JSON.stringify(event)).byteLength;
    if (bytes > LIMITS.eventBytes) {
      throw new LivetrailError(
        'PAYLOAD_TOO_LARGE',
        `events.${i}: ${bytes} bytes, more than the ${LIMITS.eventBytes}-byte limit for one event`,
      );
    }
    batchBytes += bytes;
    if (batchBytes > LIMITS.batchBytes) {
      throw new LivetrailError(
        'PAYLOAD_TOO_LARGE',
        `events: more than the ${LIMITS.batchBytes}-byte limit for one batch (reached at events.${i}); split it`,
      );
    }
    checkStreaming(next, event, i);
    const s: StoredEvent = { ...event, sessionId: session.id, seq: next.lastSeq + 1, ts: now };
    stored.push(s);
    next = reduceSession(next, s);
  });
  return { events: stored, session: next };
}

/**
 * The rules of streamed messages against the session's open ones: a `message_start` for an id that
 * is open, or beyond `LIMITS.openMessages` at once, and a delta or end for an id that is not open
 * (never started, or already ended) are CONFLICT; a delta past the message's `LIMITS.textChars` is
 * PAYLOAD_TOO_LARGE.
 */
function checkStreaming(session: Session, event: AgentEvent, i: number): void {
  if (event.type !== 'message_start' && event.type !== 'message_delta' && event.type !== 'message_end')
    return;
  const open = session.openMessages ?? [];
  const current = open.find((m) => m.messageId === event.messageId);
  if (event.type === 'message_start') {
    if (current)
      throw new LivetrailError('CONFLICT', `events.${i}: message ${event.messageId} is already open`);
    if (open.length >= LIMITS.openMessages) {
      throw new LivetrailError(
        'CONFLICT',
        `events.${i}: ${LIMITS.openMessages} messages are open already; end one before starting another`,
      );
    }
    return;
  }
  if (!current) {
    throw new LivetrailError(
      'CONFLICT',
      `events.${i}: message ${event.messageId} is not open (never started, or already ended)`,
    );
  }
  if (event.type === 'message_delta' && current.chars + event.text.length > LIMITS.textChars) {
    throw new LivetrailError(
      'PAYLOAD_TOO_LARGE',
      `events.${i}: message ${event.messageId} would exceed ${LIMITS.textChars} characters; end it and start another`,
    );
  }
}
