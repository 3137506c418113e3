import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetworkIndicator } from '../../client/components/NetworkIndicator.tsx';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const base = { transport: 'sse', mode: 'auto', attempt: 0, sseFailures: 0 } as const;

function renderIndicator(initial: ConnectionState) {
  const [state, setState] = createSignal(initial);
  const onRetry = vi.fn();
  render(() => <NetworkIndicator state={state()} onRetry={onRetry} />);
  const el = () => screen.getByTestId('network-indicator');
  return { setState, onRetry, el, label: () => screen.getByTestId('network-label').textContent };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('NetworkIndicator', () => {
  it('counts down to the retry every second and announces the status only once', () => {
    const view = renderIndicator({
      ...base,
      status: 'reconnecting',
      retryAt: T0 + 3_000,
      attempt: 4,
      lastError: 'fetch failed',
    });
    const announced = screen.getByTestId('network-announcement');
    expect(view.label()).toBe('Reconnecting in 3 s (attempt 4)');
    expect(announced.textContent).toBe('Reconnecting (attempt 4)');
    expect(announced.getAttribute('aria-live')).toBe('polite');
    expect(view.el().getAttribute('data-state')).toBe('reconnecting');
    expect(view.el().getAttribute('title')).toBe('Last error: fetch failed');
    vi.advanceTimersByTime(1_000);
    expect(view.label()).toBe('Reconnecting in 2 s (attempt 4)');
    vi.advanceTimersByTime(1_000);
    expect(view.label()).toBe('Reconnecting in 1 s (attempt 4)');
    expect(announced.textContent).toBe('Reconnecting (attempt 4)');
  });

  it('retries now when asked', () => {
    const view = renderIndicator({ ...base, status: 'reconnecting', retryAt: T0 + 20_000, attempt: 2 });
    fireEvent.click(screen.getByTestId('network-retry'));
    expect(view.onRetry).toHaveBeenCalledTimes(1);
    view.setState({ ...base, status: 'connected', since: T0 });
    expect(screen.queryByTestId('network-retry')).toBeNull();
    expect(view.label()).toBe('Connected');
  });

  it('says how many events it is catching up on, and which transport it uses', () => {
    const view = renderIndicator({ ...base, transport: 'ws', status: 'catching_up', behind: 2_400 });
    expect(view.label()).toBe('Catching up: 2400 events');
    expect(view.el().getAttribute('data-state')).toBe('catching_up');
    expect(view.el().getAttribute('data-transport')).toBe('ws');
    expect(view.el().textContent).toContain('WebSocket');
    view.setState({ ...base, transport: 'ws', status: 'catching_up', behind: 12 });
    expect(view.label()).toBe('Catching up: 12 events');
    expect(screen.getByTestId('network-announcement').textContent).toBe('Catching up');
  });

  it('shows a failure as error with its reason and a retry button', () => {
    const view = renderIndicator({
      ...base,
      status: 'failed',
      error: 'FORBIDDEN: nope',
      lastError: 'FORBIDDEN: nope',
    });
    expect(view.el().getAttribute('data-state')).toBe('error');
    expect(view.label()).toBe('Connection failed: FORBIDDEN: nope');
    expect(screen.getByTestId('network-retry')).toBeTruthy();
  });
});
