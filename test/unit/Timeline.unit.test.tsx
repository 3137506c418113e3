import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { batch, createRoot, createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Timeline } from '../../client/components/Timeline.tsx';
import { createFollowBottom } from '../../client/state/createFollowBottom.ts';
import { announcementFor } from '../../client/state/createTimelineAnnouncer.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';

/** Local-time timestamps: day separators follow the viewer's calendar. */
const at = (y: number, m: number, d: number, h = 10) => new Date(y, m - 1, d, h).toISOString();

function stored(events: AgentEvent[], from = 1, ts = at(2026, 1, 1)): StoredEvent[] {
  return events.map((e, i) => ({ ...e, sessionId: 's1', seq: from + i, ts }));
}

const thoughts = (n: number, from = 1) =>
  stored(
    Array.from({ length: n }, (_, i): AgentEvent => ({ type: 'thought', text: `thought ${from + i}` })),
    from,
  );

function rows(container: HTMLElement) {
  return [...container.querySelectorAll<HTMLElement>('[data-testid=timeline-row]')];
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Timeline', () => {
  it('renders messages, errors and the completion banner as rows in seq order', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'user_message', text: 'please list files' },
          { type: 'assistant_message', text: 'on it' },
          { type: 'error', message: 'disk full' },
          { type: 'complete', status: 'failed', summary: 'gave up after the disk filled' },
        ])}
      />
    ));
    expect(rows(container).map((r) => [r.dataset.seq, r.dataset.type])).toEqual([
      ['1', 'user_message'],
      ['2', 'assistant_message'],
      ['3', 'error'],
      ['4', 'complete'],
    ]);
    expect(screen.getByText('please list files')).toBeTruthy();
    expect(screen.getByText('on it')).toBeTruthy();
    expect(container.querySelector('[data-testid=error-row]')?.textContent).toContain('disk full');
    // History is not announced: nothing in the timeline is an alert or a live region.
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('timeline').querySelector('[aria-live]')).toBeNull();
    const banner = screen.getByTestId('completion-banner');
    expect(banner.dataset.status).toBe('failed');
    expect(banner.textContent).toContain('gave up after the disk filled');
  });

  it('keeps a thought collapsed until it is clicked', () => {
    const { container } = render(() => (
      <Timeline events={stored([{ type: 'thought', text: 'maybe the cache is stale\nlet me check' }])} />
    ));
    expect(container.querySelector('[data-part=thought-body]')).toBeNull();
    const toggle = screen.getByRole('button', { expanded: false });
    fireEvent.click(toggle);
    const body = container.querySelector('[data-part=thought-body]');
    expect(body?.textContent).toBe('maybe the cache is stale\nlet me check');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  it('pairs a tool call with its result by callId in one card', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } },
          { type: 'assistant_message', text: 'waiting for ls' },
          { type: 'tool_result', callId: 'c1', tool: 'bash', ok: false, output: 'permission denied' },
        ])}
      />
    ));
    const all = rows(container);
    expect(all.map((r) => r.dataset.type)).toEqual(['tool_call', 'assistant_message']);
    const card = all[0]!;
    expect(card.dataset.resultSeq).toBe('3');
    expect(card.querySelector('[data-testid=tool-status]')?.getAttribute('data-status')).toBe('failed');
    expect(card.textContent).toContain('bash');
    expect(card.querySelector('[data-part=output]')).not.toBeNull();
  });

  it('shows a tool call without a result as pending', () => {
    const { container } = render(() => (
      <Timeline events={stored([{ type: 'tool_call', callId: 'c9', tool: 'grep', args: ['-r', 'x'] }])} />
    ));
    const [card] = rows(container);
    expect(card?.hasAttribute('data-result-seq')).toBe(false);
    expect(card?.querySelector('[data-testid=tool-status]')?.getAttribute('data-status')).toBe('pending');
    expect(card?.querySelector('[data-part=output]')).toBeNull();
  });

  it('renders tool args when opened', () => {
    const { container } = render(() => (
      <Timeline events={stored([{ type: 'tool_call', callId: 'c1', tool: 'bash', args: { cmd: 'ls' } }])} />
    ));
    const args = container.querySelector<HTMLDetailsElement>('[data-part=args]')!;
    expect(args.querySelector('[data-testid=json-body]')).toBeNull();
    args.open = true;
    fireEvent(args, new Event('toggle'));
    const body = args.querySelector('[data-testid=json-body]')?.textContent ?? '';
    expect(body).toContain('cmd');
    expect(body).toContain('ls');
  });

  it('does not show state and cost events as rows', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 },
          { type: 'cost', usd: 0.01, inputTokens: 10, outputTokens: 5 },
          { type: 'assistant_message', text: 'done thinking' },
        ])}
      />
    ));
    expect(rows(container).map((r) => r.dataset.seq)).toEqual(['3']);
  });

  it('renders agent text that looks like html as inert text', () => {
    const payload = '<img src=x onerror=alert(1)>';
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'assistant_message', text: payload },
          { type: 'error', message: payload },
          { type: 'complete', status: 'succeeded', summary: payload },
        ])}
      />
    ));
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getAllByText(payload)).toHaveLength(3);
  });

  it('tells the viewer when there are no events yet', () => {
    render(() => <Timeline events={[]} placeholder="Nothing here yet" />);
    expect(screen.getByText('Nothing here yet')).toBeTruthy();
  });
});

