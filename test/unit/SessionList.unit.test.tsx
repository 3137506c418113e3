import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Sidebar } from '../../client/components/Sidebar.tsx';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session, SessionStatus } from '../../shared/session.ts';

const NOW = Date.parse('2026-01-01T01:00:00Z');

function session(id: string, lastSeq: number, opts: Partial<Session> = {}): Session {
  const at = new Date(Date.parse('2026-01-01T00:00:00Z') + lastSeq * 1000).toISOString();
  return {
    ...initialSession({ id, title: `Title ${id}`, agent: 'coder', createdAt: at }),
    lastSeq,
    lastActivityAt: at,
    ...opts,
  };
}

/** Most recently active first, as the feed hands them over. */
function byActivity(sessions: Session[]): Session[] {
  return [...sessions].sort((a, b) => b.lastSeq - a.lastSeq);
}

function renderSidebar(initial: Session[], opts: { selectedId?: string } = {}) {
  const [sessions, setSessions] = createSignal(byActivity(initial));
  const [selectedId, setSelectedId] = createSignal(opts.selectedId);
  const onSelect = vi.fn((id: string) => setSelectedId(id));
  const result = render(() => (
    <Sidebar sessions={sessions()} loaded={true} selectedId={selectedId()} now={NOW} onSelect={onSelect} />
  ));
  const list = () => screen.getByTestId('session-list');
  return {
    ...result,
    list,
    onSelect,
    /** The ids of the items, top to bottom. */
    order: () => screen.queryAllByTestId('session-item').map((el) => el.getAttribute('data-session-id')),
    marked: () =>
      screen
        .queryAllByTestId('session-item')
        .filter((el) => el.querySelector('[data-testid=activity-marker]'))
        .map((el) => el.getAttribute('data-session-id')),
    /** New activity in session `id`: its lastSeq goes up, so the feed puts it first. */
    touch(id: string, seq: number, patch: Partial<Session> = {}) {
      setSessions((list) =>
        byActivity(list.map((s) => (s.id === id ? { ...s, lastSeq: seq, ...patch } : s))),
      );
    },
    setSessions: (list: Session[]) => setSessions(byActivity(list)),
  };
}

afterEach(cleanup);

describe('Sidebar search and filter', () => {
  it('filters by title or agent as the person types, ignoring case and accents', () => {
    const view = renderSidebar([
      session('a', 3, { title: 'Fix the build' }),
      session('b', 2, { title: 'Café menu', agent: 'writer' }),
      session('c', 1, { title: 'Deploy', agent: 'Ops-Bot' }),
    ]);
    const search = screen.getByTestId('session-search');
    fireEvent.input(search, { target: { value: 'CAFE' } });
    expect(view.order()).toEqual(['b']);
    expect(screen.getByTestId('session-count').textContent).toBe('1 of 3 sessions');
    fireEvent.input(search, { target: { value: 'ops' } });
    expect(view.order()).toEqual(['c']);
    fireEvent.input(search, { target: { value: 'nothing like it' } });
    expect(view.order()).toEqual([]);
    expect(screen.getByTestId('session-count').textContent).toMatch(/No session matches/);
    fireEvent.input(search, { target: { value: '' } });
    expect(view.order()).toEqual(['a', 'b', 'c']);
    expect(screen.queryByTestId('session-count')).toBeNull();
  });

  it('filters by status: running, waiting for you, finished', () => {
    const statuses: SessionStatus[] = ['running', 'waiting_for_user', 'succeeded', 'failed'];
    const view = renderSidebar(statuses.map((status, i) => session(`s${i}`, 10 - i, { status })));
    const filter = screen.getByTestId('status-filter') as HTMLSelectElement;
    expect([...filter.options].map((o) => o.value)).toEqual(['all', 'running', 'waiting', 'finished']);
    fireEvent.change(filter, { target: { value: 'waiting' } });
    expect(view.order()).toEqual(['s1']);
    fireEvent.change(filter, { target: { value: 'finished' } });
    expect(view.order()).toEqual(['s2', 's3']);
    fireEvent.change(filter, { target: { value: 'running' } });
    expect(view.order()).toEqual(['s0']);
    fireEvent.change(filter, { target: { value: 'all' } });
    expect(view.order()).toEqual(['s0', 's1', 's2', 's3']);
  });

  it('follows status changes under a filter: a session that starts waiting joins the waiting list', () => {
    const view = renderSidebar([session('a', 2), session('b', 1)]);
    fireEvent.change(screen.getByTestId('status-filter'), { target: { value: 'waiting' } });
    expect(view.order()).toEqual([]);
    view.touch('b', 5, { status: 'waiting_for_user' });
    expect(view.order()).toEqual(['b']);
  });
});

