import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionView } from '../../client/components/SessionView.tsx';
import type { TrailPhase } from '../../client/state/tabFeedState.ts';
import { applyStreamMessages, emptyTrail, type TrailState } from '../../client/state/trailState.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';

/** A stand-in for the tRPC client's queries and mutations. */
function fakeApi(opts: { get?: () => Promise<unknown> } = {}) {
  const mutate = vi.fn(async () => ({ seq: 99 }));
  const query = vi.fn(opts.get ?? (() => new Promise(() => {})));
  const api = { sessions: { get: { query }, sendMessage: { mutate } } } as unknown as LivetrailClient['api'];
  return { api, mutate, query };
}

function ev(seq: number, event: AgentEvent): SessionStreamMessage {
  const stored = { ...event, sessionId: 's1', seq, ts: '2026-01-01T00:00:00.000Z' } as StoredEvent;
  return { kind: 'event', event: stored };
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

/** Renders the view with a trail the test feeds, as the tab feed would. */
function renderView(opts: { api?: LivetrailClient['api']; sessionId?: string; listed?: typeof listed } = {}) {
  const [trail, setTrail] = createSignal<TrailState>(emptyTrail(opts.sessionId ?? 's1'));
  const [phase, setPhase] = createSignal<TrailPhase>('loading');
  const api = opts.api ?? fakeApi().api;
  const result = render(() => (
    <SessionView
      api={api}
      sessionId={opts.sessionId ?? 's1'}
      listed={opts.listed}
      trail={trail()}
      phase={phase()}
    />
  ));
  const apply = (...messages: SessionStreamMessage[]) => {
    setTrail((t) => applyStreamMessages(t, messages));
    setPhase('live');
  };
  return { ...result, apply, setPhase };
}

afterEach(cleanup);

describe('SessionView', () => {
  it('shows the trail it is given, with the cost total, and a loading placeholder before', async () => {
    const view = renderView({ listed });
    expect(screen.getByText('Loading the trail…')).toBeTruthy();
    view.apply(
      ev(1, { type: 'user_message', text: 'go' }),
      ev(2, { type: 'assistant_message', text: 'ok' }),
      ev(3, { type: 'cost', usd: 0.25, inputTokens: 5, outputTokens: 1 }),
    );
    await waitFor(() => expect(rowSeqs(view.container)).toEqual(['1', '2']));
    expect(screen.getByTestId('call-status').textContent).toContain('$0.2500');
    expect(screen.queryByTestId('reset-notice')).toBeNull();
  });

  it('says so when the history was reset, and shows the trail that follows', async () => {
    const view = renderView({ listed });
    view.apply(ev(1, { type: 'user_message', text: 'old' }));
    await waitFor(() => expect(rowSeqs(view.container)).toEqual(['1']));
    view.apply({ kind: 'reset', reason: 'ahead_of_head', headSeq: 1 });
    await waitFor(() => expect(rowSeqs(view.container)).toEqual([]));
    expect(screen.getByTestId('reset-notice').textContent).toContain(
      'History could not be resumed — reloaded the session',
    );
    view.apply(ev(1, { type: 'user_message', text: 'new' }));
    await waitFor(() => expect(rowSeqs(view.container)).toEqual(['1']));
    expect(screen.getByText('new')).toBeTruthy();
  });

  it('disables the composer once the session completes', () => {
    const view = renderView({ listed });
    view.apply(ev(1, { type: 'complete', status: 'succeeded', summary: 'all green' }));
    expect(screen.getByTestId('completion-banner').textContent).toContain('all green');
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByText(/no longer accepts messages/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sends with the session id and adds no row until the stream delivers it', async () => {
    const { api, mutate } = fakeApi();
    const view = renderView({ api, listed });
    fireEvent.input(screen.getByTestId('composer-input'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() =>
      expect(mutate).toHaveBeenCalledWith({
        sessionId: 's1',
        text: 'hello',
        idempotencyKey: expect.any(String),
      }),
    );
    expect(rowSeqs(view.container)).toEqual([]);
  });

  it('sends a message again after "Not sent" under the same key, and a new message under a new one', async () => {
    const { api, mutate } = fakeApi();
    mutate.mockRejectedValueOnce(new Error('could not reach the server'));
    renderView({ api, listed });
    const sendText = (value: string) => {
      fireEvent.input(screen.getByTestId('composer-input'), { target: { value } });
      fireEvent.click(screen.getByTestId('composer-send'));
    };
    sendText('hello');
    await waitFor(() => expect(screen.getByTestId('composer-error')).toBeTruthy());
    sendText('hello');
    await waitFor(() => expect(mutate).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(screen.queryByTestId('composer-error')).toBeNull());
    sendText('again');
    await waitFor(() => expect(mutate).toHaveBeenCalledTimes(3));
    const keys = mutate.mock.calls.map(
      (c) => (c as unknown as [{ idempotencyKey: string }])[0].idempotencyKey,
    );
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('asks the server for the session when the list does not have it yet', async () => {
    const { api, query } = fakeApi({ get: async () => ({ ...listed, title: 'From the server' }) });
    renderView({ api });
    await waitFor(() => expect(screen.getByText('From the server')).toBeTruthy());
    expect(query).toHaveBeenCalledWith({ sessionId: 's1' });
  });

  it('says the session was not found when the feed reports it missing', () => {
    const view = renderView({ sessionId: 'nope' });
    view.setPhase('not_found');
    expect(screen.getByText('Session not found')).toBeTruthy();
    expect(screen.queryByTestId('composer-input')).toBeNull();
  });

  it('says the session was deleted when the feed reports it deleted while shown', async () => {
    const view = renderView({ listed });
    view.apply(ev(1, { type: 'user_message', text: 'go' }));
    expect(screen.getByTestId('composer-input')).toBeTruthy();
    view.setPhase('deleted');
    expect(screen.getByText('Session deleted')).toBeTruthy();
    expect(screen.getByText(/was deleted while you watched it/).textContent).toContain('Fix the build');
    expect(screen.queryByText('Session not found')).toBeNull();
    expect(screen.queryByTestId('composer-input')).toBeNull();
  });

  it('says the session was not found when the server does not know the id', async () => {
    const notFound = Object.assign(new Error('sessionId: no session nope'), { data: { code: 'NOT_FOUND' } });
    renderView({ api: fakeApi({ get: () => Promise.reject(notFound) }).api, sessionId: 'nope' });
    await waitFor(() => expect(screen.getByText('Session not found')).toBeTruthy());
  });

  it("shows a streamed message's text as it grows, and says the agent is writing", async () => {
    const view = renderView({ listed });
    view.apply(
      ev(1, { type: 'message_start', messageId: 'm1', role: 'assistant' }),
      ev(2, { type: 'message_delta', messageId: 'm1', text: 'Half' }),
    );
    const body = () => view.container.querySelector('[data-seq="1"] [data-part=message-body]');
    await waitFor(() => expect(body()?.textContent).toBe('Half'));
    expect(screen.getByTestId('writing')).toBeTruthy();
    view.apply(
      ev(3, { type: 'message_delta', messageId: 'm1', text: ' done' }),
      ev(4, { type: 'message_end', messageId: 'm1' }),
    );
    await waitFor(() => expect(body()?.textContent).toBe('Half done'));
    expect(screen.queryByTestId('writing')).toBeNull();
    expect(rowSeqs(view.container)).toEqual(['1']);
  });
});
