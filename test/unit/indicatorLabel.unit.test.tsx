import { describe, expect, it } from 'vitest';
import {
  indicatorAnnouncement,
  indicatorLabel,
  indicatorState,
  indicatorTitle,
  secondsUntil,
} from '../../client/state/indicatorLabel.ts';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';

const base = { transport: 'sse', mode: 'auto', attempt: 0, sseFailures: 0 } as const;
const at = (s: Partial<ConnectionState> & Pick<ConnectionState, 'status'>) =>
  ({ ...base, ...s }) as ConnectionState;

describe('indicator labels', () => {
  it('names every status', () => {
    expect(indicatorLabel(at({ status: 'idle' }), 0)).toBe('Connecting…');
    expect(indicatorLabel(at({ status: 'connecting' }), 0)).toBe('Connecting…');
    expect(indicatorLabel(at({ status: 'connected', since: 0 }), 0)).toBe('Connected');
    expect(indicatorLabel(at({ status: 'catching_up', behind: 2500 }), 0)).toBe('Catching up: 2500 events');
    expect(indicatorLabel(at({ status: 'catching_up', behind: 1 }), 0)).toBe('Catching up: 1 event');
    expect(indicatorLabel(at({ status: 'offline' }), 0)).toBe(
      'Offline — will reconnect when the network is back',
    );
    expect(indicatorLabel(at({ status: 'reset', reason: 'ahead_of_head' }), 0)).toBe(
      'History reset — reloaded',
    );
    expect(indicatorLabel(at({ status: 'failed', error: 'UNAUTHORIZED: no' }), 0)).toBe(
      'Connection failed: UNAUTHORIZED: no',
    );
  });

  it('counts a reconnect down in whole seconds, rounded up', () => {
    const s = at({ status: 'reconnecting', retryAt: 10_000, attempt: 4 });
    expect(indicatorLabel(s, 7_000)).toBe('Reconnecting in 3 s (attempt 4)');
    expect(indicatorLabel(s, 7_001)).toBe('Reconnecting in 3 s (attempt 4)');
    expect(indicatorLabel(s, 8_000)).toBe('Reconnecting in 2 s (attempt 4)');
    expect(indicatorLabel(s, 10_000)).toBe('Reconnecting now (attempt 4)');
    expect(secondsUntil(10_000, 12_000)).toBe(0);
  });

  it('announces the status without the parts that tick', () => {
    const s = at({ status: 'reconnecting', retryAt: 10_000, attempt: 4 });
    expect(indicatorAnnouncement(s)).toBe('Reconnecting (attempt 4)');
    expect(indicatorAnnouncement(at({ status: 'catching_up', behind: 10 }))).toBe('Catching up');
  });

  it('maps failed to error and idle to connecting for data-state', () => {
    expect(indicatorState(at({ status: 'failed', error: 'x' }))).toBe('error');
    expect(indicatorState(at({ status: 'idle' }))).toBe('connecting');
    expect(indicatorState(at({ status: 'catching_up', behind: 1 }))).toBe('catching_up');
  });

  it('puts the last error in the tooltip', () => {
    const s = at({ status: 'reconnecting', retryAt: 0, attempt: 1, lastError: 'fetch failed' });
    expect(indicatorTitle(s, 0)).toBe('Last error: fetch failed');
    expect(indicatorTitle(at({ status: 'connected', since: 0 }), 0)).toBe('Connected');
  });
});
