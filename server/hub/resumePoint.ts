import type { Session } from '../../shared/session.ts';
import { parseStreamCursor } from '../../shared/streamCursor.ts';
import type { ResetReason } from '../../shared/streamMessages.ts';

/** Parses a plain seq position: a non-negative integer, or undefined when absent; null when malformed. */
export function parseLastEventId(id: string | number | null | undefined): number | undefined | null {
  const c = parseStreamCursor(id);
  if (c === null || c === undefined) return c;
  return c.withheldFrom === undefined ? c.seq : null;
}

/**
 * Where a session stream starts: after the client's position, or from the start with a reset (a
 * malformed position, one beyond the head, or one inside events a recovered store lost). A position
 * with withheld messages (`<seq>~<from>`) only means something to a compacting stream.
 */
export function resumePoint(
  lastEventId: string | number | null | undefined,
  session: Session,
  compact: boolean,
): { delivered: number; withheldFrom?: number; reset?: ResetReason } {
  const asked = parseStreamCursor(lastEventId);
  if (asked === null || (asked?.withheldFrom !== undefined && !compact)) {
    return { delivered: 0, reset: 'malformed_last_event_id' };
  }
  const after = asked?.seq ?? 0;
  if (after > session.lastSeq) return { delivered: 0, reset: 'ahead_of_head' };
  const lost = session.recovered;
  if (lost && after > lost.keptThrough && after <= lost.lostThrough)
    return { delivered: 0, reset: 'recovered' };
  return asked?.withheldFrom === undefined
    ? { delivered: after }
    : { delivered: after, withheldFrom: asked.withheldFrom };
}
