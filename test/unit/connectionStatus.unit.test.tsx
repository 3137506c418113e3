import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  type ConnectionStatus,
  initialConnectionStatus,
  nextConnectionStatus,
} from '../../client/state/connectionStatus.ts';

function run(events: ConnectionEvent[], start: ConnectionStatus = initialConnectionStatus('sse', true)) {
  return events.reduce(nextConnectionStatus, start);
}

describe('nextConnectionStatus', () => {
  it('starts connecting, or offline when the browser is offline', () => {
    expect(initialConnectionStatus('sse', true).state).toBe('connecting');
    expect(initialConnectionStatus('ws', false).state).toBe('offline');
  });

  it('is connected once a subscription is pending', () => {
    const s = run([
      { type: 'link', source: 'sessions', state: 'connecting' },
      { type: 'link', source: 'sessions', state: 'pending' },
    ]);
    expect(s.state).toBe('connected');
    expect(s.everConnected).toBe(true);
  });

  it('is reconnecting when a link connects again after having been connected', () => {
    const s = run([
      { type: 'link', source: 'sessions', state: 'pending' },
      { type: 'link', source: 'sessions', state: 'connecting', error: null },
    ]);
    expect(s.state).toBe('reconnecting');
  });

  it('is reconnecting when the first attempt fails with an error, and remembers the error', () => {
    const s = run([
      { type: 'link', source: 'sessions', state: 'connecting' },
      { type: 'link', source: 'sessions', state: 'connecting', error: 'fetch failed' },
    ]);
    expect(s.state).toBe('reconnecting');
    expect(s.lastError).toBe('fetch failed');
  });

  it('stays reconnecting while any link is still connecting', () => {
    const s = run([
      { type: 'link', source: 'sessions', state: 'pending' },
      { type: 'link', source: 'events', state: 'pending' },
      { type: 'link', source: 'events', state: 'connecting', error: 'stalled' },
    ]);
    expect(s.state).toBe('reconnecting');
    expect(run([{ type: 'link', source: 'events', state: 'pending' }], s).state).toBe('connected');
  });

  it('stays connected when a finished stream goes idle', () => {
    const s = run([
      { type: 'link', source: 'sessions', state: 'pending' },
      { type: 'link', source: 'events', state: 'pending' },
      { type: 'link', source: 'events', state: 'idle' },
    ]);
    expect(s.state).toBe('connected');
    expect(Object.keys(s.links)).toEqual(['sessions']);
  });

  it('goes offline and back with the browser', () => {
    const connected = run([{ type: 'link', source: 'sessions', state: 'pending' }]);
    const offline = run([{ type: 'offline' }], connected);
    expect(offline.state).toBe('offline');
    expect(run([{ type: 'online' }], offline).state).toBe('connected');
  });

  it('shows an error when a subscription fails for good, until that subscription is gone', () => {
    const failed = run([
      { type: 'link', source: 'sessions', state: 'pending' },
      { type: 'failed', source: 'events', message: 'bad input' },
    ]);
    expect(failed.state).toBe('error');
    expect(failed.lastError).toBe('bad input');
    expect(run([{ type: 'link', source: 'events', state: 'idle' }], failed).state).toBe('connected');
  });

  it('keeps the transport it was created with', () => {
    expect(
      run([{ type: 'link', source: 'x', state: 'pending' }], initialConnectionStatus('ws', true)).transport,
    ).toBe('ws');
  });
});