describe('Timeline as a virtual list', () => {
  it('without a laid-out container (jsdom) renders the first rows only, with their indexes', () => {
    const { container } = render(() => <Timeline events={thoughts(200)} />);
    const shown = rows(container);
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.length).toBeLessThan(60);
    expect(shown[0]?.dataset.seq).toBe('1');
    // Index 0 is the day separator.
    expect(shown.slice(0, 3).map((r) => r.dataset.index)).toEqual(['1', '2', '3']);
  });

  it('puts a day separator (not a row) before the first row of each local day', () => {
    const events = [
      ...stored([{ type: 'user_message', text: 'late on monday' }], 1, at(2026, 11, 30, 23)),
      ...stored(
        [{ type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 }],
        2,
        at(2026, 12, 1, 0),
      ),
      ...stored(
        [
          { type: 'assistant_message', text: 'tuesday morning' },
          { type: 'assistant_message', text: 'tuesday noon' },
        ],
        3,
        at(2026, 12, 1, 9),
      ),
    ];
    const { container } = render(() => <Timeline events={events} />);
    const items = [...container.querySelectorAll<HTMLElement>('[data-index]')];
    expect(
      items.map((el) => (el.dataset.testid === 'day-separator' ? el.textContent : el.dataset.seq)),
    ).toEqual(['Monday, 30 November 2026', '1', 'Tuesday, 1 December 2026', '3', '4']);
    const separators = screen.getAllByTestId('day-separator');
    expect(
      separators.every((el) => el.classList.contains('day-separator') && !el.matches('.timeline-row')),
    ).toBe(true);
    expect(rows(container)).toHaveLength(3);
  });

  it('shows the cost of each LLM step on the row that step produced', () => {
    const { container } = render(() => (
      <Timeline
        events={stored([
          { type: 'thought', text: 'plan' },
          { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
          { type: 'cost', usd: 0.25, inputTokens: 1200, outputTokens: 80 },
          { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: 'ok' },
          { type: 'assistant_message', text: 'done' },
        ])}
      />
    ));
    const withCost = rows(container)
      .filter((r) => r.querySelector('[data-testid=row-cost]'))
      .map((r) => r.dataset.seq);
    expect(withCost).toEqual(['2']);
    expect(container.querySelector('[data-testid=row-cost]')?.textContent).toContain('0.25');
  });

  it('shows a cost reported after the row is there (a later batch)', () => {
    const all = stored([
      { type: 'assistant_message', text: 'hello' },
      { type: 'cost', usd: 0.5, inputTokens: 10, outputTokens: 10 },
    ]);
    const [events, setEvents] = createSignal(all.slice(0, 1));
    const { container } = render(() => <Timeline events={events()} />);
    expect(container.querySelector('[data-testid=row-cost]')).toBeNull();
    setEvents(all);
    expect(container.querySelector('[data-testid=row-cost]')?.textContent).toContain('0.50');
  });

  it('keeps the DOM of rows already shown when a batch arrives', () => {
    const [events, setEvents] = createSignal(thoughts(3));
    const { container } = render(() => <Timeline events={events()} />);
    const before = rows(container)[0];
    setEvents([...events(), ...thoughts(2, 4)]);
    expect(rows(container)[0]).toBe(before);
    expect(rows(container).map((r) => r.dataset.seq)).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('Timeline accessibility', () => {
  it('is a labelled feed, busy while the trail is backfilled, not a live region', () => {
    const [caughtUp, setCaughtUp] = createSignal(false);
    render(() => <Timeline events={thoughts(2)} caughtUp={caughtUp()} />);
    const feed = screen.getByRole('feed', { name: 'Session timeline' });
    expect(feed.getAttribute('aria-busy')).toBe('true');
    expect(feed.hasAttribute('aria-live')).toBe(false);
    expect(feed.getAttribute('role')).not.toBe('log');
    setCaughtUp(true);
    expect(feed.getAttribute('aria-busy')).toBe('false');
    const articles = screen.getAllByRole('article');
    expect(articles.map((a) => a.getAttribute('aria-posinset'))).toEqual(['1', '2', '3']);
    expect(articles.every((a) => a.getAttribute('aria-setsize') === '3')).toBe(true);
  });

  it('announces only what arrives live once caught up, at most once a second', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const [events, setEvents] = createSignal(thoughts(2));
    const [caughtUp, setCaughtUp] = createSignal(false);
    render(() => <Timeline events={events()} caughtUp={caughtUp()} />);
    const announcer = screen.getByTestId('timeline-announcer');
    expect(announcer.getAttribute('aria-live')).toBe('polite');
    const said = () => announcer.textContent;
    const append = (more: AgentEvent[]) => setEvents([...events(), ...stored(more, events().length + 1)]);

    // Backfill: the batches before caught up, and the one that arrives with it, are history.
    append([{ type: 'error', message: 'old failure' }]);
    expect(said()).toBe('');
    batch(() => {
      append([{ type: 'assistant_message', text: 'last of the backfill' }]);
      setCaughtUp(true);
    });
    expect(said()).toBe('');
    vi.advanceTimersByTime(5000);
    expect(said()).toBe('');

    // Live: the first one at once.
    append([{ type: 'assistant_message', text: 'x'.repeat(150) }]);
    expect(said()).toBe(`Assistant: ${'x'.repeat(100)}…`);
    // A burst within the second is held back, then summed up.
    append([
      { type: 'state', agentState: 'calling_tool', llmCallsInFlight: 0, toolCallsInFlight: 1 },
      { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
    ]);
    append([{ type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: '' }]);
    append([{ type: 'cost', usd: 0.1, inputTokens: 1, outputTokens: 1 }]);
    expect(said()).toBe(`Assistant: ${'x'.repeat(100)}…`);
    vi.advanceTimersByTime(999);
    expect(said()).toBe(`Assistant: ${'x'.repeat(100)}…`);
    vi.advanceTimersByTime(1);
    expect(said()).toBe('2 new events');
    // A single event after a quiet second is said as itself.
    vi.advanceTimersByTime(1000);
    append([{ type: 'complete', status: 'succeeded' }]);
    expect(said()).toBe('Session succeeded');

    // Catching up again (a reconnect) is not announced either.
    setCaughtUp(false);
    vi.advanceTimersByTime(2000);
    append([{ type: 'error', message: 'replayed' }]);
    setCaughtUp(true);
    vi.advanceTimersByTime(2000);
    expect(said()).toBe('Session succeeded');
  });

  it('drops what is pending when the trail is reset', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const trail = thoughts(3);
    const [events, setEvents] = createSignal(trail.slice(0, 1));
    render(() => <Timeline events={events()} caughtUp={true} />);
    const said = () => screen.getByTestId('timeline-announcer').textContent;
    setEvents(trail.slice(0, 2));
    expect(said()).toBe('Thought: thought 2');
    setEvents(trail);
    // Before the second is over the trail starts again from seq 1: what was pending is gone.
    setEvents(thoughts(1));
    vi.advanceTimersByTime(2000);
    expect(said()).toBe('Thought: thought 2');
  });

  it('words each kind of event shortly', () => {
    const [e] = stored([
      { type: 'tool_result', callId: 'c', tool: 'grep', ok: false, output: '' },
      { type: 'error', message: 'disk\nfull' },
      { type: 'state', agentState: 'idle', llmCallsInFlight: 0, toolCallsInFlight: 0 },
    ]);
    expect(announcementFor(e!)).toBe('Tool grep: failed');
    const [, error, state] = stored([
      { type: 'user_message', text: 'a' },
      { type: 'error', message: 'disk\nfull' },
      { type: 'state', agentState: 'idle', llmCallsInFlight: 0, toolCallsInFlight: 0 },
    ]);
    expect(announcementFor(error!)).toBe('Error: disk full');
    expect(announcementFor(state!)).toBeUndefined();
  });
});

/** A stand-in scroll container: jsdom does no layout, so the geometry is set by hand. */
function fakeScroller(init: { scrollHeight: number; clientHeight: number; scrollTop: number }) {
  return init as unknown as HTMLElement & typeof init;
}

describe('createFollowBottom', () => {
  function setup(start = 3) {
    const el = fakeScroller({ scrollHeight: 2000, clientHeight: 500, scrollTop: 1500 });
    const [count, setCount] = createSignal(start);
    const scrollToBottom = vi.fn(() => {
      el.scrollTop = el.scrollHeight - el.clientHeight;
    });
    const follow = createRoot(() => createFollowBottom({ el: () => el, count, scrollToBottom }));
    return { el, setCount, scrollToBottom, follow };
  }

  it('follows new items while at the bottom', () => {
    const { el, setCount, scrollToBottom, follow } = setup();
    scrollToBottom.mockClear();
    el.scrollHeight = 2600;
    setCount(5);
    expect(scrollToBottom).toHaveBeenCalledTimes(1);
    expect(follow.unseen()).toBe(0);
    expect(follow.following()).toBe(true);
  });

  it('keeps following when the bottom moves away without the view moving (rows grew below)', () => {
    const { el, setCount, scrollToBottom, follow } = setup();
    follow.onScroll();
    el.scrollHeight = 4000; // measured taller than estimated, or arrived before the scroll
    follow.onScroll();
    expect(follow.following()).toBe(true);
    scrollToBottom.mockClear();
    setCount(4);
    expect(scrollToBottom).toHaveBeenCalledTimes(1);
  });

  it('counts unseen items once the viewer scrolls up, and stops counting at the bottom', () => {
    const { el, setCount, scrollToBottom, follow } = setup();
    follow.onScroll();
    el.scrollTop = 200;
    follow.onScroll();
    expect(follow.following()).toBe(false);
    scrollToBottom.mockClear();
    setCount(5);
    setCount(6);
    expect(scrollToBottom).not.toHaveBeenCalled();
    expect(follow.unseen()).toBe(3);
    expect(el.scrollTop).toBe(200);
    el.scrollTop = 1480; // within the slack of the bottom
    follow.onScroll();
    expect(follow.unseen()).toBe(0);
    expect(follow.following()).toBe(true);
  });

  it('stops following on an upward wheel, key or touch gesture, before any scroll is reported', () => {
    for (const gesture of [
      new WheelEvent('wheel', { deltaY: -40 }),
      new KeyboardEvent('keydown', { key: 'PageUp' }),
    ]) {
      const { setCount, scrollToBottom, follow } = setup();
      follow.onIntent(new WheelEvent('wheel', { deltaY: 40 }));
      follow.onIntent(new KeyboardEvent('keydown', { key: 'ArrowDown' }));
      expect(follow.following()).toBe(true);
      follow.onIntent(gesture);
      expect(follow.following(), gesture.type).toBe(false);
      scrollToBottom.mockClear();
      setCount(4);
      expect(scrollToBottom).not.toHaveBeenCalled();
      expect(follow.unseen()).toBe(1);
    }
    const { follow } = setup();
    const touch = (type: string, clientY: number) =>
      Object.assign(new Event(type), { touches: [{ clientY }] }) as unknown as TouchEvent;
    follow.onIntent(touch('touchstart', 100));
    follow.onIntent(touch('touchmove', 80)); // finger up: scrolls down
    expect(follow.following()).toBe(true);
    follow.onIntent(touch('touchmove', 120)); // finger down: scrolls up
    expect(follow.following()).toBe(false);
  });

  it('clears unseen on a reset, and jumps back on request', () => {
    const { el, setCount, scrollToBottom, follow } = setup(10);
    follow.onIntent(new WheelEvent('wheel', { deltaY: -40 }));
    setCount(12);
    expect(follow.unseen()).toBe(2);
    setCount(1);
    expect(follow.unseen()).toBe(0);
    setCount(4);
    expect(follow.unseen()).toBe(3);
    scrollToBottom.mockClear();
    follow.jumpToBottom();
    expect(scrollToBottom).toHaveBeenCalledTimes(1);
    expect(follow.unseen()).toBe(0);
    expect(follow.following()).toBe(true);
    expect(el.scrollTop).toBe(1500);
  });
});

describe('Timeline follow-bottom', () => {
  it('shows "↓ N new" for rows and results that arrive while scrolled up; the button jumps back', () => {
    const [events, setEvents] = createSignal(thoughts(3));
    render(() => <Timeline events={events()} />);
    const timeline = screen.getByTestId('timeline');
    Object.defineProperty(timeline, 'scrollHeight', { configurable: true, value: 3000 });
    Object.defineProperty(timeline, 'clientHeight', { configurable: true, value: 500 });
    fireEvent.wheel(timeline, { deltaY: -100 });
    setEvents([
      ...events(),
      ...stored(
        [
          { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
          { type: 'state', agentState: 'idle', llmCallsInFlight: 0, toolCallsInFlight: 0 },
        ],
        4,
      ),
    ]);
    setEvents([
      ...events(),
      ...stored([{ type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: '' }], 6),
    ]);
    const jump = screen.getByTestId('jump-to-new');
    expect(jump.textContent).toBe('↓ 2 new');
    fireEvent.click(jump);
    expect(screen.queryByTestId('jump-to-new')).toBeNull();
    // Following again: more rows do not bring the button back.
    setEvents([...events(), ...thoughts(1, 7)]);
    expect(screen.queryByTestId('jump-to-new')).toBeNull();
  });

  it('jumps back and follows when followToken changes', () => {
    const [token, setToken] = createSignal(0);
    const [events, setEvents] = createSignal(thoughts(3));
    render(() => <Timeline events={events()} followToken={token()} />);
    const timeline = screen.getByTestId('timeline');
    Object.defineProperty(timeline, 'scrollHeight', { configurable: true, value: 3000 });
    Object.defineProperty(timeline, 'clientHeight', { configurable: true, value: 500 });
    fireEvent.wheel(timeline, { deltaY: -100 });
    setEvents([...events(), ...thoughts(1, 4)]);
    expect(screen.getByTestId('jump-to-new').textContent).toBe('↓ 1 new');
    setToken(1);
    expect(screen.queryByTestId('jump-to-new')).toBeNull();
  });
});
