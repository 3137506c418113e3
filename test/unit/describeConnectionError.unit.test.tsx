import { cleanup, render, screen } from '@solidjs/testing-library';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkIndicator } from '../../client/components/NetworkIndicator.tsx';
import { indicatorAnnouncement, indicatorLabel, indicatorTitle } from '../../client/state/indicatorLabel.ts';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import {
  describeConnectionError,
  isServerUnreachable,
  lastErrorInWords,
  withHealthAnswer,
} from '../../shared/describeConnectionError.ts';

afterEach(cleanup);

/** tRPC's WebSocket error class is not exported: the same shape (an Error with a cause). */
const wsClosed = (message: string, cause: unknown) => Object.assign(new Error(message), { cause });

// The objects tRPC's links hand out, built the way the links build them (see @trpc/client's
// httpSubscriptionLink and wsLink): TRPCClientError.from over what EventSource, WebSocket and
// fetch report in a browser (jsdom's Event, CloseEvent and DOMException) and in Node.
const cases: [string, () => unknown, string][] = [
  [
    'a browser EventSource error event (SSE)',
    () => TRPCClientError.from(new Event('error')),
    'connection lost',
  ],
  ['a bare Event', () => new Event('error'), 'connection lost'],
  [
    'a WebSocket closed abnormally (1006)',
    () =>
      TRPCClientError.from(
        wsClosed('WebSocket closed', new CloseEvent('close', { code: 1006, wasClean: false })),
      ),
    'connection lost',
  ],
  [
    'a WebSocket the server closed (1000)',
    () =>
      TRPCClientError.from(
        wsClosed('WebSocket closed', new CloseEvent('close', { code: 1000, wasClean: true })),
      ),
    'closed by the server',
  ],
  [
    'a WebSocket closed for a restart (1012)',
    () => TRPCClientError.from(wsClosed('WebSocket closed', new CloseEvent('close', { code: 1012 }))),
    'server restarting',
  ],
  [
    'a WebSocket that never opened in a browser',
    () => TRPCClientError.from(wsClosed('Initialization error', new Event('error'))),
    'connection lost',
  ],
  [
    'a WebSocket refused in Node',
    () =>
      TRPCClientError.from(
        wsClosed(
          'Initialization error',
          Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
        ),
      ),
    'server unreachable',
  ],
  [
    'Node eventsource refused',
    () =>
      TRPCClientError.from({
        type: 'error',
        message: 'TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9',
      }),
    'server unreachable',
  ],
  [
    'Node eventsource cut off by the server',
    () => TRPCClientError.from({ type: 'error', message: 'TypeError: terminated: other side closed' }),
    'closed by the server',
  ],
  [
    'an SSE answered 503',
    () => TRPCClientError.from({ type: 'error', code: 503, message: 'Non-200 status code (503)' }),
    'server error (503)',
  ],
  [
    'an SSE answered 429',
    () => TRPCClientError.from({ type: 'error', code: 429, message: 'Non-200 status code (429)' }),
    'connection refused (HTTP 429)',
  ],
  [
    'a serialized error with its HTTP status',
    () =>
      TRPCClientError.from({
        error: {
          code: -32603,
          message: 'store down',
          data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 },
        },
      }),
    'server error (500): store down',
  ],
  [
    'a refusal the server explained (fatal errors keep their words)',
    () =>
      TRPCClientError.from({
        error: {
          code: -32004,
          message: 'sessionId: no session x',
          data: { code: 'NOT_FOUND', httpStatus: 404 },
        },
      }),
    'sessionId: no session x',
  ],
  [
    "tRPC's SSE timeout",
    () => new TRPCClientError('Timeout of 5000ms reached while waiting for a response'),
    'timed out',
  ],
  ['a DOMException timeout', () => new DOMException('signal timed out', 'TimeoutError'), 'timed out'],
  ['a DOMException network error', () => new DOMException('', 'NetworkError'), 'server unreachable'],
  [
    'fetch in a browser (a mutation)',
    () => TRPCClientError.from(new TypeError('Failed to fetch')),
    'server unreachable',
  ],
  [
    'fetch in Node',
    () =>
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    'server unreachable',
  ],
  [
    'a reset socket',
    () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    'closed by the server',
  ],
  ['nothing at all', () => undefined, 'connection lost'],
  ['an informative message, kept', () => new Error('socket hang up'), 'socket hang up'],
  ['a multi-line message, first line', () => new Error('first\nsecond'), 'first'],
];

