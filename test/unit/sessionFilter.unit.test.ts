import { describe, expect, it } from 'vitest';
import { filterSessions, foldForSearch, statusMatches } from '../../client/state/sessionFilter.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session, SessionStatus } from '../../shared/session.ts';

function session(id: string, title: string, agent: string, status: SessionStatus = 'running'): Session {
  return { ...initialSession({ id, title, agent, createdAt: '2026-01-01T00:00:00Z' }), status };
}

const list = [
  session('1', 'Fix the build', 'coder', 'running'),
  session('2', 'Café menu', 'writer', 'waiting_for_user'),
  session('3', 'Deploy', 'Ops-Bot', 'succeeded'),
  session('4', 'Audit', 'coder', 'failed'),
  session('5', 'Retry', 'coder', 'cancelled'),
];
const ids = (sessions: Session[]) => sessions.map((s) => s.id);

describe('filterSessions', () => {
  it('shows all with an empty query and the all filter, in the order given', () => {
    expect(ids(filterSessions(list, '', 'all'))).toEqual(['1', '2', '3', '4', '5']);
    expect(ids(filterSessions(list, '   ', 'all'))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('matches the title or the agent, ignoring case, accents and surrounding spaces', () => {
    expect(ids(filterSessions(list, 'BUILD', 'all'))).toEqual(['1']);
    expect(ids(filterSessions(list, ' cafe ', 'all'))).toEqual(['2']);
    expect(ids(filterSessions(list, 'CAFÉ', 'all'))).toEqual(['2']);
    expect(ids(filterSessions(list, 'ops-bot', 'all'))).toEqual(['3']);
    expect(ids(filterSessions(list, 'coder', 'all'))).toEqual(['1', '4', '5']);
    expect(ids(filterSessions(list, 'nothing like it', 'all'))).toEqual([]);
  });

  it('does not match across the title and the agent', () => {
    expect(ids(filterSessions(list, 'buildcoder', 'all'))).toEqual([]);
    expect(ids(filterSessions(list, 'build coder', 'all'))).toEqual([]);
  });

  it('filters by status: running, waiting for the user, finished (succeeded, failed, cancelled)', () => {
    expect(ids(filterSessions(list, '', 'running'))).toEqual(['1']);
    expect(ids(filterSessions(list, '', 'waiting'))).toEqual(['2']);
    expect(ids(filterSessions(list, '', 'finished'))).toEqual(['3', '4', '5']);
    expect(ids(filterSessions(list, 'coder', 'finished'))).toEqual(['4', '5']);
  });

  it('reads a changed session again (its folded text is kept per session object)', () => {
    const renamed = { ...list[0]!, title: 'Ship it' };
    expect(ids(filterSessions([list[0]!], 'ship', 'all'))).toEqual([]);
    expect(ids(filterSessions([renamed], 'ship', 'all'))).toEqual(['1']);
  });
});

describe('foldForSearch', () => {
  it('lowers case and drops combining marks', () => {
    expect(foldForSearch('Ärger Ñandú É')).toBe('arger nandu e');
    expect(foldForSearch('e\u0301')).toBe('e');
  });
});

describe('statusMatches', () => {
  it('lets every status through "all"', () => {
    for (const s of ['running', 'waiting_for_user', 'succeeded', 'failed', 'cancelled'] as const) {
      expect(statusMatches(s, 'all')).toBe(true);
      expect(statusMatches(s, 'finished')).toBe(s !== 'running' && s !== 'waiting_for_user');
    }
  });
});
