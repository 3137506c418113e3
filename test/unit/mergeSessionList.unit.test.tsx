import { describe, expect, it } from 'vitest';
import { mergeSessionList } from '../../client/state/mergeSessionList.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';

function session(id: string, lastSeq: number, lastActivityAt: string, title = id): Session {
  return { ...initialSession({ id, title, agent: 'a', createdAt: lastActivityAt }), lastSeq, lastActivityAt };
}

describe('mergeSessionList', () => {
  it('replaces the list on a complete snapshot, newest activity first', () => {
    const list = mergeSessionList([session('old', 1, '2026-01-01T00:00:00Z')], {
      kind: 'snapshot',
      complete: true,
      sessions: [session('a', 1, '2026-01-01T00:00:01Z'), session('b', 1, '2026-01-01T00:00:02Z')],
    });
    expect(list.map((s) => s.id)).toEqual(['b', 'a']);
  });

  it('merges partial snapshots and upserts, keeping the higher lastSeq', () => {
    const start = [session('a', 5, '2026-01-01T00:00:05Z', 'newer'), session('b', 1, '2026-01-01T00:00:01Z')];
    const stale = mergeSessionList(start, {
      kind: 'upsert',
      session: session('a', 3, '2026-01-01T00:00:09Z', 'older'),
    });
    expect(stale.find((s) => s.id === 'a')?.title).toBe('newer');
    const merged = mergeSessionList(stale, {
      kind: 'snapshot',
      complete: false,
      sessions: [session('b', 2, '2026-01-01T00:00:10Z'), session('c', 1, '2026-01-01T00:00:03Z')],
      ids: ['a', 'b', 'c'],
    });
    expect(merged.map((s) => [s.id, s.lastSeq])).toEqual([
      ['b', 2],
      ['a', 5],
      ['c', 1],
    ]);
  });

  it('drops a removed session, and ignores a remove of one it does not hold', () => {
    const start = [session('a', 1, '2026-01-01T00:00:01Z'), session('b', 1, '2026-01-01T00:00:02Z')];
    const list = mergeSessionList(start, [
      { kind: 'remove', sessionId: 'a' },
      { kind: 'remove', sessionId: 'never-listed' },
    ]);
    expect(list.map((s) => s.id)).toEqual(['b']);
    expect(mergeSessionList(list, { kind: 'remove', sessionId: 'b' })).toEqual([]);
  });

  it('drops on a partial snapshot every held session not among its ids: deleted while away', () => {
    const start = [
      session('gone', 3, '2026-01-01T00:00:03Z'),
      session('kept', 1, '2026-01-01T00:00:01Z'),
      session('changed', 1, '2026-01-01T00:00:02Z'),
    ];
    const list = mergeSessionList(start, {
      kind: 'snapshot',
      complete: false,
      sessions: [session('changed', 2, '2026-01-01T00:00:09Z'), session('new', 1, '2026-01-01T00:00:08Z')],
      ids: ['kept', 'changed', 'new'],
    });
    expect(list.map((s) => [s.id, s.lastSeq])).toEqual([
      ['changed', 2],
      ['new', 1],
      ['kept', 1],
    ]);
  });

  it('merges a whole batch at once, a complete snapshot in it replacing what came before', () => {
    const list = mergeSessionList(
      [session('gone', 1, '2026-01-01T00:00:00Z')],
      [
        { kind: 'upsert', session: session('early', 1, '2026-01-02T00:00:00Z') },
        { kind: 'snapshot', complete: true, sessions: [session('a', 1, '2026-01-03T00:00:00Z')] },
        { kind: 'upsert', session: session('b', 2, '2026-01-05T00:00:00Z') },
        { kind: 'upsert', session: session('a', 3, '2026-01-04T00:00:00Z') },
      ],
    );
    expect(list.map((s) => [s.id, s.lastSeq])).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
  });
});
