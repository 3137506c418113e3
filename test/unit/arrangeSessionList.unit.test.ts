import { describe, expect, it } from 'vitest';
import {
  arrangeSessionList,
  emptyArrangement,
  hasUnplacedActivity,
  type ListArrangement,
} from '../../client/state/arrangeSessionList.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';

function session(id: string, lastSeq = 1): Session {
  return { ...initialSession({ id, title: id, agent: 'a', createdAt: '2026-01-01T00:00:00Z' }), lastSeq };
}

/** Sessions in the feed's order (most recent first), each with the lastSeq given. */
function feed(...entries: [string, number][]): Session[] {
  return entries.map(([id, seq]) => session(id, seq));
}

const free = { held: false };
const held = { held: true };

function marked(arrangement: ListArrangement, sessions: Session[]): string[] {
  return sessions.filter((s) => hasUnplacedActivity(arrangement, s)).map((s) => s.id);
}

describe('arrangeSessionList', () => {
  it('shows the feed order when nothing holds it, with nothing marked', () => {
    const list = feed(['a', 3], ['b', 2], ['c', 1]);
    const arranged = arrangeSessionList(emptyArrangement, list, free);
    expect(arranged.order).toEqual(['a', 'b', 'c']);
    expect(marked(arranged, list)).toEqual([]);
  });

  it('keeps the order while held: a session with new activity stays where it is and is marked', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 3], ['b', 2], ['c', 1]), free);
    const busy = feed(['c', 9], ['a', 3], ['b', 2]);
    const during = arrangeSessionList(first, busy, held);
    expect(during.order).toEqual(['a', 'b', 'c']);
    expect(marked(during, busy)).toEqual(['c']);
  });

  it('re-sorts most recent first once released, and the marks go', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 3], ['b', 2], ['c', 1]), free);
    const busy = feed(['c', 9], ['a', 3], ['b', 2]);
    const during = arrangeSessionList(first, busy, held);
    const after = arrangeSessionList(during, busy, free);
    expect(after.order).toEqual(['c', 'a', 'b']);
    expect(marked(after, busy)).toEqual([]);
  });

  it('puts a session new to the list at the end while held, marked, and drops one that is gone', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 3], ['b', 2], ['c', 1]), free);
    const next = feed(['new', 0], ['a', 3], ['c', 1]);
    const during = arrangeSessionList(first, next, held);
    expect(during.order).toEqual(['a', 'c', 'new']);
    expect(marked(during, next)).toEqual(['new']);
  });

  it('keeps a mark through more held updates until the order is released', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 2], ['b', 1]), free);
    const once = arrangeSessionList(first, feed(['b', 5], ['a', 2]), held);
    const twice = arrangeSessionList(once, feed(['b', 6], ['a', 2]), held);
    expect(marked(twice, feed(['b', 6], ['a', 2]))).toEqual(['b']);
  });

  it('does not hold a first list: there are no places to keep yet', () => {
    const list = feed(['a', 2], ['b', 1]);
    const arranged = arrangeSessionList(emptyArrangement, list, held);
    expect(arranged.order).toEqual(['a', 'b']);
    expect(marked(arranged, list)).toEqual([]);
  });

  it('keeps the selected session at its index when the rest re-sorts', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 4], ['b', 3], ['c', 2], ['d', 1]), free);
    // c (selected, at index 2) and d get busy: d goes to the top, c stays third.
    const next = arrangeSessionList(first, feed(['c', 9], ['d', 8], ['a', 4], ['b', 3]), {
      held: false,
      selectedId: 'c',
    });
    expect(next.order).toEqual(['d', 'a', 'c', 'b']);
  });

  it('keeps the selected session in place at the end of the list, and gives a new selection its sorted place', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 3], ['b', 2], ['c', 1]), free);
    const busy = feed(['c', 9], ['a', 3], ['b', 2]);
    expect(arrangeSessionList(first, busy, { held: false, selectedId: 'c' }).order).toEqual(['a', 'b', 'c']);
    const withNew = feed(['n', 1], ['a', 3], ['b', 2], ['c', 1]);
    expect(arrangeSessionList(first, withNew, { held: false, selectedId: 'n' }).order).toEqual([
      'n',
      'a',
      'b',
      'c',
    ]);
  });

  it('counts the selected index among the sessions still there', () => {
    const first = arrangeSessionList(emptyArrangement, feed(['a', 4], ['b', 3], ['c', 2]), free);
    // a is deleted: c was third of three, now is second of the two left, and stays last.
    const next = arrangeSessionList(first, feed(['c', 9], ['b', 3]), { held: false, selectedId: 'c' });
    expect(next.order).toEqual(['b', 'c']);
  });

  it('marks nothing for a session unknown to the arrangement', () => {
    expect(hasUnplacedActivity(emptyArrangement, session('x', 5))).toBe(false);
  });
});