describe('describeConnectionError', () => {
  it.each(cases)('words %s', (_name, make, words) => {
    expect(describeConnectionError(make())).toBe(words);
  });

  it('never says Unknown error', () => {
    for (const [, make] of cases) expect(describeConnectionError(make())).not.toMatch(/unknown error/i);
  });

  it('makes a lost connection specific with what /healthz said, and leaves specific ones alone', () => {
    expect(withHealthAnswer('connection lost', 'unreachable')).toBe('server unreachable');
    expect(withHealthAnswer('connection lost', 'not_ready')).toBe('server not ready');
    expect(withHealthAnswer('connection lost', 'ready')).toBe('connection lost');
    expect(withHealthAnswer('server error (503)', 'unreachable')).toBe('server error (503)');
  });

  it('knows a call that never reached a working server', () => {
    expect(isServerUnreachable(TRPCClientError.from(new TypeError('Failed to fetch')))).toBe(true);
    expect(isServerUnreachable(new TypeError('fetch failed'))).toBe(true);
    const gateway = (httpStatus: number) =>
      TRPCClientError.from({ error: { code: -32603, message: 'x', data: { httpStatus } } });
    expect(isServerUnreachable(gateway(502))).toBe(true);
    expect(isServerUnreachable(gateway(504))).toBe(true);
    expect(isServerUnreachable(gateway(503))).toBe(false);
    expect(isServerUnreachable(new Error('session is finished'))).toBe(false);
  });

  it('spells out the shell’s terse phrases for the tooltip', () => {
    expect(lastErrorInWords('stream ended')).toBe('closed by the server (the stream ended)');
    expect(lastErrorInWords('Unknown error')).toBe('connection lost');
    expect(lastErrorInWords('server unreachable')).toBe('server unreachable');
  });
});

const base = { transport: 'sse', mode: 'auto', attempt: 3, sseFailures: 0 } as const;
const waiting: ConnectionState = {
  ...base,
  status: 'reconnecting',
  retryAt: 14_000,
  waitingForServer: true,
  lastError: 'server unreachable',
};

describe('the indicator while the server is down', () => {
  it('says it waits for the server instead of counting down, and why in the tooltip', () => {
    expect(indicatorLabel(waiting, 0)).toBe('Waiting for the server (attempt 3)');
    expect(indicatorAnnouncement(waiting)).toBe('Waiting for the server (attempt 3)');
    expect(indicatorTitle(waiting, 0)).toBe(
      'Last error: server unreachable — checking every second, reconnecting as soon as it answers',
    );
  });

  it('never shows Unknown error in the tooltip', () => {
    const s: ConnectionState = { ...base, status: 'reconnecting', retryAt: 0, lastError: 'Unknown error' };
    expect(indicatorTitle(s, 0)).toBe('Last error: connection lost');
  });

  it('renders the wait with a Retry now button and the reason as its title', () => {
    render(() => <NetworkIndicator state={waiting} onRetry={() => {}} now={() => 0} />);
    expect(screen.getByTestId('network-label').textContent).toBe('Waiting for the server (attempt 3)');
    expect(screen.getByTestId('network-indicator').getAttribute('title')).toMatch(
      /^Last error: server unreachable/,
    );
    expect(screen.getByTestId('network-retry')).toBeTruthy();
  });
});
