import type { StoredEvent } from '../../shared/agentEvent.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';

/** What a viewer holds of one session's trail. */
export interface TrailState {
  /** Every applied event, in seq order. */
  events: StoredEvent[];
  /** The events folded with the shared reducer (title, agent and createdAt are blank: they come from the list). */
  folded: Session;
  /** Whether the server had to start over (the notice stays until the viewer leaves). */
  wasReset: boolean;
}

/** Nothing applied yet. */
export function emptyTrail(sessionId: string, wasReset = false): TrailState {
  return {
    events: [],
    folded: initialSession({ id: sessionId, title: '', agent: '', createdAt: '' }),
    wasReset,
  };
}

/**
 * The trail after a batch of `events.onEvents` messages. A reset drops everything (the whole trail
 * follows from seq 1); an event at or below the last applied seq is a duplicate from a resume and is
 * ignored. The events array is copied once per batch, not once per event, so a long backfill stays linear.
 */
export function applyStreamMessages(
  trail: TrailState,
  messages: readonly SessionStreamMessage[],
): TrailState {
  let { events, folded, wasReset } = trail;
  let changed = false;
  for (const message of messages) {
    if (message.kind === 'reset') {
      ({ events, folded, wasReset } = emptyTrail(folded.id, true));
      changed = true;
      continue;
    }
    const { event } = message;
    if (event.seq <= folded.lastSeq) continue;
    if (events === trail.events) events = [...events];
    changed = true;
    events.push(event);
    folded = reduceSession(folded, event);
  }
  return changed ? { events, folded, wasReset } : trail;
}
