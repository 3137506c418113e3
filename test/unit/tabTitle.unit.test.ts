import { describe, expect, it } from 'vitest';
import { newlyWaiting } from '../../client/state/newlyWaiting.ts';
import { countWaiting, tabTitle } from '../../client/state/tabTitle.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session, SessionStatus } from '../../shared/session.ts';

function session(id: string, status: SessionStatus): Session {
  return { ...initialSession({ id, title: id, agent: 'a', createdAt: '2026-01-01T00:00:00Z' }), status };
}

describe('tabTitle', () => {
  it('names the product, and the open session before it', () => {
    expect(tabTitle(0)).toBe('livetrail');
    expect(tabTitle(0, 'Fix the build')).toBe('Fix the build · livetrail');
  });

  it('leads with (N) while N sessions wait for the user', () => {
    expect(tabTitle(1)).toBe('(1) livetrail');
    expect(tabTitle(3, 'Fix the build')).toBe('(3) Fix the build · livetrail');
  });

  it('counts only sessions waiting for the user', () => {
    const list = (['running', 'waiting_for_user', 'succeeded', 'waiting_for_user', 'failed'] as const).map(
      (s, i) => session(String(i), s),
    );
    expect(countWaiting(list)).toBe(2);
    expect(countWaiting([])).toBe(0);
  });
});

describe('newlyWaiting', () => {
  it('reports nothing for the first list: what already waits is no news', () => {
    const first = newlyWaiting(undefined, [session('a', 'waiting_for_user'), session('b', 'running')]);
    expect(first.started).toEqual([]);
  });

  it('reports a session that starts waiting, once', () => {
    const first = newlyWaiting(undefined, [session('a', 'running'), session('b', 'running')]);
    const second = newlyWaiting(first.seen, [session('a', 'waiting_for_user'), session('b', 'running')]);
    expect(second.started.map((s) => s.id)).toEqual(['a']);
    const third = newlyWaiting(second.seen, [session('a', 'waiting_for_user'), session('b', 'running')]);
    expect(third.started).toEqual([]);
  });

  it('reports a new session that is waiting, and one that waits again after running', () => {
    const first = newlyWaiting(undefined, [session('a', 'waiting_for_user')]);
    const running = newlyWaiting(first.seen, [session('a', 'running'), session('n', 'waiting_for_user')]);
    expect(running.started.map((s) => s.id)).toEqual(['n']);
    const again = newlyWaiting(running.seen, [
      session('a', 'waiting_for_user'),
      session('n', 'waiting_for_user'),
    ]);
    expect(again.started.map((s) => s.id)).toEqual(['a']);
  });
});
