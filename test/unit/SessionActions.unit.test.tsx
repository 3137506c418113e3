import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionActions } from '../../client/components/SessionActions.tsx';
import { SessionView } from '../../client/components/SessionView.tsx';
import { applyStreamMessages, emptyTrail, type TrailState } from '../../client/state/trailState.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { SessionStatus } from '../../shared/session.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';

afterEach(cleanup);

function fakeApi(interrupt: (input: unknown) => Promise<unknown>) {
  const mutate = vi.fn(interrupt);
  const api = {
    sessions: {
      interrupt: { mutate },
      get: { query: () => new Promise(() => {}) },
      sendMessage: { mutate: vi.fn() },
    },
  } as unknown as LivetrailClient['api'];
  return { api, mutate };
}

function renderActions(api: LivetrailClient['api'], status: SessionStatus = 'running', asked = false) {
  const [s, setStatus] = createSignal<SessionStatus>(status);
  const [interruptRequested, setAsked] = createSignal(asked);
  render(() => (
    <SessionActions api={api} sessionId="s/1" status={s()} interruptRequested={interruptRequested()} />
  ));
  return { setStatus, setAsked };
}

const stop = () => screen.getByTestId('stop-session') as HTMLButtonElement;

describe('SessionActions: Stop', () => {
  it('asks the server to stop once, then says Stopping… and stays disabled', async () => {
    const { api, mutate } = fakeApi(async () => ({ seq: 5, duplicate: false }));
    renderActions(api);
    expect(stop().textContent).toBe('Stop');
    expect(stop().disabled).toBe(false);
    fireEvent.click(stop());
    expect(stop().textContent).toBe('Stopping…');
    expect(stop().disabled).toBe(true);
    fireEvent.click(stop());
    await waitFor(() => expect(mutate).toHaveBeenCalledTimes(1));
    expect(mutate.mock.calls[0]![0]).toEqual({ sessionId: 's/1', idempotencyKey: expect.any(String) });
    await Promise.resolve();
    expect(stop().textContent).toBe('Stopping…');
    expect(stop().disabled).toBe(true);
  });

  it('shows a refusal next to the button and lets the person try again with the same key', async () => {
    let fail = true;
    const { api, mutate } = fakeApi(async () => {
      if (fail) throw Object.assign(new Error('nope'), { data: { code: 'FORBIDDEN' } });
      return { seq: 1, duplicate: false };
    });
    renderActions(api);
    fireEvent.click(stop());
    const alert = await screen.findByTestId('stop-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe(
      'Not stopped: your token may not stop agents (viewer or admin role needed)',
    );
    expect(stop().disabled).toBe(false);
    expect(stop().textContent).toBe('Stop');
    fail = false;
    fireEvent.click(stop());
    await waitFor(() => expect(screen.queryByTestId('stop-error')).toBeNull());
    expect(mutate).toHaveBeenCalledTimes(2);
    expect((mutate.mock.calls[1]![0] as { idempotencyKey: string }).idempotencyKey).toBe(
      (mutate.mock.calls[0]![0] as { idempotencyKey: string }).idempotencyKey,
    );
  });

  it('is disabled (Stopping…) when the trail already holds an interrupt, and gone once the session ended', () => {
    const { api, mutate } = fakeApi(async () => ({}));
    const view = renderActions(api, 'waiting_for_user', true);
    expect(stop().textContent).toBe('Stopping…');
    expect(stop().disabled).toBe(true);
    view.setStatus('cancelled');
    expect(screen.queryByTestId('stop-session')).toBeNull();
    expect(mutate).not.toHaveBeenCalled();
  });
});

describe('SessionActions: Export', () => {
  it('links to the server’s NDJSON of the whole session, as a download, on finished sessions too', () => {
    renderActions(fakeApi(async () => ({})).api, 'succeeded');
    const link = screen.getByTestId('export-session') as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('/api/sessions/s%2F1/export.ndjson');
    expect(link.getAttribute('download')).toBe('livetrail-s/1.ndjson');
    expect(link.textContent).toBe('Export');
  });
});

describe('SessionView: stop → interrupt row → cancelled', () => {
  const ev = (seq: number, event: AgentEvent): SessionStreamMessage => ({
    kind: 'event',
    event: { ...event, sessionId: 's1', seq, ts: '2026-01-01T10:00:00.000Z' } as StoredEvent,
  });

  it('shows the interrupt row, keeps Stop disabled, and drops it with a cancelled badge', async () => {
    const { api } = fakeApi(async () => ({ seq: 2, duplicate: false }));
    const [trail, setTrail] = createSignal<TrailState>(emptyTrail('s1'));
    const listed = initialSession({ id: 's1', title: 'T', agent: 'a', createdAt: '2026-01-01T00:00:00Z' });
    render(() => <SessionView api={api} sessionId="s1" listed={listed} trail={trail()} phase="live" />);
    const apply = (...m: SessionStreamMessage[]) => setTrail((t) => applyStreamMessages(t, m));
    apply(ev(1, { type: 'thought', text: 'working' }));
    expect(stop().disabled).toBe(false);
    apply(ev(2, { type: 'interrupt', reason: 'wrong repo' }));
    const row = await screen.findByTestId('interrupt-row');
    expect(row.textContent).toContain('Stopped by a person');
    expect(row.textContent).toContain('wrong repo');
    expect(row.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-01T10:00:00.000Z');
    expect(stop().textContent).toBe('Stopping…');
    apply(ev(3, { type: 'complete', status: 'cancelled', summary: 'Stopped by a person: wrong repo' }));
    await waitFor(() => expect(screen.queryByTestId('stop-session')).toBeNull());
    expect(document.querySelector('.session-head .badge')?.textContent).toBe('cancelled');
    expect(screen.getByTestId('export-session')).toBeTruthy();
  });
});