describe('Sidebar order', () => {
  it('re-sorts most recent first while nobody points at the list', () => {
    const view = renderSidebar([session('a', 3), session('b', 2), session('c', 1)]);
    view.touch('c', 9);
    expect(view.order()).toEqual(['c', 'a', 'b']);
    expect(view.marked()).toEqual([]);
  });

  it('holds the order while the pointer is over the list, marks new activity, and re-sorts when it leaves', () => {
    const view = renderSidebar([session('a', 3), session('b', 2), session('c', 1)]);
    fireEvent.pointerEnter(view.list(), { pointerType: 'mouse' });
    view.touch('c', 9);
    expect(view.order()).toEqual(['a', 'b', 'c']);
    expect(view.marked()).toEqual(['c']);
    view.setSessions([session('a', 3), session('b', 2), session('c', 9), session('new', 10)]);
    expect(view.order()).toEqual(['a', 'b', 'c', 'new']);
    expect(view.marked()).toEqual(['c', 'new']);
    fireEvent.pointerLeave(view.list(), { pointerType: 'mouse' });
    expect(view.order()).toEqual(['new', 'c', 'a', 'b']);
    expect(view.marked()).toEqual([]);
  });

  it('keeps the same element for an item when the order changes (so hover and focus stay on it)', () => {
    const view = renderSidebar([session('a', 3), session('b', 2), session('c', 1)]);
    const before = screen.getAllByTestId('session-item')[2];
    view.touch('c', 9);
    expect(screen.getAllByTestId('session-item')[0]).toBe(before);
  });

  it('holds the order while keyboard focus is in the list, until focus leaves it', () => {
    const view = renderSidebar([session('a', 3), session('b', 2), session('c', 1)]);
    const first = screen.getAllByTestId('session-item')[0]!;
    first.focus();
    view.touch('c', 9);
    expect(view.order()).toEqual(['a', 'b', 'c']);
    // Moving between items keeps it held.
    fireEvent.focusOut(first, { relatedTarget: screen.getAllByTestId('session-item')[1] });
    view.touch('b', 10);
    expect(view.order()).toEqual(['a', 'b', 'c']);
    fireEvent.focusOut(first, { relatedTarget: screen.getByTestId('session-search') });
    expect(view.order()).toEqual(['b', 'c', 'a']);
  });

  it('does not hold the order for a touch: a tap is not a resting pointer', () => {
    const view = renderSidebar([session('a', 3), session('b', 2), session('c', 1)]);
    fireEvent.pointerEnter(view.list(), { pointerType: 'touch' });
    view.touch('c', 9);
    expect(view.order()).toEqual(['c', 'a', 'b']);
  });

  it('keeps the selected session where it is while the others re-sort, and never marks it', () => {
    const view = renderSidebar([session('a', 4), session('b', 3), session('c', 2), session('d', 1)], {
      selectedId: 'c',
    });
    view.touch('c', 9);
    view.touch('d', 10);
    expect(view.order()).toEqual(['d', 'a', 'c', 'b']);
    fireEvent.pointerEnter(view.list(), { pointerType: 'mouse' });
    view.touch('c', 11);
    expect(view.marked()).toEqual([]);
  });

  it('keeps the order under a search, and re-sorts the matches when released', () => {
    const view = renderSidebar([
      session('a', 3, { title: 'match one' }),
      session('b', 2, { title: 'other' }),
      session('c', 1, { title: 'match two' }),
    ]);
    fireEvent.input(screen.getByTestId('session-search'), { target: { value: 'match' } });
    fireEvent.pointerEnter(view.list(), { pointerType: 'mouse' });
    view.touch('c', 9);
    expect(view.order()).toEqual(['a', 'c']);
    fireEvent.pointerLeave(view.list(), { pointerType: 'mouse' });
    expect(view.order()).toEqual(['c', 'a']);
  });
});

describe('SessionItem', () => {
  it('gives the title its own line with the full text in the tooltip; the badge sits with the agent', () => {
    const title = `A long title ${'x'.repeat(200)}`;
    renderSidebar([session('a', 1, { title, status: 'waiting_for_user' })]);
    const item = screen.getByTestId('session-item');
    const titleEl = item.querySelector('.session-title')!;
    expect(titleEl.getAttribute('title')).toBe(title);
    expect(titleEl.textContent).toBe(title);
    expect(titleEl.parentElement!.querySelector('.badge')).toBeNull();
    expect(item.querySelector('.session-meta .badge')?.textContent).toBe('waiting for you');
  });

  it('selects in place on a plain click, and stays a link for a new tab', () => {
    const view = renderSidebar([session('a', 1)]);
    const item = screen.getByTestId('session-item');
    expect(item.getAttribute('href')).toBe('/sessions/a');
    fireEvent.click(item, { button: 0 });
    expect(view.onSelect).toHaveBeenCalledWith('a');
    fireEvent.click(item, { button: 0, ctrlKey: true });
    expect(view.onSelect).toHaveBeenCalledTimes(1);
    expect(item.getAttribute('aria-current')).toBe('page');
  });
});
