import { cleanup, render } from '@solidjs/testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimelineRow } from '../../client/components/TimelineRow.tsx';
import type { StoredEvent } from '../../shared/agentEvent.ts';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const TS = '2026-03-04T10:00:00.000Z';

function thought(seq: number): StoredEvent {
  return { type: 'thought', text: 'hmm', sessionId: 's1', seq, ts: TS };
}

describe('TimelineRow', () => {
  it('gives every row a relative time with the full date and time on hover', () => {
    vi.useFakeTimers({ now: Date.parse(TS) + 3 * 60_000, toFake: ['Date', 'setInterval', 'clearInterval'] });
    const { container } = render(() => <TimelineRow event={thought(1)} />);
    const time = container.querySelector('time.row-time');
    expect(time?.getAttribute('datetime')).toBe(TS);
    expect(time?.firstChild?.textContent).toBe('3 min ago');
    expect(time?.getAttribute('title')).toContain('2026');
    expect(time?.getAttribute('title')).toMatch(/March|03|3/);
    vi.advanceTimersByTime(60_000);
    expect(time?.firstChild?.textContent).toBe('4 min ago');
  });

  it('shows the cost of the step that produced the row, and nothing without one', () => {
    const cost = {
      type: 'cost',
      usd: 0.0123,
      inputTokens: 1500,
      outputTokens: 42,
      sessionId: 's1',
      seq: 2,
      ts: TS,
    } as const;
    const { container, unmount } = render(() => <TimelineRow event={thought(1)} cost={cost} />);
    const shown = container.querySelector('[data-testid=row-cost]');
    expect(shown?.textContent).toBe('$0.0123 · 1.5K in / 42 out');
    expect(shown?.getAttribute('title')).toBe('This step: 1,500 input and 42 output tokens');
    unmount();
    const bare = render(() => <TimelineRow event={thought(1)} />);
    expect(bare.container.querySelector('[data-testid=row-cost]')).toBeNull();
  });

  it('ticks every row from one shared interval', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    render(() => (
      <>
        <TimelineRow event={thought(1)} />
        <TimelineRow event={thought(2)} />
        <TimelineRow event={thought(3)} />
      </>
    ));
    expect(spy.mock.calls.filter(([, ms]) => ms === 1000)).toHaveLength(1);
    spy.mockRestore();
  });
});
