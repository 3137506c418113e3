import { describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { ConnectionManagerOptions } from '../../shared/connection/createConnectionManager.ts';

// The manager is played by the test: it hands followSession's onData what a server would send.
let onData: ((value: unknown) => void) | undefined;
vi.mock('../../shared/connection/createConnectionManager.ts', () => ({
  createConnectionManager: (opts: ConnectionManagerOptions) => {
    onData = opts.onData;
    return { reportReset: () => {}, restart: () => {}, subscribe: () => () => {}, close: () => {} };
  },
}));

const stored = (seq: number, event: object) => ({
  kind: 'event',
  event: { ...event, sessionId: 's', seq, ts: '2030-01-01T00:00:00.000Z' } as StoredEvent,
});

describe('followSession: onInterrupt', () => {
  it('is told once per interrupt, also when a reset replays the trail from seq 1', async () => {
    const { followSession } = await import('../../shared/connection/followSession.ts');
    const onEvent = vi.fn();
    const onInterrupt = vi.fn();
    followSession({ url: 'http://x', sessionId: 's', onEvent, onInterrupt });
    onData!(stored(1, { type: 'thought', text: 'a' }));
    onData!(stored(2, { type: 'interrupt', reason: 'stop' }));
    expect(onInterrupt).toHaveBeenCalledTimes(1);
    onData!({ kind: 'reset', reason: 'ahead_of_head', headSeq: 3 });
    onData!(stored(1, { type: 'thought', text: 'a' }));
    onData!(stored(2, { type: 'interrupt', reason: 'stop' }));
    onData!(stored(3, { type: 'interrupt' }));
    // The replay is handed to onEvent again (the trail restarted); the agent is not told twice.
    expect(onEvent).toHaveBeenCalledTimes(5);
    expect(onInterrupt.mock.calls.map(([e]) => e.seq)).toEqual([2, 3]);
  });
});
