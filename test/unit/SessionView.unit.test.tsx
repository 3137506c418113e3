import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionView } from '../../client/components/SessionView.tsx';
import type { ConnectionEvent } from '../../client/state/connectionStatus.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { initialSession } from '../../shared/reduceSession.ts';

interface Callbacks {
  onData(value: unknown): void;
  onError(err: unknown): void;
  onComplete(): void;
}

/** A stand-in for the tRPC client: records the subscription's callbacks so a test can play the server. */
function fakeApi(opts: { get?: () => Promise<unknown> } = {}) {
  const stream: { callbacks?: Callbacks; input?: unknown } = {};
  const unsubscribe = vi.fn();
  const mutate = vi.fn(async () => ({ seq: 99 }));
  const api = {
    events: {
      onEvents: {
        subscribe(input: unknown, callbacks: Callbacks) {
          stream.input = input;
          stream.callbacks = callbacks;
          return { unsubscribe };
        },
      },
    },
    sessions: {
      get: { query: vi.fn(opts.get ?? (() => new Promise(() => {}))) },
      sendMessage: { mutate },
    },
  } as unknown as LivetrailClient['api'];
  return { api, stream, unsubscribe, mutate };
}

function stored(seq: number, event: AgentEvent): StoredEvent {
  return { ...event, sessionId: 's1', seq, ts: '2026-01-01T00:00:00.000Z' };
}

const listed = initialSession({
  id: 's1',
  title: 'Fix the build',
  agent: 'coder',
  createdAt: '2026-01-01T00:00:00Z',
});

function rowSeqs(container: HTMLElement) {
  return [...container.querySelectorAll('[data-testid=timeline-row]')].map((r) => r.getAttribute('data-seq'));
}

afterEach(cleanup);

describe('SessionView', () => {
  it('applies tracked and bare events once each, in order', async () => {
    const { api, stream } = fakeApi();
    const { container } = render(() => (
      <SessionView api={api} sessionId="s1" listed={listed} report={() => {}} />
    ));
    expect(stream.input).toEqual({ sessionId: 's1' });
    const cb = stream.callbacks!;
    cb.onData({ id: '1', data: { kind: 'event', event: stored(1, { type: 'user_message', text: 'go' }) } });
    cb.onData({ data: { kind: 'event', event: stored(2, { type: 'assistant_message', text: 'ok' }) } });
    cb.onData({
      id: '2',
      data: { kind: 'event', event: stored(2, { type: 'assistant_message', text: 'ok' }) },
    });
    cb.onData({
      kind: 'event',
      event: stored(3, { type: 'cost', usd: 0.25, inputTokens: 5, outputTokens: 1 }),
    });
    await waitFor(() => expect(rowSeqs(container)).toEqual(['1', '2']));
    expect(screen.getByTestId('call-status').textContent).toContain('$0.2500');
    expect(screen.queryByTestId('reset-notice')).toBeNull();
  });

  it('drops everything on reset, says so, and shows the trail that follows', async () => {
    const { api, stream } = fakeApi();
    const { container } = render(() => (
      <SessionView api={api} sessionId="s1" listed={listed} report={() => {}} />
    ));
    const cb = stream.callbacks!;
    cb.onData({ id: '1', data: { kind: 'event', event: stored(1, { type: 'user_message', text: 'old' }) } });
    await waitFor(() => expect(rowSeqs(container)).toEqual(['1']));
    cb.onData({ kind: 'reset', reason: 'ahead_of_head', headSeq: 1 });
    await waitFor(() => expect(rowSeqs(container)).toEqual([]));
    expect(screen.getByTestId('reset-notice').textContent).toContain('History could not be resumed');
    cb.onData({ id: '1', data: { kind: 'event', event: stored(1, { type: 'user_message', text: 'new' }) } });
    await waitFor(() => expect(rowSeqs(container)).toEqual(['1']));
    expect(screen.getByText('new')).toBeTruthy();
  });

  it('disables the composer once the session completes and unsubscribes on unmount', () => {
    const { api, stream, unsubscribe } = fakeApi();
    const reports: ConnectionEvent[] = [];
    const { unmount } = render(() => (
      <SessionView api={api} sessionId="s1" listed={listed} report={(e) => reports.push(e)} />
    ));
    stream.callbacks!.onData({
      id: '1',
      data: {
        kind: 'event',
        event: stored(1, { type: 'complete', status: 'succeeded', summary: 'all green' }),
      },
    });
    stream.callbacks!.onComplete();
    expect(screen.getByTestId('completion-banner').textContent).toContain('all green');
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByText(/no longer accepts messages/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    unmount();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
    expect(reports.at(-1)).toEqual({ type: 'link', source: 'events', state: 'idle' });
  });

  it('sends with the session id and adds no row until the stream delivers it', async () => {
    const { api, mutate } = fakeApi();
    const { container } = render(() => (
      <SessionView api={api} sessionId="s1" listed={listed} report={() => {}} />
    ));
    fireEvent.input(screen.getByTestId('composer-input'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() => expect(mutate).toHaveBeenCalledWith({ sessionId: 's1', text: 'hello' }));
    expect(rowSeqs(container)).toEqual([]);
  });

  it('says the session was not found when the server does not know the id', async () => {
    const notFound = Object.assign(new Error('sessionId: no session nope'), { data: { code: 'NOT_FOUND' } });
    const { api } = fakeApi({ get: () => Promise.reject(notFound) });
    render(() => <SessionView api={api} sessionId="nope" report={() => {}} />);
    await waitFor(() => expect(screen.getByText('Session not found')).toBeTruthy());
    expect(screen.queryByTestId('composer-input')).toBeNull();
  });
});
