import type { Session } from '../../shared/session.ts';

/**
 * The order the session list is shown in, and each session's `lastSeq` when it was last put in
 * its place: activity after that is activity the order does not show yet.
 */
export interface ListArrangement {
  order: readonly string[];
  placedAt: ReadonlyMap<string, number>;
}

/** No session shown yet. */
export const emptyArrangement: ListArrangement = { order: [], placedAt: new Map() };

/** What `arrangeSessionList` needs besides the sessions. */
export interface ArrangeOptions {
  /**
   * The person is pointing at the list or has keyboard focus in it: nothing may move under them,
   * so the current order is kept and sessions new to the list go at its end.
   */
  held: boolean;
  /** The open session: it keeps its place even when the rest is re-sorted. */
  selectedId?: string;
}

/**
 * The next arrangement of the list, given `sessions` most recently active first (the feed's order).
 * Held: the previous order, minus sessions that are gone, plus new ones at the end (marked, since
 * they are not where their activity would put them). Not held: most recent first, except that the
 * selected session stays at the index it had, so reading it never makes it jump.
 */
export function arrangeSessionList(
  previous: ListArrangement,
  sessions: readonly Session[],
  opts: ArrangeOptions,
): ListArrangement {
  const present = new Map(sessions.map((s) => [s.id, s]));
  const kept = previous.order.filter((id) => present.has(id));
  // A first list has no places to keep.
  if (opts.held && kept.length > 0) {
    const known = new Set(kept);
    const placedAt = new Map<string, number>();
    for (const id of kept) placedAt.set(id, previous.placedAt.get(id) ?? -1);
    const order = [...kept];
    for (const s of sessions) {
      if (known.has(s.id)) continue;
      order.push(s.id);
      placedAt.set(s.id, -1);
    }
    return { order, placedAt };
  }
  const order = sessions.map((s) => s.id);
  const selected = opts.selectedId;
  const pinnedAt = selected === undefined ? -1 : kept.indexOf(selected);
  if (pinnedAt !== -1) {
    order.splice(order.indexOf(selected!), 1);
    order.splice(pinnedAt, 0, selected!);
  }
  return { order, placedAt: new Map(sessions.map((s) => [s.id, s.lastSeq])) };
}

/** Whether `session` had activity after it was put in its place in `arrangement`. */
export function hasUnplacedActivity(arrangement: ListArrangement, session: Session): boolean {
  const placed = arrangement.placedAt.get(session.id);
  return placed !== undefined && session.lastSeq > placed;
}
