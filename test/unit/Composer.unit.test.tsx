import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { TRPCClientError } from '@trpc/client';
import { createSignal } from 'solid-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '../../client/components/Composer.tsx';

afterEach(cleanup);

function input() {
  return screen.getByTestId('composer-input') as HTMLTextAreaElement;
}

describe('Composer', () => {
  it('sends on enter and clears the box, without sending on shift+enter', async () => {
    const onSend = vi.fn(async () => ({ seq: 1 }));
    render(() => <Composer onSend={onSend} />);
    fireEvent.input(input(), { target: { value: 'hello agent' } });
    fireEvent.keyDown(input(), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('hello agent');
    await waitFor(() => expect(input().value).toBe(''));
  });

  it('shows why sending failed and keeps the text', async () => {
    render(() => <Composer onSend={() => Promise.reject(new Error('session is finished'))} />);
    fireEvent.input(input(), { target: { value: 'are you there?' } });
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() =>
      expect(screen.getByTestId('composer-error').textContent).toContain('session is finished'),
    );
    expect(input().value).toBe('are you there?');
  });

  it('says which role may send when the server forbids this token to send', async () => {
    const forbidden = Object.assign(new Error('role agent may not act'), { data: { code: 'FORBIDDEN' } });
    render(() => <Composer onSend={() => Promise.reject(forbidden)} />);
    fireEvent.input(input(), { target: { value: 'hi' } });
    fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() =>
      expect(screen.getByTestId('composer-error').textContent).toBe(
        'Not sent: your token may not send messages (viewer or admin role needed)',
      ),
    );
  });

  it('is disabled with an explanation', () => {
    render(() => <Composer onSend={async () => undefined} disabledReason="This session has ended." />);
    expect(input().disabled).toBe(true);
    expect((screen.getByTestId('composer-send') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('This session has ended.')).toBeTruthy();
  });
});

describe('Composer while the connection is down', () => {
  const unreachable = () => TRPCClientError.from(new TypeError('Failed to fetch'));
  const serverError = () =>
    TRPCClientError.from({
      error: {
        code: -32603,
        message: 'storage unavailable',
        data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 503 },
      },
    });

  /** A composer whose `connected` the test flips, and whose sends fail or succeed as told. */
  function renderComposer(first: boolean) {
    const [connected, setConnected] = createSignal(first);
    let outcome: () => Promise<unknown> = () => Promise.reject(unreachable());
    const onSend = vi.fn((_text: string) => outcome());
    render(() => <Composer onSend={onSend} connected={connected()} />);
    return {
      onSend,
      setConnected,
      succeed: () => {
        outcome = async () => ({ seqs: [1] });
      },
      fail: (err: unknown) => {
        outcome = () => Promise.reject(err);
      },
    };
  }
  const type = (text: string) => fireEvent.input(input(), { target: { value: text } });
  const send = () => fireEvent.click(screen.getByTestId('composer-send'));
  const button = () => screen.getByTestId('composer-send').textContent;

  it('keeps a message that could not reach the server and sends it once when the connection is back', async () => {
    const c = renderComposer(true);
    type('typed while the server was down');
    send();
    await waitFor(() =>
      expect(screen.getByTestId('composer-waiting').textContent).toBe('Will send when reconnected'),
    );
    expect(screen.queryByTestId('composer-error')).toBeNull();
    expect(input().value).toBe('typed while the server was down');
    expect(button()).toBe('Send now');
    c.setConnected(false);
    c.succeed();
    expect(c.onSend).toHaveBeenCalledTimes(1);
    c.setConnected(true);
    await waitFor(() => expect(input().value).toBe(''));
    expect(c.onSend).toHaveBeenCalledTimes(2);
    expect(c.onSend).toHaveBeenLastCalledWith('typed while the server was down');
    expect(screen.queryByTestId('composer-waiting')).toBeNull();
    // Another drop and return sends nothing more.
    c.setConnected(false);
    c.setConnected(true);
    await Promise.resolve();
    expect(c.onSend).toHaveBeenCalledTimes(2);
  });

  it('does not retry while the connection still looks up: only its return sends', async () => {
    const c = renderComposer(true);
    type('hello');
    send();
    await waitFor(() => expect(screen.getByTestId('composer-waiting')).toBeTruthy());
    c.setConnected(true);
    await Promise.resolve();
    expect(c.onSend).toHaveBeenCalledTimes(1);
  });

  it('sends at once on Send now, and waits again if the server is still down', async () => {
    const c = renderComposer(false);
    type('now please');
    send();
    await waitFor(() => expect(button()).toBe('Send now'));
    send();
    await waitFor(() => expect(c.onSend).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(screen.getByTestId('composer-waiting')).toBeTruthy());
    c.succeed();
    c.setConnected(true);
    await waitFor(() => expect(input().value).toBe(''));
    expect(c.onSend).toHaveBeenCalledTimes(3);
  });

  it('forgets the wait when the box is emptied', async () => {
    const c = renderComposer(false);
    type('never mind');
    send();
    await waitFor(() => expect(screen.getByTestId('composer-waiting')).toBeTruthy());
    type('');
    expect(screen.queryByTestId('composer-waiting')).toBeNull();
    c.setConnected(true);
    await Promise.resolve();
    expect(c.onSend).toHaveBeenCalledTimes(1);
  });

  it('clears a "Not sent" error that was no verdict on the message once the connection is back', async () => {
    const c = renderComposer(true);
    c.fail(serverError());
    type('hi');
    send();
    await waitFor(() =>
      expect(screen.getByTestId('composer-error').textContent).toBe('Not sent: storage unavailable'),
    );
    c.setConnected(false);
    expect(screen.getByTestId('composer-error')).toBeTruthy();
    c.setConnected(true);
    await waitFor(() => expect(screen.queryByTestId('composer-error')).toBeNull());
    // The text stays for the person to send again; nothing was sent by itself.
    expect(input().value).toBe('hi');
    expect(c.onSend).toHaveBeenCalledTimes(1);
  });

  it('keeps a refusal of the message itself across a reconnect', async () => {
    const c = renderComposer(true);
    // A 4xx comes as a TRPCClientError (isRetryableError keys on that class).
    c.fail(
      TRPCClientError.from({
        error: { code: -32603, message: 'nope', data: { code: 'FORBIDDEN', httpStatus: 403 } },
      }),
    );
    type('hi');
    send();
    await waitFor(() => expect(screen.getByTestId('composer-error').textContent).toContain('may not send'));
    c.setConnected(false);
    c.setConnected(true);
    await Promise.resolve();
    expect(screen.getByTestId('composer-error')).toBeTruthy();
  });
});
